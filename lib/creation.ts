// Tensor factories: torch.tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, *Like.
import { argError, checkInt, checkNumber, checkShape } from './errors';
import { checkDevice, checkDtype, Device, DType, isFloatingDtype } from './dtype';
import { native } from './native';
import { callT, fromNative } from './ops';
import { NestedArray, Scalar, Tensor } from './tensor';
import { Generator } from './generator';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}
/** Options of the random factories: a torch.Generator to draw from instead of the global one. */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

function checkOptions(opts: unknown, random = false): RandomOptions {
  if (opts === undefined) return {};
  const names = random ? 'dtype, device, requiresGrad, generator' : 'dtype, device, requiresGrad';
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) argError('options', `an object { ${names} }`, opts);
  const o = opts as RandomOptions;
  const known = new Set(names.split(', '));
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TypeError(`unknown option '${k}' (expected ${names})`);
  return {
    dtype: o.dtype === undefined ? undefined : checkDtype('dtype', o.dtype),
    device: o.device === undefined ? undefined : checkDevice('device', o.device),
    requiresGrad: o.requiresGrad,
    generator: o.generator === undefined ? undefined : checkGenerator(o.generator),
  };
}

/** A torch.Generator, or a TypeError naming the option. */
export function checkGenerator(g: unknown, name = 'generator'): Generator {
  if (!(g instanceof Generator)) argError(name, 'a torch.Generator', g);
  return g as Generator;
}

/** Applies device and requiresGrad after creation on the CPU. */
function finish(t: Tensor, o: TensorOptions): Tensor {
  let out = t;
  if (o.device && o.device !== 'cpu') out = out.to(o.device);
  if (o.requiresGrad) out.requiresGrad_(true);
  return out;
}

const TYPED: [new (...a: never[]) => TypedArray, DType][] = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [BigInt64Array, 'int64'],
  [Int32Array, 'int32'],
  [Int16Array, 'int16'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
];

function typedDtype(a: ArrayBufferView): DType | undefined {
  for (const [ctor, dtype] of TYPED) if (a instanceof ctor) return dtype;
  return undefined;
}

/** Shape and flat values of a nested array; throws on ragged or non-numeric input. */
function flatten(data: unknown): { shape: number[]; values: (number | bigint | boolean)[] } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: (number | bigint | boolean)[] = [];
  const walk = (v: unknown, d: number, where: string) => {
    if (d === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') argError(`data${where}`, 'a number, bigint or boolean', v);
      values.push(v as number | bigint | boolean);
      return;
    }
    if (!Array.isArray(v)) argError(`data${where}`, `an array of length ${shape[d]}`, v);
    if ((v as unknown[]).length !== shape[d]) throw new TypeError(`data${where} has length ${(v as unknown[]).length}, expected ${shape[d]} (ragged nested arrays)`);
    (v as unknown[]).forEach((x, i) => walk(x, d + 1, `${where}[${i}]`));
  };
  walk(data, 0, '');
  return { shape, values };
}

/**
 * A tensor from a number, a (nested) array, a typed array or another tensor.
 * dtype is inferred as PyTorch does: booleans → bool, integers (numbers that
 * are integers int64 holds exactly, and bigints) → int64, otherwise float32;
 * typed arrays keep their element type. A value is never wrapped: `1e20`
 * gives a float tensor, and an integer outside a requested integer dtype throws.
 */
export function tensor(data: NestedArray<number> | NestedArray<bigint> | NestedArray<boolean> | ArrayBufferView | Tensor, options?: TensorOptions & { shape?: number[] }): Tensor {
  const o = checkOptions(options && stripShape(options));
  let t: Tensor;
  if (data instanceof Tensor) {
    t = data.detach().clone();
  } else if (ArrayBuffer.isView(data)) {
    const dtype = typedDtype(data);
    if (!dtype) argError('data', 'a Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array', data);
    const shape = options?.shape ? checkShape('shape', [options.shape]) : [(data as TypedArray).length];
    t = new Tensor(native.fromBuffer(data, shape, dtype as DType));
  } else {
    const { shape, values } = flatten(data);
    const [buf, natural] = packValues(values, o.dtype);
    t = new Tensor(native.fromBuffer(buf, shape, natural));
  }
  if (o.dtype && o.dtype !== t.dtype) t = t.to(o.dtype);
  return finish(t, o);
}

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63; // exclusive
const INT_RANGE: Partial<Record<DType, [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int8: [-128n, 127n],
  uint8: [0n, 255n],
};

/** True when `v` is an integer that int64 holds exactly (2^53 and above included, when the number is one). */
export function isInt64Number(v: number): boolean {
  return Number.isInteger(v) && v >= INT64_MIN && v < INT64_LIMIT;
}

