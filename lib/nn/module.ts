// nn.Module: submodules and parameters are found from the fields of a subclass,
// in declaration order, as PyTorch's __setattr__ registers them.
import { argError, checkBool } from '../errors';
import { Device, DType, isDtype, isFloatingDtype } from '../dtype';
import { noGrad } from '../autograd';
import { callT } from '../ops';
import { Tensor } from '../tensor';

/** A tensor that is a module's learnable weight (requiresGrad on by default). */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) argError('data', 'a Tensor', data);
    // Shares storage with `data`, as torch.nn.Parameter does, but is a leaf.
    super(callT('aten::detach', data).handle);
    this.requiresGrad = requiresGrad;
  }
}

export abstract class Module {
  /** True in training mode (dropout active, batch norm updating statistics). */
  training = true;

  abstract forward(...inputs: never[]): unknown;

  /** Direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }
  /** This module and every submodule, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }
  /** Parameters with PyTorch's dotted names ('conv1.weight'), each once. */
  namedParameters({ prefix = '', recurse = true }: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const visit = (m: Module, pre: string) => {
      for (const [name, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          out.push([pre + name, v]);
        }
      }
      if (recurse) for (const [name, child] of m.namedChildren()) visit(child, `${pre}${name}.`);
    };
    visit(this, prefix ? `${prefix}.` : '');
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }
  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    checkBool('mode', mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Clears (setToNone, the default) or zeroes every parameter's gradient. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else p.grad?.zero_();
    }
  }
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /**
   * Moves or casts every parameter (floating-point ones only, for a dtype), in
   * place: the module keeps its Parameter fields, which now hold new tensors.
   * Make optimizers after moving, as in PyTorch.
   */
  to(target: Device | DType): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, v] of Object.entries(m)) {
          if (!(v instanceof Parameter)) continue;
          if (isDtype(target) && !isFloatingDtype(v.dtype)) continue;
          const moved = v.to(target);
          if (moved.handle.isSame(v.handle)) continue;
          (m as unknown as Record<string, Tensor>)[name] = new Parameter(moved, v.requiresGrad);
        }
      }
    });
    return this;
  }
  /** Counts of parameters: total and trainable (requiresGrad). */
  numParameters(): { total: number; trainable: number } {
    let total = 0;
    let trainable = 0;
    for (const p of this.parameters()) {
      total += p.numel();
      if (p.requiresGrad) trainable += p.numel();
    }
    return { total, trainable };
  }
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!children.length) return `${head})`;
    const lines = children.map(([n, c]) => `  (${n}): ${c.toString().replace(/\n/g, '\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
  /** The layer's own settings, shown by toString(). */
  extraRepr(): string {
    return '';
  }
}

/** Modules applied in order; children are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) argError(`modules[${i}]`, 'a Module', m);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }
  get length(): number {
    return this.namedChildren().length;
  }
  at(i: number): Module {
    return this.children()[i < 0 ? i + this.length : i];
  }
  forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this.children()) x = (m as unknown as { forward(x: Tensor): Tensor }).forward(x);
    return x;
  }
}
