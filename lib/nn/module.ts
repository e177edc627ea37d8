// nn.Module: submodules, parameters and buffers are found from the fields of a
// subclass, in declaration order, as PyTorch's __setattr__ registers them.
import { argError, checkBool } from '../errors';
import { Device, DType, isDtype, isFloatingDtype } from '../dtype';
import { noGrad } from '../autograd';
import { callT } from '../ops';
import { native } from '../native';
import { Tensor } from '../tensor';
import { checkPatterns, freezeByPatterns, nameMatches } from './freeze';
import { CachedProgram, eager, Emitter, Recorder, runProgram, Val } from '../program';
import { tracing } from '../ops';
import { addHook, callWithHooks, HookTable, HOOKS, RemovableHandle } from './hooks';

export { RemovableHandle };

/** A tensor that is a module's learnable weight (requiresGrad on by default). */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) argError('data', 'a Tensor', data);
    // Shares storage with `data`, as torch.nn.Parameter does, but is a leaf.
    super(callT('aten::detach', data).handle);
    this.requiresGrad = requiresGrad;
  }
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Copies `stateDict` into the tensors of `own` (a module's stateDict({ keepVars: true })) under noGrad,
 * with PyTorch's checks and messages: shapes must match; with `strict`, missing or unexpected keys are an
 * error, otherwise they are returned.
 */
export function copyStateDict(own: Record<string, Tensor>, stateDict: Record<string, Tensor>, strict: boolean, owner: string): LoadStateDictResult {
  if (!stateDict || typeof stateDict !== 'object') argError('stateDict', 'an object of name → Tensor', stateDict);
  const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
  const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
  const errors: string[] = [];
  for (const [k, target] of Object.entries(own)) {
    const src = stateDict[k];
    if (src === undefined) continue;
    if (!(src instanceof Tensor)) {
      errors.push(`${k} is not a tensor`);
      continue;
    }
    if (src.shape.join() !== target.shape.join()) {
      errors.push(`size mismatch for ${k}: copying a param with shape [${src.shape.join(', ')}] from checkpoint, the shape in current model is [${target.shape.join(', ')}].`);
    }
  }
  if (strict) {
    if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
  }
  if (errors.length) throw new Error(`Error(s) in loading state_dict for ${owner}:\n\t${errors.join('\n\t')}`);
  noGrad(() => {
    for (const [k, target] of Object.entries(own)) if (stateDict[k]) target.copy_(stateDict[k]);
  });
  return { missingKeys, unexpectedKeys };
}

const BUFFERS = Symbol('buffers'); // name -> persistent, per module (not enumerable, so not a "field")

/** A forward pre-hook: gets the arguments; returns nothing, or replacement arguments (an array replaces them all, anything else the single argument). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardPreHook<M = Module> = (module: M, args: any[]) => unknown;
/** A forward hook: gets the arguments and the output; returns nothing, or a replacement output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardHook<M = Module> = (module: M, args: any[], output: any) => unknown;
/** A full backward hook: gets the gradients with respect to the module's inputs (null for an argument that needs none) and outputs; returns nothing. */
export type FullBackwardHook<M = Module> = (module: M, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => void;

/**
 * A module instance is callable: `module(...args)` is PyTorch's `module(*args)`,
 * i.e. forward with the module's hooks around it. The call is typed from the
 * subclass's own forward; `Module<[Tensor], Tensor>` types a module by its
 * call (the default, `Module`, accepts any arguments).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Module<In extends unknown[] = any[], Out = any> {
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export abstract class Module<In extends unknown[] = any[], Out = any> {
  /** True in training mode (dropout active, batch norm updating statistics). */
  declare training: boolean;
  declare [HOOKS]: HookTable | undefined;

  /**
   * The instance is a function (so that `module(x)` works) whose prototype is
   * the subclass's: fields, methods and `instanceof` are as for any object.
   * With no hooks, a call costs one function call more than `forward`.
   */
  constructor() {
    const self = ((...args: unknown[]) => (self[HOOKS] === undefined ? self.forward(...(args as In)) : callWithHooks(self, args))) as unknown as Module<In, Out>;
    Object.setPrototypeOf(self, new.target.prototype);
    // A function's own 'length' and 'name' would hide getters and fields of those names.
    delete (self as { length?: unknown }).length;
    delete (self as { name?: unknown }).name;
    Object.defineProperty(self, HOOKS, { value: undefined, writable: true, enumerable: false, configurable: true });
    self.training = true;
    return self;
  }

  abstract forward(...inputs: In): Out;

  // ------------------------------------------------------------ hooks
  /**
   * Calls `hook(module, args)` before each forward; a returned value replaces
   * the arguments (an array replaces them all, anything else the first and
   * only one). Hooks run in the order registered (`prepend` puts this one first).
   */
  registerForwardPreHook(hook: ForwardPreHook<this>, options?: { prepend?: boolean }): RemovableHandle {
    return addHook(this, 'pre', hook, options, 'registerForwardPreHook');
  }
  /** Calls `hook(module, args, output)` after each forward; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook<this>, options?: { prepend?: boolean }): RemovableHandle {
    return addHook(this, 'fwd', hook, options, 'registerForwardHook');
  }
  /**
   * Calls `hook(module, gradInput, gradOutput)` when a backward reaches this
   * module, with the gradients with respect to its arguments and its outputs.
   * Unlike PyTorch, the hook runs once the native backward has finished (in
   * PyTorch's order) and cannot return a replacement gradInput.
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>, options?: { prepend?: boolean }): RemovableHandle {
    return addHook(this, 'bwd', hook, options, 'registerFullBackwardHook');
  }

  // ------------------------------------------------------------ registration
  private bufferTable(): Map<string, boolean> {
    const self = this as unknown as { [BUFFERS]?: Map<string, boolean> };
    if (!self[BUFFERS]) Object.defineProperty(this, BUFFERS, { value: new Map(), enumerable: false });
    return self[BUFFERS]!;
  }
  /** A tensor that is part of the module's state but not trained (e.g. running means); `persistent: false` keeps it out of stateDict(). */
  registerBuffer(name: string, tensor: Tensor | null, { persistent = true }: { persistent?: boolean } = {}): void {
    if (typeof name !== 'string' || !name || name.includes('.')) argError('name', 'a non-empty name without dots', name);
    if (tensor !== null && !(tensor instanceof Tensor)) argError('tensor', 'a Tensor or null', tensor);
    if (tensor instanceof Parameter) throw new TypeError(`registerBuffer: '${name}' is a Parameter; use registerParameter`);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this.bufferTable().set(name, persistent);
  }
  registerParameter(name: string, param: Parameter | null): void {
    if (typeof name !== 'string' || !name || name.includes('.')) argError('name', 'a non-empty name without dots', name);
    if (param !== null && !(param instanceof Parameter)) argError('param', 'a Parameter or null', param);
    (this as unknown as Record<string, unknown>)[name] = param;
  }
  registerModule(name: string, module: Module | null): void {
    if (typeof name !== 'string' || !name || name.includes('.')) argError('name', 'a non-empty name without dots', name);
    if (module !== null && !(module instanceof Module)) argError('module', 'a Module or null', module);
    (this as unknown as Record<string, unknown>)[name] = module;
  }
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  // ------------------------------------------------------------ traversal
  /** Direct submodules with their field names. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => e[1] instanceof Module);
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }
  /** This module and every submodule, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, name: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m.namedChildren()) visit(c, name ? `${name}.${n}` : n);
    };
    visit(this, prefix);
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }
  private ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }
  private ownBuffers(): [string, Tensor, boolean][] {
    const table = this.bufferTable();
    return [...table.entries()]
      .map(([n, persistent]) => [n, (this as unknown as Record<string, unknown>)[n], persistent] as [string, unknown, boolean])
      .filter((e): e is [string, Tensor, boolean] => e[1] instanceof Tensor);
  }
  /** Parameters with PyTorch's dotted names ('conv1.weight'), each once. */
  namedParameters({ prefix = '', recurse = true }: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mname, m] of modules) {
      for (const [n, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mname ? `${mname}.${n}` : n, p]);
      }
    }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }
  /** Parameters that will be trained (requiresGrad), e.g. for an optimizer after freeze(). */
  trainableParameters(): Parameter[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }
  namedBuffers({ prefix = '', recurse = true }: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const modules: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    return modules.flatMap(([mname, m]) => m.ownBuffers().map(([n, t]) => [mname ? `${mname}.${n}` : n, t] as [string, Tensor]));
  }
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }
  /** Calls fn on every submodule, then on this one (as PyTorch's apply). */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') argError('fn', 'a function', fn);
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ------------------------------------------------------------ modes
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

  // ------------------------------------------------------------ freezing
  /**
   * Stops training the whole module, or the parameters whose dotted names match
   * `patterns` ('conv1', 'layer1.*', '*.bias'): they get no gradient and
   * optimizers skip them. Batch-norm layers inside the frozen part also keep
   * their running statistics (they normalise with them, even in train mode)
   * unless `{ freezeBatchNorm: false }`.
   */
  freeze(patterns?: string | string[], { freezeBatchNorm = true }: { freezeBatchNorm?: boolean } = {}): this {
    freezeByPatterns(this.namedParameters(), patterns, false);
    if (freezeBatchNorm) this.setStatsFrozen(checkPatterns(patterns), true);
    return this;
  }
  /** Undoes freeze() for the whole module or the matching parameters (and their batch-norm statistics). */
  unfreeze(patterns?: string | string[]): this {
    freezeByPatterns(this.namedParameters(), patterns, true);
    this.setStatsFrozen(checkPatterns(patterns), false);
    return this;
  }
  private setStatsFrozen(patterns: string[] | undefined, frozen: boolean): void {
    for (const [name, m] of this.namedModules()) {
      const s = m as unknown as { statsFrozen?: boolean };
      if (!('statsFrozen' in m)) continue;
      if (!patterns || patterns.some((p) => nameMatches(name, p) || nameMatches(`${name}.weight`, p))) s.statsFrozen = frozen;
    }
  }

  // ------------------------------------------------------------ state
  /** Parameters and persistent buffers, name → tensor (detached), in PyTorch's order and with its keys. */
  stateDict({ prefix = '', keepVars = false }: { prefix?: string; keepVars?: boolean } = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [mname, m] of this.namedModules(prefix)) {
      const key = (n: string) => (mname ? `${mname}.${n}` : n);
      for (const [n, p] of m.ownParameters()) out[key(n)] = keepVars ? p : p.detach();
      for (const [n, b, persistent] of m.ownBuffers()) if (persistent) out[key(n)] = keepVars ? b : b.detach();
    }
    return out;
  }
  /**
   * Copies tensors from a state dict into this module's parameters and buffers.
   * With `strict` (the default), missing or unexpected keys are an error, as in
   * PyTorch; otherwise they are returned. Shapes must match.
   */
  loadStateDict(stateDict: Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    if (!stateDict || typeof stateDict !== 'object') argError('stateDict', 'an object of name → Tensor', stateDict);
    checkBool('strict', strict);
    // Lazy layers not yet called take their shapes from the checkpoint (as PyTorch's lazy load hook).
    for (const [name, m] of this.namedModules()) {
      (m as { materializeFromStateDict?: (sd: Record<string, Tensor>, prefix: string) => void }).materializeFromStateDict?.(stateDict, name ? `${name}.` : '');
    }
    return copyStateDict(this.stateDict({ keepVars: true }), stateDict, strict, this.constructor.name);
  }

  /**
   * Moves or casts every parameter and buffer (floating-point ones only, for a
   * dtype). Parameters keep their identity, as in PyTorch (`param.data = …`):
   * an optimizer made before `.to()` goes on updating the same Parameters, and
   * their gradients move with them. Buffers are replaced by the moved tensors.
   */
  /**
   * Moves or converts every parameter and buffer: `to('cuda')`, `to('float64')` (floating tensors only), or
   * `to({ device, dtype, memoryFormat })` as PyTorch's `module.to(device, dtype, memory_format=…)`:
   * `memoryFormat: 'channels_last'` applies to the 4-D tensors (convolution weights), which makes
   * convolutions on CPU run in oneDNN's preferred layout (faster; the numbers may differ in the last bits).
   */
  to(target: Device | DType | { device?: Device; dtype?: DType; memoryFormat?: 'channels_last' | 'contiguous_format' | 'preserve_format' }): this {
    const options = typeof target === 'object' && target !== null ? target : null;
    if (options) {
      for (const k of Object.keys(options)) if (!['device', 'dtype', 'memoryFormat'].includes(k)) throw new TypeError(`Module.to: unknown option '${k}' (options: device, dtype, memoryFormat)`);
    }
    noGrad(() => {
      for (const m of this.modules()) {
        const fields = m as unknown as Record<string, Tensor>;
        for (const [name, v] of Object.entries(m)) {
          if (!(v instanceof Tensor)) continue;
          let moved: Tensor;
          if (options) {
            const { device, dtype, memoryFormat } = options;
            const o: { device?: Device; dtype?: DType; memoryFormat?: string } = {};
            if (device !== undefined) o.device = device;
            if (dtype !== undefined && isFloatingDtype(v.dtype)) o.dtype = dtype;
            if (memoryFormat !== undefined && v.dim() === 4) o.memoryFormat = memoryFormat;
            if (!Object.keys(o).length) continue;
            moved = v.to(o);
          } else {
            if (isDtype(target) && !isFloatingDtype(v.dtype)) continue;
            moved = v.to(target as Device | DType);
          }
          if (native.tensorIsSame(moved.handle, v.handle)) continue;
          if (v instanceof Parameter) {
            v.data = moved;
            const grad = v.grad;
            if (grad) grad.data = grad.to({ device: moved.device, dtype: moved.dtype });
          } else {
            fields[name] = moved;
          }
        }
      }
    });
    return this;
  }
  /** Counts of parameters: total, trainable (requiresGrad) and frozen. */
  numParameters(): { total: number; trainable: number; frozen: number } {
    let total = 0;
    let trainable = 0;
    for (const p of this.parameters()) {
      total += p.numel();
      if (p.requiresGrad) trainable += p.numel();
    }
    return { total, trainable, frozen: total - trainable };
  }

  /**
   * A table of the layers, their output shapes for an input of `inputSize`
   * (batch dimension included, e.g. [1, 1, 28, 28]) and parameter counts, then
   * total / trainable / frozen counts. The model runs once, without gradients.
   */
  summary(inputSize: number[], { dtype = 'float32' as DType, device = 'cpu' as Device } = {}): string {
    const rows: [string, string, string, number][] = [];
    const restore: (() => void)[] = [];
    for (const [name, m] of this.namedModules()) {
      if (m === this) continue;
      const original = m.forward;
      const patched = (...args: never[]) => {
        const out = original.apply(m, args);
        const shape = out instanceof Tensor ? `[${out.shape.join(', ')}]` : Array.isArray(out) ? out.map((o) => (o instanceof Tensor ? `[${o.shape}]` : '?')).join(' ') : '-';
        rows.push([name, m.constructor.name, shape, m.parameters(false).reduce((a, p) => a + p.numel(), 0)]);
        return out;
      };
      Object.defineProperty(m, 'forward', { value: patched, configurable: true, writable: true, enumerable: false });
      restore.push(() => delete (m as unknown as { forward?: unknown }).forward);
    }
    const wasTraining = this.training;
    try {
      this.eval();
      noGrad(() => (this.forward as unknown as (x: Tensor) => unknown)(callT('aten::zeros', inputSize, dtype, undefined, device)));
    } finally {
      restore.forEach((r) => r());
      this.train(wasTraining);
    }
    const { total, trainable, frozen } = this.numParameters();
    const header: [string, string, string, string] = ['Layer', 'Type', 'Output shape', 'Params'];
    const table = [header, ...rows.map(([n, t, s, p]) => [n, t, s, p.toLocaleString('en-US')])];
    const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
    const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    return [
      `${this.constructor.name} summary (input [${inputSize.join(', ')}])`,
      rule,
      fmt(table[0]),
      rule,
      ...table.slice(1).map(fmt),
      rule,
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Frozen params: ${frozen.toLocaleString('en-US')}`,
    ].join('\n');
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
  /** console.log / util.inspect print the module as toString() does (PyTorch's repr). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * A built-in layer. Its forward is written once, as operator calls on an
 * Emitter (`emit`): called directly it runs them at once; inside a container
 * (Sequential) it is recorded into a program that runs natively in one call.
 * A subclass that overrides `forward` runs that forward in TypeScript.
 */
export abstract class Layer extends Module<[Tensor], Tensor> {
  /** Emits this layer's forward of `x`; null when it cannot be recorded (it then runs in TypeScript). */
  abstract emit(b: Emitter, x: Val): Val | null;
  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) argError(`${this.constructor.name}: input`, 'a Tensor (make one with torch.tensor())', input);
    eager.where = this.constructor.name;
    return this.emit(eager, input) as Tensor;
  }
}

/**
 * Records `m`'s forward of `x` into `b` when it is made of built-in layers and
 * containers whose forward is not overridden; otherwise returns null and
 * leaves `b` as it was.
 */
export function emitModule(m: Module, b: Recorder, x: Val, name: string): Val | null {
  const mark = b.mark();
  let out: Val | null = null;
  if (m[HOOKS] !== undefined) return null; // hooks run from TypeScript, around the module's call
  if (m instanceof Layer && m.forward === Layer.prototype.forward) {
    b.where = `${name} (${m.constructor.name})`;
    out = m.emit(b, x);
  } else if (m instanceof Sequential && m.forward === Sequential.prototype.forward) {
    out = x;
    for (const [n, c] of m.namedChildren()) if (out) out = emitModule(c, b, out, name ? `${name}.${n}` : n);
  }
  if (!out) b.rollback(mark);
  return out;
}

const PROGRAMS = Symbol('programs'); // compiled segments of a Sequential (not a field)

/** Modules applied in order: `new Sequential(a, b, c)` (children '0', '1', …) or `new Sequential({ conv: a, relu: b })`. */
export class Sequential extends Module<[Tensor], Tensor> {
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    const named: [string, unknown][] =
      modules.length === 1 && first && typeof first === 'object' && !(first instanceof Module)
        ? Object.entries(first as Record<string, Module>)
        : (modules as unknown[]).map((m, i) => [String(i), m]);
    for (const [name, m] of named) {
      if (!(m instanceof Module)) argError(`modules.${name}`, 'a Module', m);
      this.registerModule(name, m as Module);
    }
  }
  get length(): number {
    return this.namedChildren().length;
  }
  at(i: number): Module {
    return this.children()[i < 0 ? i + this.length : i];
  }
  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }
  /**
   * Runs the children in order. Consecutive children made of built-in layers
   * run natively, as one compiled program per run of them (recompiled only
   * when weights are replaced or the mode changes); a child whose forward is
   * TypeScript is called from TypeScript.
   */
  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) argError(`${this.constructor.name}: input`, 'a Tensor (make one with torch.tensor())', input);
    // Traced (Model.fit): every layer op by op, so that the trace sees each operator.
    if (tracing()) return this.children().reduce((x: Tensor, m) => m(x) as Tensor, input);
    const self = this as unknown as { [PROGRAMS]?: CachedProgram[] };
    if (!self[PROGRAMS]) Object.defineProperty(this, PROGRAMS, { value: [], enumerable: false });
    const programs = self[PROGRAMS]!;
    const children = this.namedChildren();
    let x = input;
    let segment = 0;
    for (let i = 0; i < children.length; ) {
      const rec = new Recorder();
      let v: Val | null = rec.input();
      let j = i;
      for (; j < children.length; j++) {
        const out = emitModule(children[j][1], rec, v, children[j][0]);
        if (!out) break;
        v = out;
      }
      if (j > i) {
        programs[segment] ??= new CachedProgram();
        x = runProgram(programs[segment++].compile(rec.finish([v!])), [x])[0];
        i = j;
      } else {
        x = children[i++][1](x);
      }
    }
    return x;
  }
}

/** A list of submodules, registered as '0', '1', …; iterate it in forward(). */
export class ModuleList extends Module implements Iterable<Module> {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  get length(): number {
    return this.namedChildren().length;
  }
  at(i: number): Module {
    return this.children()[i < 0 ? i + this.length : i];
  }
  append(m: Module): this {
    if (!(m instanceof Module)) argError('module', 'a Module', m);
    this.registerModule(String(this.length), m);
    return this;
  }
  extend(ms: Module[]): this {
    ms.forEach((m) => this.append(m));
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
  forward(): never {
    throw new Error('ModuleList has no forward(); iterate it in your module');
  }
}

/** Named submodules, like a record. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  get(key: string): Module | undefined {
    const v = (this as unknown as Record<string, unknown>)[key];
    return v instanceof Module ? v : undefined;
  }
  set(key: string, m: Module): void {
    if (key === 'training') throw new RangeError("'training' cannot be a module name");
    this.registerModule(key, m);
  }
  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }
  values(): Module[] {
    return this.children();
  }
  entries(): [string, Module][] {
    return this.namedChildren();
  }
  get size(): number {
    return this.keys().length;
  }
  forward(): never {
    throw new Error('ModuleDict has no forward(); use its modules in your module');
  }
}
