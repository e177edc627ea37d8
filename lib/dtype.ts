import { argError } from './errors';
import { native } from './native';

export const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** PyTorch's other spellings of the same dtypes. */
const ALIASES: Record<string, DType> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  long: 'int64',
  int: 'int32',
  short: 'int16',
};

export function isDtype(v: unknown): v is DType | keyof typeof ALIASES {
  return typeof v === 'string' && ((DTYPES as readonly string[]).includes(v) || v in ALIASES);
}

export function checkDtype(name: string, v: unknown): DType {
  if (typeof v === 'string') {
    if ((DTYPES as readonly string[]).includes(v)) return v as DType;
    if (v in ALIASES) return ALIASES[v];
  }
  return argError(name, `a dtype (${DTYPES.join(', ')})`, v);
}

/** Bytes per element of each dtype. */
export const ITEM_SIZE: Record<DType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

export const isFloatingDtype = (d: string): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';

/** A device: 'cpu', 'cuda' or 'cuda:N'. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

export function isDeviceString(v: unknown): v is Device {
  return typeof v === 'string' && /^(cpu|cuda)(:\d+)?$/.test(v);
}

export function checkDevice(name: string, v: unknown): Device {
  if (!isDeviceString(v)) argError(name, "a device ('cpu', 'cuda' or 'cuda:N')", v);
  const d = v as Device;
  if (d.startsWith('cuda')) {
    const count = native.cudaDeviceCount();
    if (count === 0) {
      const cfg = native.config();
      throw new Error(
        `${name}: '${d}' was asked for, but CUDA is not available` +
          (cfg.cudaLibraryLoaded ? ' (no GPU or no driver)' : ` (${cfg.cudaLoadError ?? 'no CUDA LibTorch'})`) +
          "; use 'cpu', or see torch.config()",
      );
    }
    const index = d.includes(':') ? Number(d.split(':')[1]) : 0;
    if (index >= count) throw new RangeError(`${name}: '${d}' does not exist; there are ${count} CUDA device(s)`);
  }
  return d;
}
