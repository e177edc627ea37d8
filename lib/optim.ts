// Optimizers, with PyTorch's update rules (the single-tensor forms), so that
// trajectories match torch.optim step for step; state dicts in PyTorch's layout.
import { argError, checkNumber } from './errors';
import { bind, Signature } from './signature';
import { SIGNATURES } from './signatures';
import { enableGrad, noGrad } from './autograd';
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

  /**
   * One update of every parameter that has a gradient (frozen parameters have none). A closure, when
   * given, is called first (under enableGrad) to re-evaluate the loss, and its result is returned, as
   * PyTorch's `step(closure)`.
   */
  step(): void;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(checkClosure(closure));
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
    return loss;
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
/**
 * `new X(params, lr?, …)` or `new X(params, { lr, … })`: the optimizer's
 * PyTorch signature binds positional values and camelCase options alike
 * (lib/signatures.ts). Parameters PyTorch has and this port ignores (foreach,
 * fused: implementation choices) are dropped at their defaults; another value is refused.
 */
export type OptimizerArgs<O> = [options?: O] | [lr: number, ...rest: unknown[]];
function pythonOptions<O>(key: keyof typeof SIGNATURES, args: unknown[]): Partial<O> {
  const sig = (SIGNATURES[key] as Signature).filter((p) => p.name !== 'params');
  return bind(key, sig, args, { fillDefaults: false }) as Partial<O>;
}

