// torch.cuda: what the loaded LibTorch can see.
import { native } from './native';

/** True when a CUDA LibTorch loaded and at least one GPU is usable. */
export function isAvailable(): boolean {
  return native.cudaIsAvailable();
}

export function deviceCount(): number {
  return native.cudaDeviceCount();
}
