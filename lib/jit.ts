// torch.jit: TorchScript modules scripted or traced in Python, run by LibTorch.
import * as fs from 'fs';
import { argError } from './errors';
import { checkDevice, Device } from './dtype';
import { native, NativeValue, ScriptModuleHandle } from './native';
import { fromNative, OpArg, toNative } from './ops';
import { detectFormat, writeFileAtomic } from './serialization';
import { Tensor } from './tensor';
import { freezeByPatterns } from './nn/freeze';

/**
 * A TorchScript module: `forward`, its parameters (the module's own tensors:
 * an optimizer updates them in place), freezing by name, train/eval, and
 * `save()` to a file Python's torch.jit.load reads.
 */
export class ScriptModule {
  /** @internal */
  constructor(readonly handle: ScriptModuleHandle) {}

  forward(...inputs: unknown[]): unknown {
    return fromNative(this.handle.forward(inputs.map((x) => toNative(x as OpArg))) as NativeValue);
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
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()].map(([n, t]) => [n, t.detach()]));
  }
  get training(): boolean {
    return this.handle.training;
  }
  /** The methods the module has (forward, and any exported ones). */
  get methods(): string[] {
    return this.handle.methods;
  }
  train(mode = true): this {
    this.handle.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  to(device: Device): this {
    this.handle.to(checkDevice('device', device));
    return this;
  }
  /** Stops gradients for all parameters, or those whose names match the patterns ('conv1', 'layer1.*'). */
  freeze(patterns?: string | string[]): this {
    freezeByPatterns(this.namedParameters(), patterns, false);
    return this;
  }
  unfreeze(patterns?: string | string[]): this {
    freezeByPatterns(this.namedParameters(), patterns, true);
    return this;
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
export function load(file: string, { mapLocation }: { mapLocation?: Device } = {}): ScriptModule {
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
  const m = new ScriptModule(handle);
  if (mapLocation && mapLocation !== 'cpu') m.to(mapLocation);
  return m;
}