function merge<O extends object>(defaults: O, options: Partial<O>): O {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options ?? {})) {
    if (!(k in defaults)) {
      if (v === null || v === undefined || v === false) continue; // a PyTorch option left at its default (foreach, fused, ...)
      throw new TypeError(`option '${k}' is not supported by this optimizer (known: ${Object.keys(defaults).join(', ')})`);
    }
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function checkClosure<L>(closure: () => L): () => L {
  if (typeof closure !== 'function') argError('closure', 'a function that re-evaluates the loss', closure);
  return closure;
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
  constructor(params: ParamsArg, ...args: OptimizerArgs<SGDOptions>) {
    super(params, merge<Required<SGDOptions>>({ lr: 0.001, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, pythonOptions<SGDOptions>('optim.SGD', args)));
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
  constructor(params: ParamsArg, ...args: OptimizerArgs<AdamOptions>) {
    super(params, merge<Required<AdamOptions>>({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, pythonOptions<AdamOptions>('optim.Adam', args)));
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdamOptions>): void {
    adamStep(p, grad, state, o, false);
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). */
export class AdamW extends AdamBase {
  constructor(params: ParamsArg, ...args: OptimizerArgs<AdamOptions>) {
    super(params, merge<Required<AdamOptions>>({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }, pythonOptions<AdamOptions>('optim.AdamW', args)));
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
  constructor(params: ParamsArg, ...args: OptimizerArgs<RMSpropOptions>) {
    super(params, merge<Required<RMSpropOptions>>({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, pythonOptions<RMSpropOptions>('optim.RMSprop', args)));
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
  constructor(params: ParamsArg, ...args: OptimizerArgs<AdagradOptions>) {
    super(params, merge<Required<AdagradOptions>>({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, pythonOptions<AdagradOptions>('optim.Adagrad', args)));
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

// ================================================================ the rest of torch.optim
// Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop and LBFGS, with PyTorch 2.11's single-tensor update
// rules (torch/optim/<name>.py, `_single_tensor_<name>`), its options, its checks (its messages, as
// RangeErrors) and its state names, so that trajectories and state dicts match torch.optim's.
// (Its imports sit here, with the code that uses them, so that this section merges as one block.)
import { checkBool, checkInt } from './errors';
import { cat } from './creation';
import { callT } from './ops';

/** Options every one of them but LBFGS has: `foreach` (accepted, ignored: one kernel per tensor here),
 * `maximize`; `capturable` and `differentiable` are accepted only as false. */
export interface CommonOptimizerOptions {
  foreach?: boolean | null;
  maximize?: boolean;
  capturable?: boolean;
  differentiable?: boolean;
}
const COMMON: Required<CommonOptimizerOptions> = { foreach: null, maximize: false, capturable: false, differentiable: false };

/** PyTorch's ValueError for an option out of range, as a RangeError with its message. */
function checkRange(name: string, what: string, v: unknown, ok: (x: number) => boolean): void {
  if (!ok(checkNumber(name, v))) throw new RangeError(`Invalid ${what}: ${v}`);
}
const nonNegative = (x: number) => x >= 0;
function checkLr(lr: unknown): void {
  checkRange('lr', 'learning rate', lr, nonNegative);
}
function checkCommon(cls: string, o: Required<CommonOptimizerOptions>): void {
  if (o.foreach !== null) checkBool('foreach', o.foreach);
  checkBool('maximize', o.maximize);
  if (checkBool('capturable', o.capturable)) throw new RangeError(`${cls}: capturable=true (CUDA-graph capture) is not supported; the update is the same without it`);
  if (checkBool('differentiable', o.differentiable)) throw new RangeError(`${cls}: differentiable=true is not supported: updates run under noGrad`);
}
function checkPair(name: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) argError(name, 'two numbers [a, b]', v);
  return [checkNumber(`${name}[0]`, v[0]), checkNumber(`${name}[1]`, v[1])];
}
function checkBetas(betas: unknown): void {
  checkPair('betas', betas).forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${b}`);
  });
}

/** PyTorch's lazy state initialization: `step` (a float32 0-d tensor) first, then the rest. */
function initState(state: State, make: () => State, device?: Tensor['device']): void {
  if (Object.keys(state).length) return;
  state.step = tensor(0, { dtype: 'float32', ...(device && device !== 'cpu' ? { device } : {}) });
  Object.assign(state, make());
}

// ---------------------------------------------------------------- Adadelta

export interface AdadeltaOptions extends CommonOptimizerOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.Adadelta (lr 1.0, rho 0.9, eps 1e-6), as pytorch/examples' MNIST script uses it with StepLR. */
export class Adadelta extends Optimizer<Required<AdadeltaOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<AdadeltaOptions>) {
    super(params, merge<Required<AdadeltaOptions>>({ lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, ...COMMON }, pythonOptions<AdadeltaOptions>('optim.Adadelta', args)));
  }
  protected validate(o: Required<AdadeltaOptions>): void {
    checkLr(o.lr);
    checkRange('rho', 'rho value', o.rho, (x) => x >= 0 && x <= 1);
    checkRange('eps', 'epsilon value', o.eps, nonNegative);
    checkRange('weightDecay', 'weight_decay value', o.weightDecay, nonNegative);
    checkCommon('Adadelta', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdadeltaOptions>): void {
    initState(state, () => ({ squareAvg: zerosLike(p), accDelta: zerosLike(p) }));
    nextStep(state);
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(p, { alpha: o.weightDecay });
    const squareAvg = state.squareAvg as Tensor;
    const accDelta = state.accDelta as Tensor;
    callOp('aten::addcmul_', squareAvg.mul_(o.rho), g, g, 1 - o.rho);
    const std = squareAvg.add(o.eps).sqrt_();
    const delta = accDelta.add(o.eps).sqrt_().div_(std).mul_(g);
    callOp('aten::addcmul_', accDelta.mul_(o.rho), delta, delta, 1 - o.rho);
    p.add_(delta, { alpha: -o.lr });
  }
}

// ---------------------------------------------------------------- Adamax

export interface AdamaxOptions extends CommonOptimizerOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.Adamax: Adam with the infinity norm (lr 2e-3). */
export class Adamax extends Optimizer<Required<AdamaxOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<AdamaxOptions>) {
    super(params, merge<Required<AdamaxOptions>>({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...COMMON }, pythonOptions<AdamaxOptions>('optim.Adamax', args)));
  }
  protected validate(o: Required<AdamaxOptions>): void {
    checkLr(o.lr);
    checkRange('eps', 'epsilon value', o.eps, nonNegative);
    checkBetas(o.betas);
    checkRange('weightDecay', 'weight_decay value', o.weightDecay, nonNegative);
    checkCommon('Adamax', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<AdamaxOptions>): void {
    initState(state, () => ({ expAvg: zerosLike(p), expInf: zerosLike(p) }));
    const step = nextStep(state);
    const [beta1, beta2] = o.betas;
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(p, { alpha: o.weightDecay });
    const expAvg = state.expAvg as Tensor;
    const expInf = state.expInf as Tensor;
    callOp('aten::lerp_.Scalar', expAvg, g, 1 - beta1);
    expInf.copy_(expInf.mul_(beta2).max(g.abs().add_(o.eps)));
    const clr = o.lr / (1 - beta1 ** step);
    callOp('aten::addcdiv_', p, expAvg, expInf, -clr);
  }
}

// ---------------------------------------------------------------- NAdam

export interface NAdamOptions extends CommonOptimizerOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  decoupledWeightDecay?: boolean;
}

/** torch.optim.NAdam: Adam with Nesterov momentum (lr 2e-3, momentumDecay 4e-3; decoupledWeightDecay gives NAdamW). */
export class NAdam extends Optimizer<Required<NAdamOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<NAdamOptions>) {
    super(
      params,
      merge<Required<NAdamOptions>>({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, ...COMMON }, pythonOptions<NAdamOptions>('optim.NAdam', args)),
    );
  }
  protected validate(o: Required<NAdamOptions>): void {
    checkLr(o.lr);
    checkRange('eps', 'epsilon value', o.eps, nonNegative);
    checkBetas(o.betas);
    checkRange('weightDecay', 'weight_decay value', o.weightDecay, nonNegative);
    checkRange('momentumDecay', 'momentum_decay value', o.momentumDecay, nonNegative);
    checkBool('decoupledWeightDecay', o.decoupledWeightDecay);
    checkCommon('NAdam', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<NAdamOptions>): void {
    initState(state, () => ({ muProduct: tensor(1, { dtype: 'float32' }), expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
    const step = nextStep(state);
    const [beta1, beta2] = o.betas;
    let g = o.maximize ? grad.neg() : grad;
    const biasCorrection2 = 1 - beta2 ** step;
    if (o.weightDecay !== 0) {
      if (o.decoupledWeightDecay) p.mul_(1 - o.lr * o.weightDecay);
      else g = g.add(p, { alpha: o.weightDecay });
    }
    const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * o.momentumDecay));
    const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
    const muProductT = state.muProduct as Tensor;
    muProductT.mul_(mu); // a float32 product, as PyTorch keeps it
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;
    callOp('aten::lerp_.Scalar', expAvg, g, 1 - beta1);
    callOp('aten::addcmul_', expAvgSq.mul_(beta2), g, g, 1 - beta2);
    const denom = expAvgSq.div(biasCorrection2).sqrt();
    const muProduct = muProductT.item();
    const muProductNext = muProduct * muNext;
    denom.add_(o.eps);
    callOp('aten::addcdiv_', p, g, denom, (-o.lr * (1.0 - mu)) / (1.0 - muProduct));
    callOp('aten::addcdiv_', p, expAvg, denom, (-o.lr * muNext) / (1.0 - muProductNext));
  }
}

// ---------------------------------------------------------------- RAdam

export interface RAdamOptions extends CommonOptimizerOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  decoupledWeightDecay?: boolean;
}

/** torch.optim.RAdam: Adam with the variance rectification term (plain momentum for the first steps). */
export class RAdam extends Optimizer<Required<RAdamOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<RAdamOptions>) {
    super(params, merge<Required<RAdamOptions>>({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, ...COMMON }, pythonOptions<RAdamOptions>('optim.RAdam', args)));
  }
  protected validate(o: Required<RAdamOptions>): void {
    checkLr(o.lr);
    checkRange('eps', 'epsilon value', o.eps, nonNegative);
    checkBetas(o.betas);
    checkRange('weightDecay', 'weight_decay value', o.weightDecay, nonNegative);
    checkBool('decoupledWeightDecay', o.decoupledWeightDecay);
    checkCommon('RAdam', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<RAdamOptions>): void {
    initState(state, () => ({ expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
    const step = nextStep(state);
    const [beta1, beta2] = o.betas;
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) {
      if (o.decoupledWeightDecay) p.mul_(1 - o.lr * o.weightDecay);
      else g = g.add(p, { alpha: o.weightDecay });
    }
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;
    callOp('aten::lerp_.Scalar', expAvg, g, 1 - beta1);
    callOp('aten::addcmul_', expAvgSq.mul_(beta2), g, g, 1 - beta2);
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    if (rhoT > 5.0) {
      const rect = (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5;
      // Python's `float / tensor` is `tensor.reciprocal() * float`
      const adaptiveLr = callT('aten::reciprocal', expAvgSq.sqrt().add_(o.eps)).mul(biasCorrection2 ** 0.5);
      p.add_(biasCorrectedExpAvg.mul(o.lr).mul(adaptiveLr).mul(rect), { alpha: -1.0 });
    } else {
      p.add_(biasCorrectedExpAvg.mul(o.lr), { alpha: -1.0 });
    }
  }
}

// ---------------------------------------------------------------- ASGD

export interface ASGDOptions extends CommonOptimizerOptions {
  lr?: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
}

/** torch.optim.ASGD: averaged SGD; `state.get(p).ax` is the average, used from step t0 on. */
export class ASGD extends Optimizer<Required<ASGDOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<ASGDOptions>) {
    super(params, merge<Required<ASGDOptions>>({ lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, ...COMMON }, pythonOptions<ASGDOptions>('optim.ASGD', args)));
  }
  protected validate(o: Required<ASGDOptions>): void {
    checkLr(o.lr);
    checkRange('weightDecay', 'weight_decay value', o.weightDecay, nonNegative);
    checkNumber('lambd', o.lambd);
    checkNumber('alpha', o.alpha);
    checkNumber('t0', o.t0);
    checkCommon('ASGD', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<ASGDOptions>): void {
    const on = p.device === 'cpu' ? {} : { device: p.device };
    initState(state, () => ({ eta: tensor(o.lr, { dtype: 'float32', ...on }), mu: tensor(1, { dtype: 'float32', ...on }), ax: zerosLike(p) }), p.device);
    const step = nextStep(state);
    let g = o.maximize ? grad.neg() : grad;
    if (o.weightDecay !== 0) g = g.add(p, { alpha: o.weightDecay });
    const eta = state.eta as Tensor;
    const mu = state.mu as Tensor;
    const ax = state.ax as Tensor;
    const etaValue = eta.item();
    p.mul_(1 - o.lambd * etaValue);
    p.add_(g, { alpha: -etaValue });
    if (mu.item() !== 1) ax.add_(p.sub(ax).mul_(mu));
    else ax.copy_(p);
    eta.fill_(o.lr / (1 + o.lambd * o.lr * step) ** o.alpha);
    mu.fill_(1 / Math.max(1, step - o.t0));
  }
}

// ---------------------------------------------------------------- Rprop

export interface RpropOptions extends CommonOptimizerOptions {
  lr?: number;
  etas?: [number, number];
  stepSizes?: [number, number];
}

/** torch.optim.Rprop: resilient backpropagation (per-element step sizes from the gradient's sign). */
export class Rprop extends Optimizer<Required<RpropOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<RpropOptions>) {
    super(params, merge<Required<RpropOptions>>({ lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], ...COMMON }, pythonOptions<RpropOptions>('optim.Rprop', args)));
  }
  protected validate(o: Required<RpropOptions>): void {
    checkLr(o.lr);
    const [etaminus, etaplus] = checkPair('etas', o.etas);
    if (!(etaminus > 0 && etaminus < 1 && etaplus > 1)) throw new RangeError(`Invalid eta values: ${etaminus}, ${etaplus}`);
    checkPair('stepSizes', o.stepSizes);
    checkCommon('Rprop', o);
  }
  protected update(p: Tensor, grad: Tensor, state: State, o: Required<RpropOptions>): void {
    initState(state, () => ({ prev: zerosLike(p), stepSize: fullLike(grad, o.lr) }));
    nextStep(state);
    const [etaminus, etaplus] = o.etas;
    const [stepSizeMin, stepSizeMax] = o.stepSizes;
    const g = o.maximize ? grad.neg() : grad;
    const prev = state.prev as Tensor;
    const stepSize = state.stepSize as Tensor;
    const sign = g.mul(prev).sign();
    callOp('aten::masked_fill_.Scalar', sign, sign.gt(0), etaplus);
    callOp('aten::masked_fill_.Scalar', sign, sign.lt(0), etaminus);
    callOp('aten::masked_fill_.Scalar', sign, sign.eq(0), 1);
    stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
    const gd = g.clone();
    callOp('aten::masked_fill_.Scalar', gd, sign.eq(etaminus), 0);
    callOp('aten::addcmul_', p, gd.sign(), stepSize, -1);
    prev.copy_(gd);
  }
}

// ---------------------------------------------------------------- LBFGS

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  /** Default: maxIter * 5 / 4, rounded down. */
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: 'strong_wolfe' | null;
}

/** A value of LBFGS's arithmetic: a Python float (a number here) or a 0-d tensor, as PyTorch mixes them. */
type Num = number | Tensor;

/** LBFGS's state (on its first parameter, as PyTorch keeps it). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  al?: (Num | null)[];
  d?: Tensor;
  t?: Num;
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: Num[];
  hDiag?: Num;
  prevFlatGrad?: Tensor;
  prevLoss?: number;
}

// Python's operators on a float and a 0-d tensor, with the same operators (and so the same roundings):
// `float - tensor` is rsub, `float / tensor` is `tensor.reciprocal() * float`, comparisons reflect.
const isT = (v: Num): v is Tensor => v instanceof Tensor;
const truth = (t: Tensor): boolean => Boolean(t.item());
const nAdd = (a: Num, b: Num): Num => (isT(a) ? a.add(b) : isT(b) ? b.add(a) : a + b);
const nSub = (a: Num, b: Num): Num => (isT(a) ? a.sub(b) : isT(b) ? callT('aten::rsub.Scalar', b, a) : a - b);
const nMul = (a: Num, b: Num): Num => (isT(a) ? a.mul(b) : isT(b) ? b.mul(a) : a * b);
const nDiv = (a: Num, b: Num): Num => (isT(a) ? a.div(b) : isT(b) ? callT('aten::reciprocal', b).mul(a) : a / b);
const nGt = (a: Num, b: Num): boolean => (isT(a) ? truth(a.gt(b)) : isT(b) ? truth(b.lt(a)) : a > b);
const nGe = (a: Num, b: Num): boolean => (isT(a) ? truth(a.ge(b)) : isT(b) ? truth(b.le(a)) : a >= b);
const nLt = (a: Num, b: Num): boolean => (isT(a) ? truth(a.lt(b)) : isT(b) ? truth(b.gt(a)) : a < b);
const nLe = (a: Num, b: Num): boolean => (isT(a) ? truth(a.le(b)) : isT(b) ? truth(b.ge(a)) : a <= b);
const nAbs = (a: Num): Num => (isT(a) ? a.abs() : Math.abs(a));
const nValue = (a: Num): number => (isT(a) ? a.item() : a);
/** Python's max(a, b) and min(a, b): the first unless the second compares greater (smaller). */
const pyMax = (...xs: Num[]): Num => xs.reduce((m, x) => (nGt(x, m) ? x : m));
const pyMin = (...xs: Num[]): Num => xs.reduce((m, x) => (nLt(x, m) ? x : m));

/** torch/optim/lbfgs.py's _cubic_interpolate (from torch/optim's polyinterp.lua). */
function cubicInterpolate(x1: Num, f1: number, g1: Num, x2: Num, f2: number, g2: Num, bounds?: [Num, Num]): Num {
  const [xminBound, xmaxBound] = bounds ?? (nLe(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = nSub(nAdd(g1, g2), nDiv(3 * (f1 - f2), nSub(x1, x2)));
  const d2Square = nSub(isT(d1) ? d1.pow(2) : d1 * d1, nMul(g1, g2));
  if (nGe(d2Square, 0)) {
    const d2 = isT(d2Square) ? d2Square.sqrt() : Math.sqrt(d2Square);
    const minPos = nLe(x1, x2)
      ? nSub(x2, nMul(nSub(x2, x1), nDiv(nSub(nAdd(g2, d2), d1), nAdd(nSub(g2, g1), nMul(2, d2)))))
      : nSub(x1, nMul(nSub(x1, x2), nDiv(nSub(nAdd(g1, d2), d1), nAdd(nSub(g1, g2), nMul(2, d2)))));
    return pyMin(pyMax(minPos, xminBound), xmaxBound);
  }
  return nDiv(nAdd(xminBound, xmaxBound), 2.0);
}

type Evaluate = (x: Tensor[], t: Num, d: Tensor) => [number, Tensor];

/** torch/optim/lbfgs.py's _strong_wolfe (from torch/optim's lswolfe.lua): returns [loss, flat grad, t, evaluations]. */
function strongWolfe(obj: Evaluate, x: Tensor[], t: Num, d: Tensor, f: number, g: Tensor, gtd: Tensor, maxLs: number): [number, Tensor, Num, number] {
  const c1 = 1e-4;
  const c2 = 0.9;
  const toleranceChange = 1e-9; // PyTorch's LBFGS does not pass its own tolerance_change down
  const dNorm = d.abs().max();
  g = g.clone();
  let [fNew, gNew] = obj(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew: Num = gNew.dot(d);

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: Num = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev: Num = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Num[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: Num[] = [];
  const armijoFails = (tt: Num, fn: number) => nGt(fn, nAdd(f, nMul(nMul(c1, tt), gtd)));
  while (lsIter < maxLs) {
    if (armijoFails(t, fNew) || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew]];
      break;
    }
    if (nLe(nAbs(gtdNew), nMul(-c2, gtd))) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (nGe(gtdNew, 0)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew]];
      break;
    }
    // interpolate
    const minStep = nAdd(t, nMul(0.01, nSub(t, tPrev)));
    const maxStep = nMul(t, 10);
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    // next step
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.clone();
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d);
    lsIter += 1;
  }
  // reached the most iterations?
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  // zoom: refine the bracket until a point satisfies the criteria
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (nLt(nMul(nAbs(nSub(bracket[1], bracket[0])), dNorm), toleranceChange)) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // too close to a boundary: move 0.1 * the bracket's length away from the nearest one
    const hi = pyMax(...bracket);
    const lo = pyMin(...bracket);
    const eps = nMul(0.1, nSub(hi, lo));
    if (nLt(pyMin(nSub(hi, t), nSub(t, lo)), eps)) {
      if (insufProgress || nGe(t, hi) || nLe(t, lo)) {
        t = nLt(nAbs(nSub(t, hi)), nAbs(nSub(t, lo))) ? nSub(hi, eps) : nAdd(lo, eps);
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = obj(x, t, d);
    lsFuncEvals += 1;
    gtdNew = gNew.dot(d);
    lsIter += 1;
    if (armijoFails(t, fNew) || fNew >= bracketF[lowPos]) {
      // Armijo condition not satisfied or not lower than the lowest point
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.clone();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (nLe(nAbs(gtdNew), nMul(-c2, gtd))) {
        done = true; // Wolfe conditions satisfied
      } else if (nGe(nMul(gtdNew, nSub(bracket[highPos], bracket[lowPos])), 0)) {
        // old high becomes new low
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      // new point becomes new low
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.clone();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

function lossValue(v: unknown): number {
  if (v instanceof Tensor) return v.item();
  return checkNumber('the loss the closure returned', v);
}

/**
 * torch.optim.LBFGS: L-BFGS with PyTorch's exact algorithm, optionally with its strong-Wolfe line search.
 * `step(closure)` needs a closure that zeroes the gradients, re-evaluates the loss, calls `backward()` and
 * returns the loss; it returns the closure's first loss. One parameter group only.
 */
export class LBFGS extends Optimizer<Required<LBFGSOptions>> {
  constructor(params: ParamsArg, ...args: OptimizerArgs<LBFGSOptions>) {
    super(params, lbfgsDefaults(pythonOptions<LBFGSOptions>('optim.LBFGS', args)));
  }

  /** LBFGS keeps one parameter group (PyTorch's "doesn't support per-parameter options"). */
  addParamGroup(group: { params: Iterable<Tensor>; [k: string]: unknown }): void {
    if (this.paramGroups.length > 0) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  protected validate(o: Required<LBFGSOptions>): void {
    checkLr(o.lr);
    checkInt('maxIter', o.maxIter, { min: 1 });
    checkInt('maxEval', o.maxEval, { min: 1 });
    checkNumber('toleranceGrad', o.toleranceGrad);
    checkNumber('toleranceChange', o.toleranceChange);
    checkInt('historySize', o.historySize, { min: 1 });
    if (o.lineSearchFn !== null && o.lineSearchFn !== 'strong_wolfe') {
      throw new RangeError(`lineSearchFn must be null or 'strong_wolfe' (only 'strong_wolfe' is supported), got ${JSON.stringify(o.lineSearchFn)}`);
    }
  }

  protected update(): void {
    throw new Error('LBFGS updates in step(closure)');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => (p.grad ? p.grad.reshape(-1) : zerosLike(p).reshape(-1))), 0);
  }

  private addGrad(stepSize: Num, update: Tensor): void {
    const alpha = nValue(stepSize);
    let offset = 0;
    for (const p of this.params) {
      const numel = p.numel();
      p.add_(update.narrow(0, offset, numel).view(p.shape), { alpha });
      offset += numel;
    }
  }

  private directionalEvaluate(closure: () => unknown, x: Tensor[], t: Num, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = lossValue(closure());
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** Up to maxIter iterations (maxEval loss evaluations); returns the closure's first loss. */
  step(): never;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L {
    if (typeof closure !== 'function') argError('closure', 'a function that re-evaluates the loss (LBFGS.step needs one)', closure);
    const evaluate = () => enableGrad(closure);
    return noGrad(() => this.iterate(evaluate));
  }

  private iterate<L>(closure: () => L): L {
    const group = this.paramGroups[0];
    const { lr, maxIter, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const maxEval = group.maxEval as number;
    const p0 = this.params[0];
    let state = this.state.get(p0) as unknown as LBFGSState | undefined;
    if (!state) this.state.set(p0, (state = {} as LBFGSState) as unknown as State);
    state.funcEvals ??= 0;
    state.nIter ??= 0;

    // evaluate the initial f(x) and df/dx
    const origLoss = closure();
    let loss = lossValue(origLoss);
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = truth(flatGrad.abs().max().le(toleranceGrad));
    if (optCond) return origLoss;

    let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;
      // the descent direction
      if (state.nIter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        // the L-BFGS update of the memory
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = y.dot(s);
        if (nGt(ys, 1e-10)) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(nDiv(1.0, ys));
          hDiag = ys.div(y.dot(y));
        }
        const numOld = oldDirs!.length;
        if (!state.al) state.al = new Array<Num | null>(historySize).fill(null);
        const al = state.al;
        // the two-loop recursion, with one buffer
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = nMul(oldStps![i].dot(q), ro![i]);
          q.add_(oldDirs![i], { alpha: -nValue(al[i]!) });
        }
        const r = q.mul(hDiag!);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const be = nMul(oldDirs![i].dot(r), ro![i]);
          r.add_(oldStps![i], { alpha: nValue(nSub(al[i]!, be)) });
        }
      }
      if (!prevFlatGrad) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // the step length
      t = state.nIter === 1 ? nMul(pyMin(1.0, nDiv(1.0, flatGrad.abs().sum())), lr) : lr;
      const gtd = flatGrad.dot(d!);
      if (nGt(gtd, -toleranceChange)) break; // the directional derivative is below tolerance

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.clone());
        const obj: Evaluate = (x, tt, dd) => this.directionalEvaluate(closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(obj, xInit, t, d!, loss, flatGrad, gtd, maxEval - currentEvals);
        this.addGrad(t, d!);
        optCond = truth(flatGrad.abs().max().le(toleranceGrad));
      } else {
        // a fixed step, re-evaluated unless it is the last iteration
        this.addGrad(t, d!);
        if (nIter !== maxIter) {
          loss = lossValue(closure());
          flatGrad = this.gatherFlatGrad();
          optCond = truth(flatGrad.abs().max().le(toleranceGrad));
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (truth(d!.mul(t).abs().max().le(toleranceChange))) break; // lack of progress
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  /** PyTorch's layout, with its names (`H_diag`, `old_dirs`, …); lists of tensors are copied. */
  stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    for (const [i, st] of Object.entries(sd.state)) {
      sd.state[Number(i)] = Object.fromEntries(
        Object.entries(st).map(([k, v]) => [k === 'h_diag' ? 'H_diag' : k, Array.isArray(v) ? v.map((x: unknown) => (x instanceof Tensor ? x.clone() : x)) : v]),
      ) as State;
    }
    return sd;
  }

  /** Restores LBFGS's state (here or from Python's `optimizer.state_dict()`). */
  loadStateDict(sd: OptimizerStateDict): void {
    super.loadStateDict(sd);
    for (const [p, st] of this.state) {
      const entries = Object.entries(st as Record<string, unknown>).map(([k, v]) => [
        k === 'HDiag' ? 'hDiag' : k,
        Array.isArray(v) ? v.map((x: unknown) => (x instanceof Tensor ? x.to({ device: p.device }).clone() : x)) : typeof v === 'bigint' ? Number(v) : v,
      ]);
      this.state.set(p, Object.fromEntries(entries) as State);
    }
  }
}

function lbfgsDefaults(options: LBFGSOptions): Required<LBFGSOptions> {
  const o = merge<Required<LBFGSOptions>>({ lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null }, options);
  if (o.maxEval === null) o.maxEval = Math.floor((checkInt('maxIter', o.maxIter, { min: 1 }) * 5) / 4);
  return o;
}