/**
 * The values of torch.tensor() in a typed array, with the dtype they give
 * (the numbers rules of docs/api.md): booleans → bool; bigints, and numbers that
 * are all integers int64 holds exactly → int64; otherwise float32 (float64 when
 * asked). An integer is never wrapped: one outside the range of the requested
 * integer dtype is refused, naming it.
 */
function packValues(values: (number | bigint | boolean)[], dtype: DType | undefined): [TypedArray, DType] {
  if (values.length && values.every((v) => typeof v === 'boolean')) return [Uint8Array.from(values, (v) => (v ? 1 : 0)), 'bool'];
  if (values.some((v) => typeof v === 'boolean')) return argError('data', 'all numbers or all booleans', values);
  const nums = values as (number | bigint)[];
  const floating = dtype !== undefined && isFloatingDtype(dtype);
  const integral = nums.length > 0 && nums.every((v) => typeof v === 'bigint' || isInt64Number(v));
  const range = dtype === undefined ? INT_RANGE.int64 : INT_RANGE[dtype];
  if (integral && !floating && range) {
    const out = new BigInt64Array(nums.length);
    for (let i = 0; i < nums.length; i++) {
      const b = BigInt(nums[i]);
      if (b < range[0] || b > range[1]) throw new RangeError(`torch.tensor: ${nums[i]} at index ${i} does not fit in ${dtype ?? 'int64'} (${range[0]} to ${range[1]}); values are never wrapped`);
      out[i] = b;
    }
    return [out, 'int64'];
  }
  if (dtype !== undefined && INT_RANGE[dtype] && !nums.every((v) => typeof v === 'bigint' || Number.isFinite(v))) {
    const bad = nums.find((v) => typeof v === 'number' && !Number.isFinite(v));
    throw new RangeError(`torch.tensor: ${bad} cannot be converted to ${dtype}`);
  }
  if (dtype !== undefined && INT_RANGE[dtype]) {
    const r = INT_RANGE[dtype]!;
    const bad = nums.findIndex((v) => typeof v === 'number' && (Math.trunc(v) < Number(r[0]) || Math.trunc(v) > Number(r[1])));
    if (bad >= 0) throw new RangeError(`torch.tensor: ${nums[bad]} at index ${bad} does not fit in ${dtype}; values are never wrapped`);
  }
  const natural: DType = dtype === 'float64' ? 'float64' : 'float32';
  const asNumber = (v: number | bigint) => (typeof v === 'bigint' ? Number(v) : v);
  return natural === 'float64' ? [Float64Array.from(nums, asNumber), natural] : [Float32Array.from(nums, asNumber), natural];
}

function stripShape(o: TensorOptions & { shape?: number[] }): TensorOptions {
  const { shape: _shape, ...rest } = o;
  void _shape;
  return rest;
}

/** Splits `(2, 3)`, `([2, 3])`, `(2, 3, { dtype })` into a shape and options. */
function sizeAndOptions(args: unknown[], random = false): { size: number[]; opts: RandomOptions } {
  let opts: unknown;
  let dims = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && last !== null && !Array.isArray(last)) {
    opts = last;
    dims = args.slice(0, -1);
  }
  return { size: checkShape('size', dims), opts: checkOptions(opts, random) };
}

type SizeArgs = (number | number[] | RandomOptions)[];

function factory(op: string, args: SizeArgs, defaultDtype: DType = 'float32', extra: (number | boolean)[] = []): Tensor {
  const { size, opts } = sizeAndOptions(args);
  return finish(callT(op, size, ...extra, opts.dtype ?? defaultDtype), opts);
}

/** A random factory: the '.generator' overload when a generator is given. */
function randomFactory(op: string, args: SizeArgs): Tensor {
  const { size, opts } = sizeAndOptions(args, true);
  if (opts.generator) return finish(callT(`${op}.generator`, size, opts.generator, opts.dtype ?? 'float32'), opts);
  return finish(callT(op, size, opts.dtype ?? 'float32'), opts);
}

export function zeros(...args: SizeArgs): Tensor {
  return factory('aten::zeros', args);
}
export function ones(...args: SizeArgs): Tensor {
  return factory('aten::ones', args);
}
export function empty(...args: SizeArgs): Tensor {
  return factory('aten::empty.memory_format', args);
}
/** Uniform on [0, 1). */
export function rand(...args: SizeArgs): Tensor {
  return randomFactory('aten::rand', args);
}
/** Standard normal. */
export function randn(...args: SizeArgs): Tensor {
  return randomFactory('aten::randn', args);
}

/** A tensor of `size` filled with `value`; dtype follows the value (int → int64, boolean → bool, else float32) unless given. */
export function full(size: number[], value: Scalar | bigint, options?: TensorOptions): Tensor {
  const o = checkOptions(options);
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') argError('fillValue', 'a number, bigint or boolean', value);
  const dtype = o.dtype ?? (typeof value === 'boolean' ? 'bool' : typeof value === 'bigint' || isInt64Number(value) ? 'int64' : 'float32');
  return finish(callT('aten::full', checkShape('size', [size]), value, dtype), o);
}

