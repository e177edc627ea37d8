// torch.jit: TorchScript modules scripted or traced in Python, run by LibTorch.
import * as fs from 'fs';
import { argError, checkBool } from './errors';
import { checkDevice, Device } from './dtype';
import { native, NativeValue, ScriptModuleHandle } from './native';
import { fromNative, OpArg, toNative } from './ops';
import { detectFormat, writeFileAtomic } from './serialization';
import { Tensor } from './tensor';
import { checkPatterns, freezeByPatterns, nameMatches } from './nn/freeze';
import { copyStateDict, LoadStateDictResult } from './nn/module';

/** What freeze() needs from the native module to keep batch-norm statistics (a later binding provides it). */
interface SubmoduleTraining {
  /** Sets `training` on the submodule at a dotted path (and below it), as Module::train on that submodule. */
  setModuleTraining?(path: string, on: boolean): void;
}

const STATS_FROZEN = Symbol('statsFrozen'); // batch-norm submodules freeze() switched to eval (not a field)
let warnedStats = false;

/**
 * A TorchScript module: `forward` (or a call, `module(x)`), its parameters
 * (the module's own tensors: an optimizer updates them in place), state dicts,
 * freezing by name, train/eval, and `save()` to a file Python's torch.jit.load
 * reads. `In` and `Out` type the call (default: any arguments, a Tensor back);
 * `torch.jit.load<[Tensor, Tensor], Tensor[]>(file)` names other ones.
 */
export interface ScriptModule<In extends unknown[] = unknown[], Out = Tensor> {
  (...inputs: In): Out;
}
export class ScriptModule<In extends unknown[] = unknown[], Out = Tensor> {
  declare readonly handle: ScriptModuleHandle;
  declare [STATS_FROZEN]: Set<string>;

  /** @internal */
  constructor(handle: ScriptModuleHandle) {
    // A function (so that `module(x)` works) with this class's prototype, as nn.Module.
    const self = ((...inputs: unknown[]) => self.forward(...(inputs as In))) as unknown as ScriptModule<In, Out>;
    Object.setPrototypeOf(self, new.target.prototype);
    delete (self as { length?: unknown }).length;
    delete (self as { name?: unknown }).name;
    (self as { handle: ScriptModuleHandle }).handle = handle;
    Object.defineProperty(self, STATS_FROZEN, { value: new Set<string>(), enumerable: false });
    return self;
  }

