// Optimizers, with PyTorch's update rules (the single-tensor forms), so that
// trajectories match torch.optim step for step; state dicts in PyTorch's layout.
import { argError, checkNumber } from './errors';
import { noGrad } from './autograd';
import { fullLike, tensor, zerosLike } from './creation';
import { callOp } from './ops';
import { Tensor } from './tensor';

/** A parameter group: its parameters and its own options (`group.lr` may be changed between steps). */
export type ParamGroup<O> = O & { params: Tensor[] };
type State = Record<string, Tensor | number>;
type ParamsArg = Iterable<Tensor> | { params: Iterable<Tensor>; [k: string]: unknown }[];

/** The state dict of an optimizer, as PyTorch's: per-parameter state by index, and the groups with parameter indices. */
export interface OptimizerStateDict {
  state: Record<number, State>;
  param_groups: Record<string, unknown>[];
}

export abstract class Optimizer<O extends object = object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (e.g. momentum buffers), keyed by the parameter. */
  readonly state = new Map<Tensor, State>();

  constructor(
    params: ParamsArg,
    readonly defaults: O,
  ) {
    const list = Array.from(params as Iterable<unknown>);
    if (!list.length) throw new RangeError('optimizer got an empty parameter list');
    if (list.every((p) => p instanceof Tensor)) this.addParamGroup({ params: list as Tensor[] });
    else list.forEach((g) => this.addParamGroup(g as { params: Iterable<Tensor> }));
  }

  /** Adds a group of parameters with its own options (the rest from the defaults). */
  addParamGroup(group: { params: Iterable<Tensor>; [k: string]: unknown }): void {
    if (!group || typeof group !== 'object' || !('params' in group)) argError('paramGroup', 'an object { params, ...options }', group);
    const params = Array.from(group.params);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) argError(`params[${i}]`, 'a Tensor (a Parameter)', p);
      if (!p.isLeaf) throw new TypeError(`params[${i}] is not a leaf tensor; an optimizer can only update leaves`);
    });
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new TypeError('some parameters appear in more than one parameter group');
    const { params: _p, ...rest } = group;
    void _p;
    const options = merge(this.defaults, rest as Partial<O>);
    this.validate(options);
    this.paramGroups.push({ ...options, params });
  }

  /** Clears (setToNone, the default) or zeroes the gradients of every parameter. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (setToNone) p.grad = null;
        else p.grad?.zero_();
      }
  }

  /** One update of every parameter that has a gradient (frozen parameters have none). */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (!grad) continue;
          let st = this.state.get(p);
          if (!st) this.state.set(p, (st = {}));
          this.update(p, grad, st, group);
        }
      }
    });
  }

  /** PyTorch's layout: { state: { index: {...} }, param_groups: [{ ...options, params: [indices] }] }, with PyTorch's option names. */
  stateDict(): OptimizerStateDict {
    let index = 0;
    const ids = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((g) => {
      const { params, ...opts } = g as ParamGroup<O> & Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(opts)) out[snake(k)] = v;
      out.params = params.map((p) => {
        ids.set(p, index);
        return index++;
      });
      return out;
    });
    const state: Record<number, State> = {};
    for (const [p, st] of this.state) {
      const i = ids.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(st).map(([k, v]) => [snake(k), v instanceof Tensor ? v.clone() : v]));
    }
    return { state, param_groups };
  }

  /** Restores what stateDict() gave (here or from Python's optimizer.state_dict()). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.param_groups) || typeof sd.state !== 'object') {
      argError('stateDict', 'an optimizer state dict { state, param_groups }', sd);
    }
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new RangeError(`loaded state dict has ${sd.param_groups.length} parameter groups; this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.param_groups.forEach((g, gi) => {
      const params = g.params as number[];
      if (!Array.isArray(params) || params.length !== this.paramGroups[gi].params.length) {
        throw new RangeError(`loaded state dict's group ${gi} has ${Array.isArray(params) ? params.length : '?'} parameters; this optimizer's has ${this.paramGroups[gi].params.length}`);
      }
      params.forEach((id, i) => byIndex.set(Number(id), this.paramGroups[gi].params[i]));
    });
    sd.param_groups.forEach((g, gi) => {
      const group = this.paramGroups[gi] as unknown as Record<string, unknown>;
      for (const k of Object.keys(this.defaults)) if (snake(k) in g) group[k] = g[snake(k)];
    });
    this.state.clear();
    for (const [id, st] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(id));
      if (!p) throw new RangeError(`loaded state dict has state for parameter ${id}, which no group lists`);
      this.state.set(p, Object.fromEntries(Object.entries(st).map(([k, v]) => [camel(k), v instanceof Tensor ? v.to({ device: p.device }).clone() : v])));
    }
  }

  protected abstract validate(options: O): void;
  protected abstract update(p: Tensor, grad: Tensor, state: State, group: O): void;

  protected checkNonNegative(o: O, keys: (keyof O & string)[]): void {
    for (const k of keys) if (checkNumber(k, o[k]) < 0) throw new RangeError(`${this.constructor.name}: ${k} must be >= 0, got ${o[k]}`);
  }
}

/** defaults overridden by the options that are given (undefined means "not given"). */
function merge<O extends object>(defaults: O, options: Partial<O>): O {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options ?? {})) {
    if (!(k in defaults)) throw new TypeError(`unknown option '${k}' (expected ${Object.keys(defaults).join(', ')})`);
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Increments the step counter, kept as a float32 tensor as PyTorch does, and returns it. */
function nextStep(state: State): number {
  if (!(state.step instanceof Tensor)) state.step = tensor(0, { dtype: 'float32' });
  (state.step as Tensor).add_(1);
  return (state.step as Tensor).item();
}

// ---------------------------------------------------------------- SGD

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/** Stochastic gradient descent with optional momentum, as torch.optim.SGD. */
export class SGD extends Optimizer<Required<SGDOptions>> {
  constructor(params: ParamsArg, options: SGDOptions = {}) {
    super(params, merge<Required<SGDOptions>>({ lr: 0.001, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options));
  }
  protected validate(o: Required<SGDOptions>): void {
    this.checkNonNegative(o, ['lr', 'momentum', 'dampening', 'weightDecay']);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: nesterov needs momentum > 0 and dampening 0');
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<SGDOptions>): void {
    let d = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) d = d.add(p, { alpha: o.weightDecay });
    if (o.momentum !== 0) {
      let buf = state.momentumBuffer as Tensor | undefined;
      if (!buf) state.momentumBuffer = buf = d.clone().detach();
      else buf.mul_(o.momentum).add_(d, { alpha: 1 - o.dampening });
      d = o.nesterov ? d.add(buf, { alpha: o.momentum }) : buf;
    }
    p.add_(d, { alpha: -o.lr });
  }
}

// ---------------------------------------------------------------- Adam, AdamW

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

function adamStep(p: Tensor, grad: Tensor, state: State, o: Required<AdamOptions>, decoupled: boolean): void {
  let g = o.maximize ? grad.neg() : grad;
  if (!state.expAvg) {
    state.expAvg = zerosLike(p);
    state.expAvgSq = zerosLike(p);
    if (o.amsgrad) state.maxExpAvgSq = zerosLike(p);
  }
  const step = nextStep(state);
  if (o.weightDecay !== 0) {
    if (decoupled) p.mul_(1 - o.lr * o.weightDecay);
    else g = g.add(p, { alpha: o.weightDecay });
  }
  const [beta1, beta2] = o.betas;
  const expAvg = state.expAvg as Tensor;
  const expAvgSq = state.expAvgSq as Tensor;
  callOp('aten::lerp_.Scalar', expAvg, g, 1 - beta1);
  callOp('aten::addcmul_', expAvgSq.mul_(beta2), g, g, 1 - beta2);
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = o.lr / biasCorrection1;
  const bc2Sqrt = Math.sqrt(biasCorrection2);
  let denom: Tensor;
  if (o.amsgrad) {
    const maxSq = state.maxExpAvgSq as Tensor;
    maxSq.copy_(maxSq.max(expAvgSq));
    denom = maxSq.sqrt().div(bc2Sqrt).add_(o.eps);
  } else {
    denom = expAvgSq.sqrt().div(bc2Sqrt).add_(o.eps);
  }
  callOp('aten::addcdiv_', p, expAvg, denom, -stepSize);
}

abstract class AdamBase extends Optimizer<Required<AdamOptions>> {
  protected validate(o: Required<AdamOptions>): void {
    this.checkNonNegative(o, ['lr', 'eps', 'weightDecay']);
    if (!Array.isArray(o.betas) || o.betas.length !== 2 || o.betas.some((b) => typeof b !== 'number' || b < 0 || b >= 1)) {
      argError('betas', 'two numbers in [0, 1)', o.betas);
    }
  }
}

/** torch.optim.Adam (L2 weight decay added to the gradient). */
export class Adam extends AdamBase {
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    super(params, merge<Required<AdamOptions>>({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options));
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdamOptions>): void {
    adamStep(p, grad, state, o, false);
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). */
export class AdamW extends AdamBase {
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    super(params, merge<Required<AdamOptions>>({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }, options));
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdamOptions>): void {
    adamStep(p, grad, state, o, true);
  }
}

// ---------------------------------------------------------------- RMSprop

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  constructor(params: ParamsArg, options: RMSpropOptions = {}) {
    super(params, merge<Required<RMSpropOptions>>({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options));
  }
  protected validate(o: Required<RMSpropOptions>): void {
    this.checkNonNegative(o, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum']);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<RMSpropOptions>): void {
    let g = o.maximize ? grad.neg() : grad;
    if (!state.squareAvg) {
      state.squareAvg = zerosLike(p);
      if (o.momentum > 0) state.momentumBuffer = zerosLike(p);
      if (o.centered) state.gradAvg = zerosLike(p);
    }
    nextStep(state);
    if (o.weightDecay !== 0) g = g.add(p, { alpha: o.weightDecay });
    const squareAvg = state.squareAvg as Tensor;
    callOp('aten::addcmul_', squareAvg.mul_(o.alpha), g, g, 1 - o.alpha);
    let avg: Tensor;
    if (o.centered) {
      const gradAvg = state.gradAvg as Tensor;
      callOp('aten::lerp_.Scalar', gradAvg, g, 1 - o.alpha);
      avg = (callOp('aten::addcmul', squareAvg, gradAvg, gradAvg, -1) as Tensor).sqrt_().add_(o.eps);
    } else {
      avg = squareAvg.sqrt().add_(o.eps);
    }
    if (o.momentum > 0) {
      const buf = state.momentumBuffer as Tensor;
      callOp('aten::addcdiv_', buf.mul_(o.momentum), g, avg, 1);
      p.add_(buf, { alpha: -o.lr });
    } else {
      callOp('aten::addcdiv_', p, g, avg, -o.lr);
    }
  }
}

// ---------------------------------------------------------------- Adagrad

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  constructor(params: ParamsArg, options: AdagradOptions = {}) {
    super(params, merge<Required<AdagradOptions>>({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options));
  }
  protected validate(o: Required<AdagradOptions>): void {
    this.checkNonNegative(o, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdagradOptions>): void {
    let g = o.maximize ? grad.neg() : grad;
    if (!state.sum) state.sum = fullLike(p, o.initialAccumulatorValue);
    const step = nextStep(state);
    if (o.weightDecay !== 0) g = g.add(p, { alpha: o.weightDecay });
    const clr = o.lr / (1 + (step - 1) * o.lrDecay);
    const sum = state.sum as Tensor;
    callOp('aten::addcmul_', sum, g, g, 1);
    const std = sum.sqrt().add_(o.eps);
    callOp('aten::addcdiv_', p, g, std, -clr);
  }
}

export * as lrScheduler from './lr_scheduler';
