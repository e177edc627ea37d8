// Optimizers, with PyTorch's update rules (the single-tensor forms), so that
// trajectories match torch.optim step for step.
import { argError, checkNumber } from './errors';
import { noGrad } from './autograd';
import { Tensor } from './tensor';

/** A parameter group: its parameters and its own options (`group.lr` may be changed between steps). */
export type ParamGroup<O> = O & { params: Tensor[] };

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (e.g. momentum buffers), keyed by the parameter. */
  readonly state = new Map<Tensor, Record<string, Tensor | number>>();

  constructor(
    params: Iterable<Tensor> | { params: Iterable<Tensor>; [k: string]: unknown }[],
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
    const options = { ...this.defaults, ...rest } as O;
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

  /** One update of every parameter that has a gradient. */
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

  protected abstract validate(options: O): void;
  protected abstract update(p: Tensor, grad: Tensor, state: Record<string, Tensor | number>, group: O): void;
}

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
  constructor(params: Iterable<Tensor> | { params: Iterable<Tensor>; [k: string]: unknown }[], options: SGDOptions = {}) {
    super(params, { lr: 0.001, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }
  protected validate(o: Required<SGDOptions>): void {
    for (const k of ['lr', 'momentum', 'dampening', 'weightDecay'] as const) {
      if (checkNumber(k, o[k]) < 0) throw new RangeError(`SGD: ${k} must be >= 0, got ${o[k]}`);
    }
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: nesterov needs momentum > 0 and dampening 0');
  }
  protected update(p: Tensor, grad: Tensor, state: Record<string, Tensor | number>, o: Required<SGDOptions>): void {
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
