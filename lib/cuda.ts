// torch.cuda: what the loaded LibTorch can see.
import { native } from './native';

/** True when a CUDA LibTorch loaded and at least one GPU is usable. */
export function isAvailable(): boolean {
  return native.cudaIsAvailable();
}

export function deviceCount(): number {
  return native.cudaDeviceCount();
}

/** Returns the CUDA caching allocator's unused blocks to the driver (as torch.cuda.empty_cache()); a no-op without CUDA. */
export function emptyCache(): void {
  native.cudaEmptyCache();
}