  forward(...inputs: In): Out {
    return fromNative(this.handle.forward(inputs.map((x) => toNative(x as OpArg))) as NativeValue) as Out;
  }
  namedParameters(): [string, Tensor][] {
    return this.handle.namedParameters().map(([n, h]) => [n, new Tensor(h)]);
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  trainableParameters(): Tensor[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }
  namedBuffers(): [string, Tensor][] {
    return this.handle.namedBuffers().map(([n, h]) => [n, new Tensor(h)]);
  }
  stateDict({ keepVars = false }: { keepVars?: boolean } = {}): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()].map(([n, t]) => [n, keepVars ? t : t.detach()]));
  }
  /**
   * Copies a state dict into the module's own parameters and buffers (in
   * place, without gradients), with the checks and messages of
   * nn.Module.loadStateDict: shapes must match; with `strict` (the default)
   * missing or unexpected keys are an error, otherwise they are returned.
   */
  loadStateDict(stateDict: Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    checkBool('strict', strict);
    return copyStateDict(this.stateDict({ keepVars: true }), stateDict, strict, 'ScriptModule');
  }
  get training(): boolean {
    return this.handle.training;
  }
  /** The methods the module has (forward, and any exported ones). */
  get methods(): string[] {
    return this.handle.methods;
  }
  train(mode = true): this {
    checkBool('mode', mode);
    this.handle.train(mode);
    this.applyFrozenStats();
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  to(device: Device): this {
    this.handle.to(checkDevice('device', device));
    return this;
  }
  /**
   * Stops gradients for all parameters, or those whose names match the
   * patterns ('conv1', 'layer1.*'). As nn.Module.freeze(), batch-norm
   * submodules in the frozen part also keep their running statistics (they
   * are switched to eval mode, even when the module trains) unless
   * `{ freezeBatchNorm: false }`. That needs a binding that can set a
   * submodule's mode; without it the statistics go on updating in train mode
   * and a warning says so (see docs/api.md).
   */
  freeze(patterns?: string | string[], { freezeBatchNorm = true }: { freezeBatchNorm?: boolean } = {}): this {
    checkBool('freezeBatchNorm', freezeBatchNorm);
    freezeByPatterns(this.namedParameters(), patterns, false);
    if (freezeBatchNorm) this.setStatsFrozen(checkPatterns(patterns), true);
    return this;
  }
  /** Undoes freeze() for all parameters or the matching ones (and their batch-norm statistics). */
  unfreeze(patterns?: string | string[]): this {
    freezeByPatterns(this.namedParameters(), patterns, true);
    this.setStatsFrozen(checkPatterns(patterns), false);
    return this;
  }
  /** The batch-norm submodules (those with running_mean and running_var buffers), by dotted name. */
  private batchNormNames(): string[] {
    const buffers = new Set(this.handle.namedBuffers().map(([n]) => n));
    return [...buffers]
      .filter((n) => n === 'running_mean' || n.endsWith('.running_mean'))
      .map((n) => n.slice(0, -'running_mean'.length).replace(/\.$/, ''))
      .filter((m) => buffers.has(m ? `${m}.running_var` : 'running_var'));
  }
  private setStatsFrozen(patterns: string[] | undefined, frozen: boolean): void {
    const set = this[STATS_FROZEN];
    for (const name of this.batchNormNames()) {
      if (patterns && !patterns.some((p) => nameMatches(name, p) || nameMatches(`${name}.weight`, p))) continue;
      if (frozen) set.add(name);
      else if (set.delete(name)) (this.handle as SubmoduleTraining).setModuleTraining?.(name, this.training);
    }
    this.applyFrozenStats();
  }
  private applyFrozenStats(): void {
    const set = this[STATS_FROZEN];
    if (!set.size) return;
    const h = this.handle as SubmoduleTraining;
    if (typeof h.setModuleTraining === 'function') {
      for (const name of set) h.setModuleTraining(name, false);
    } else if (this.training && !warnedStats) {
      warnedStats = true;
      process.emitWarning(
        `ScriptModule.freeze: the batch-norm statistics of ${[...set].join(', ')} go on updating in train mode ` +
          '(this native binding cannot switch a TorchScript submodule to eval); pass { freezeBatchNorm: false } to accept that, or call eval()',
        'NodetorchWarning',
      );
    }
  }
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }
  /** Releases the module's native memory now (its parameters stay alive while other tensors hold them). */
  dispose(): void {
    this.handle.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get disposed(): boolean {
    return this.handle.disposed;
  }
  /** Writes the module (with its current weights) atomically; Python's torch.jit.load reads it. */
  save(file: string): void {
    if (typeof file !== 'string') argError('path', 'a file path', file);
    writeFileAtomic(file, this.handle.save());
  }
}

/** Loads a TorchScript file (torch.jit.save / torch.jit.script(...).save in Python). */
export function load<In extends unknown[] = unknown[], Out = Tensor>(file: string, { mapLocation }: { mapLocation?: Device } = {}): ScriptModule<In, Out> {
  if (typeof file !== 'string') argError('path', 'a file path', file);
  const bytes = fs.readFileSync(file);
  const kind = detectFormat(bytes);
  if (kind !== 'torchscript') {
    throw new Error(
      kind === 'pytorch-zip' || kind === 'safetensors'
        ? `${file} holds tensors or a state dict, not a TorchScript module; load it with torch.load()`
        : `${file} is not a TorchScript file (first bytes: ${bytes.subarray(0, 8).toString('hex')})`,
    );
  }
  let handle: ScriptModuleHandle;
  try {
    handle = native.jitLoad(bytes);
  } catch (e) {
    (e as Error).message = `${file}: ${(e as Error).message}`;
    throw e;
  }
  const m = new ScriptModule<In, Out>(handle);
  if (mapLocation && mapLocation !== 'cpu') m.to(mapLocation);
  return m;
}