/** Random integers in [low, high): `randint(high, size)` or `randint(low, high, size)`. */
export function randint(lowOrHigh: number, highOrSize: number | number[], sizeOrOptions?: number[] | RandomOptions, options?: RandomOptions): Tensor {
  let low = 0;
  let high: number;
  let size: number[];
  let opts: RandomOptions | undefined;
  if (Array.isArray(highOrSize)) {
    high = lowOrHigh;
    size = highOrSize;
    opts = sizeOrOptions as RandomOptions | undefined;
  } else {
    low = lowOrHigh;
    high = highOrSize;
    size = sizeOrOptions as number[];
    opts = options;
  }
  checkInt('low', low);
  checkInt('high', high);
  if (high <= low) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  if (!Array.isArray(size)) argError('size', 'an array of integers', size);
  const o = checkOptions(opts, true);
  if (o.generator) return finish(callT('aten::randint.low_generator', low, high, checkShape('size', [size]), o.generator, o.dtype ?? 'int64'), o);
  return finish(callT('aten::randint.low', low, high, checkShape('size', [size]), o.dtype ?? 'int64'), o);
}

/** `arange(end)`, `arange(start, end)`, `arange(start, end, step)`, each with optional options last. */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  let opts: unknown;
  if (args.length && typeof args[args.length - 1] === 'object') opts = args.pop();
  const nums = (args as unknown[]).map((a, i) => checkNumber(`arange argument ${i}`, a));
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`arange takes 1 to 3 numbers, got ${nums.length}`);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  const o = checkOptions(opts);
  return finish(callT('aten::arange.start_step', start, end, step, o.dtype), o);
}

export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  const o = checkOptions(options);
  return finish(callT('aten::linspace', checkNumber('start', start), checkNumber('end', end), checkInt('steps', steps, { min: 0 }), o.dtype ?? 'float32'), o);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m?: number | TensorOptions, options?: TensorOptions): Tensor {
  if (typeof m === 'object') {
    options = m;
    m = undefined;
  }
  const o = checkOptions(options);
  return finish(callT('aten::eye.m', checkInt('n', n, { min: 0 }), checkInt('m', m ?? n, { min: 0 }), o.dtype ?? 'float32'), o);
}

function likeOp(op: string, t: Tensor, options?: TensorOptions, extra: Scalar[] = []): Tensor {
  if (!(t instanceof Tensor)) argError('input', 'a Tensor', t);
  const o = checkOptions(options);
  const r = callT(op, t, ...extra, o.dtype, undefined, o.device);
  if (o.requiresGrad) r.requiresGrad_(true);
  return r;
}
export function zerosLike(t: Tensor, options?: TensorOptions): Tensor {
  return likeOp('aten::zeros_like', t, options);
}
export function onesLike(t: Tensor, options?: TensorOptions): Tensor {
  return likeOp('aten::ones_like', t, options);
}
export function randLike(t: Tensor, options?: TensorOptions): Tensor {
  return likeOp('aten::rand_like', t, options);
}
export function randnLike(t: Tensor, options?: TensorOptions): Tensor {
  return likeOp('aten::randn_like', t, options);
}
export function fullLike(t: Tensor, value: Scalar, options?: TensorOptions): Tensor {
  return likeOp('aten::full_like', t, options, [value]);
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  const o = checkOptions(options, true);
  if (o.generator) return finish(callT('aten::randperm.generator', checkInt('n', n, { min: 0 }), o.generator, o.dtype ?? 'int64'), o);
  return finish(callT('aten::randperm', checkInt('n', n, { min: 0 }), o.dtype ?? 'int64'), o);
}

export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) argError('tensors', 'an array of Tensors', tensors);
  return callT('aten::cat', tensors, checkInt('dim', dim));
}
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) argError('tensors', 'an array of Tensors', tensors);
  return callT('aten::stack', tensors, checkInt('dim', dim));
}
export function where(condition: Tensor, input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return callT('aten::where.self', condition, input, other);
}

/** The default CPU generator's state as a uint8 tensor, as torch.get_rng_state(). */
export function getRngState(): Tensor {
  return fromNative(native.getRngState()) as Tensor;
}
/** Restores the default CPU generator's state from getRngState(), as torch.set_rng_state(). */
export function setRngState(state: Tensor): void {
  if (!(state instanceof Tensor)) argError('state', 'a uint8 Tensor from getRngState()', state);
  native.setRngState(state.handle);
}

/** Seeds every random number generator (CPU and CUDA), as torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) argError('seed', 'a non-negative integer', seed);
  native.manualSeed(seed);
}

