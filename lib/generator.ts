// torch.Generator: an independent random stream for the random operators,
// samplers, randomSplit and data augmentation.
import { native, GeneratorHandle } from './native';
import { argError } from './errors';
import { fromNative } from './ops';
import type { Tensor } from './tensor';

export class Generator {
  readonly handle: GeneratorHandle;
  /** Generators live on the CPU; a loader on CUDA draws its random numbers here and moves them. */
  readonly device = 'cpu';
  constructor({ device = 'cpu' }: { device?: string } = {}) {
    if (device !== 'cpu') throw new RangeError(`Generator: only 'cpu' generators are supported, got ${JSON.stringify(device)}`);
    this.handle = new native.GeneratorHandle();
  }
  /** Seeds the stream (as torch.Generator().manual_seed). */
  manualSeed(seed: number | bigint): this {
    if (typeof seed === 'number' ? !Number.isSafeInteger(seed) : typeof seed !== 'bigint') argError('seed', 'an integer or bigint', seed);
    this.handle.manualSeed(seed);
    return this;
  }
  /** Reseeds from a non-deterministic source; returns the new seed. */
  seed(): bigint {
    return this.handle.seed();
  }
  initialSeed(): bigint {
    return this.handle.initialSeed();
  }
  /** The stream's state as a uint8 tensor (restore with setState). */
  getState(): Tensor {
    return fromNative(this.handle.getState()) as Tensor;
  }
  setState(state: Tensor): this {
    this.handle.setState((state as unknown as { handle: never }).handle);
    return this;
  }
}
