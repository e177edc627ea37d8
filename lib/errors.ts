import { native } from './native';

/**
 * An error raised by LibTorch. `kind` is PyTorch's exception type
 * (`RuntimeError`, `IndexError`, `ValueError`, `TypeError`,
 * `NotImplementedError`, `OutOfMemoryError`).
 */
export class TorchError extends Error {
  readonly kind: string;
  constructor(message: string, kind = 'RuntimeError') {
    super(message);
    this.name = 'TorchError';
    this.kind = kind;
  }
}

native.setErrorClass(TorchError);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'function') {
    // A callable instance (an nn.Module) is named by its class.
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    return proto && proto !== Function.prototype && proto.constructor?.name ? `a ${proto.constructor.name}` : 'a function';
  }
  const ctor = (v as object).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}

/** Throws a TypeError naming the argument, what was expected and what was received. */
export function argError(name: string, expected: string, got: unknown): never {
  throw new TypeError(`${name} must be ${expected}, got ${describe(got)}`);
}

/** An integer argument (a dim, a size, an index): a number, or a bigint (converted when it is a number exactly). */
export function checkInt(name: string, v: unknown, { min }: { min?: number } = {}): number {
  const n = exactIntOf(name, v);
  if (min !== undefined && n < min) throw new RangeError(`${name} must be >= ${min}, got ${v}`);
  return n;
}

function exactIntOf(name: string, v: unknown): number {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${name} must be within ±(2^53 - 1), got ${v}n`);
    return Number(v);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) argError(name, 'an integer', v);
  return v as number;
}

export function checkNumber(name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) argError(name, 'a number', v);
  return v as number;
}

export function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') argError(name, 'a boolean', v);
  return v as boolean;
}

/** A shape: integers >= 0 (or -1 where `allowInfer`), as an array or as separate numbers. */
export function checkShape(name: string, dims: unknown[], { allowInfer = false } = {}): number[] {
  const list = dims.length === 1 && Array.isArray(dims[0]) ? (dims[0] as unknown[]) : dims;
  // The common case without building a name per element (this runs on every view and reshape).
  const min = allowInfer ? -1 : 0;
  let plain = true;
  for (let i = 0; i < list.length && plain; i++) {
    const d = list[i];
    plain = typeof d === 'number' && Number.isInteger(d) && d >= min;
  }
  if (plain) return list as number[];
  return list.map((d, i) => {
    const n = exactIntOf(`${name}[${i}]`, d);
    if (n < (allowInfer ? -1 : 0)) throw new RangeError(`${name}[${i}] must be >= ${allowInfer ? -1 : 0}, got ${d}`);
    return n;
  });
}
