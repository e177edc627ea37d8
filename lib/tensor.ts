import { argError, checkBool, checkInt, checkNumber, checkShape } from './errors';
import { checkDevice, checkDtype, Device, DType, isDtype, ITEM_SIZE } from './dtype';
import { native, TensorHandle } from './native';
import { callOp, callT, GeneratorLike, isHandle, noteRead, registerTensorClass, tensorOp } from './ops';
import { formatTensor } from './format';
import { checkKeys } from './signature';
import { getItem, IndexItem, setItem } from './indexing';
import { runBackward } from './nn/hooks';

export type Scalar = number | boolean;
/** Something a binary op accepts on its right: a tensor, a number, a bigint (an exact int64) or a boolean. */
export type TensorOrScalar = Tensor | Scalar | bigint;
export type NestedArray<T> = T | NestedArray<T>[];

export interface ReduceOptions {
  keepdim?: boolean;
  dtype?: DType;
}
/** `(values, indices)` of max/min along a dim: destructure it (`const [v, i] = x.max(1)`) or read `.values` / `.indices`. */
export class ValuesIndices {
  readonly 0: Tensor;
  readonly 1: Tensor;
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {
    this[0] = values;
    this[1] = indices;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

function checkOperand(name: string, v: unknown): TensorOrScalar {
  if (v instanceof Tensor || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  return argError(name, 'a Tensor or a number', v);
}

/** Accepts `(a, b, c)` or `([a, b, c])`. */
function dimsOf(name: string, dims: (number | number[])[], allowInfer = false): number[] {
  return checkShape(name, dims as unknown[], { allowInfer });
}

/** An int64 as a number, or a RangeError when it is not one exactly. */
function exactNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`tolist(): ${v} is beyond Number.MAX_SAFE_INTEGER and cannot be a number exactly; use tolist({ bigint: true })`);
  return Number(v);
}

function valuesIndices(r: Tensor[]): ValuesIndices {
  return new ValuesIndices(r[0], r[1]);
}

/**
 * A multi-dimensional array on a device, with autograd: the counterpart of
 * `torch.Tensor`. Memory is native and freed when the object is collected, or
 * at once with `dispose()` / `using`.
 */
// The hottest operators, looked up once (lib/ops.ts tensorOp).
const ADD = tensorOp('aten::add.Tensor');
const MUL = tensorOp('aten::mul.Tensor');
const MATMUL = tensorOp('aten::matmul');
const RELU = tensorOp('aten::relu');
const VIEW = tensorOp('aten::view');

export class Tensor {
  /** @internal the native handle */
  readonly handle: TensorHandle;
  #grad: Tensor | undefined;

  /** @internal use torch.tensor() and the other factories */
  constructor(handle: TensorHandle) {
    if (!isHandle(handle)) argError('handle', 'a native tensor handle (use torch.tensor())', handle);
    this.handle = handle;
  }

  // ------------------------------------------------------------ attributes
  get shape(): number[] {
    return native.tensorShape(this.handle);
  }
  get dtype(): DType {
    return native.tensorDtype(this.handle) as DType;
  }
  get device(): Device {
    return native.tensorDevice(this.handle) as Device;
  }
  get isCuda(): boolean {
    return this.device.startsWith('cuda');
  }
  get requiresGrad(): boolean {
    return native.tensorRequiresGrad(this.handle);
  }
  set requiresGrad(v: boolean) {
    native.tensorSetRequiresGrad(this.handle, checkBool('requiresGrad', v));
  }
  /** The gradient accumulated by backward(), or null. Reads of an unchanged gradient return the same Tensor. */
  get grad(): Tensor | null {
    const cached = this.#grad;
    const g = cached ? native.tensorGrad(this.handle, cached.handle) : native.tensorGrad(this.handle);
    if (!g) return null;
    if (cached?.handle !== g) this.#grad = new Tensor(g);
    return this.#grad!;
  }
  set grad(g: Tensor | null) {
    if (g !== null && !(g instanceof Tensor)) argError('grad', 'a Tensor or null', g);
    native.tensorSetGrad(this.handle, g ? g.handle : null);
  }
  get isLeaf(): boolean {
    return native.tensorIsLeaf(this.handle);
  }
  /** The name of the autograd function that made this tensor (e.g. 'AddBackward0'), or null. */
  get gradFn(): string | null {
    return native.tensorGradFn(this.handle);
  }
  get disposed(): boolean {
    return native.tensorDisposed(this.handle);
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.dim();
  }
  numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** The size of dimension `d` (negative counts from the end), or the whole shape. */
  size(): number[];
  size(d: number): number;
  size(d?: number): number | number[] {
    const shape = this.shape;
    if (d === undefined) return shape;
    checkInt('dim', d);
    const i = d < 0 ? d + shape.length : d;
    if (i < 0 || i >= shape.length) throw new RangeError(`dim ${d} is out of range for a tensor of ${shape.length} dimensions`);
    return shape[i];
  }
  stride(): number[] {
    return native.tensorStrides(this.handle);
  }
  elementSize(): number {
    return ITEM_SIZE[this.dtype];
  }

  // ------------------------------------------------------------ conversion
  /**
   * `to('cuda')`, `to('float64')`, `to(other)` (its device and dtype) or
   * `to({ device, dtype, nonBlocking, copy, memoryFormat })`. Returns this
   * tensor itself when nothing changes, as PyTorch does.
   */
  to(target: Device | DType | Tensor | { device?: Device; dtype?: DType; nonBlocking?: boolean; copy?: boolean; memoryFormat?: string }): Tensor {
    let device: Device | undefined;
    let dtype: DType | undefined;
    let nonBlocking = false;
    let copy = false;
    let memoryFormat: string | undefined;
    if (target instanceof Tensor) {
      device = target.device;
      dtype = target.dtype;
    } else if (isDtype(target)) {
      dtype = checkDtype('dtype', target);
    } else if (typeof target === 'string') {
      device = checkDevice('device', target);
    } else if (target && typeof target === 'object') {
      if (target.device !== undefined) device = checkDevice('device', target.device);
      if (target.dtype !== undefined) dtype = checkDtype('dtype', target.dtype);
      nonBlocking = target.nonBlocking ?? false;
      copy = target.copy ?? false;
      memoryFormat = target.memoryFormat;
    } else {
      argError('to(target)', 'a device, a dtype, a Tensor or { device, dtype }', target);
    }
    return callT('aten::to.dtype_layout', this, dtype, undefined, device, undefined, nonBlocking, copy, memoryFormat);
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  cuda(device: number = 0): Tensor {
    return this.to(`cuda:${checkInt('device', device, { min: 0 })}` as Device);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  half(): Tensor {
    return this.to('float16');
  }
  bfloat16(): Tensor {
    return this.to('bfloat16');
  }
  long(): Tensor {
    return this.to('int64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }

  /**
   * The single value of a one-element tensor: a number (a boolean for bool).
   * An int64 value beyond `Number.MAX_SAFE_INTEGER` is not a number exactly, so
   * it throws a RangeError; `item({ bigint: true })` gives every integer as a bigint.
   */
  item(): number;
  item(options: { bigint: true }): bigint;
  item<T extends number | boolean>(): T;
  item(options?: { bigint?: boolean }): number | bigint | boolean {
    const bigint = options?.bigint ?? false;
    if (options !== undefined) checkBool('bigint', bigint);
    noteRead(this.handle);
    return native.tensorItem(this.handle, bigint);
  }
  /** A flat copy of the elements, in a typed array matching the dtype (int64: BigInt64Array; bool, uint8: Uint8Array; float16/bfloat16: Float32Array). */
  toTypedArray(): Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array {
    noteRead(this.handle);
    return native.tensorToTypedArray(this.handle);
  }
  /**
   * The elements as nested arrays (a number for a 0-d tensor), like PyTorch's
   * `tolist()`. int64 values beyond `Number.MAX_SAFE_INTEGER` throw a RangeError
   * (they are not numbers exactly); `tolist({ bigint: true })` gives int64 elements as bigints.
   */
  tolist(): NestedArray<number> | NestedArray<boolean>;
  tolist(options: { bigint: true }): NestedArray<number> | NestedArray<bigint> | NestedArray<boolean>;
  tolist(options?: { bigint?: boolean }): NestedArray<number> | NestedArray<bigint> | NestedArray<boolean> {
    const bigint = options?.bigint ?? false;
    if (options !== undefined) checkBool('bigint', bigint);
    const flat = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const values: (number | bigint | boolean)[] =
      this.dtype === 'int64'
        ? Array.from(flat as BigInt64Array, (v) => (bigint ? v : exactNumber(v)))
        : Array.from(flat as ArrayLike<number>, (v) => (isBool ? v !== 0 : v));
    const shape = this.shape;
    if (shape.length === 0) return values[0] as number;
    let pos = 0;
    const build = (d: number): NestedArray<number | bigint | boolean> => {
      const out: NestedArray<number | bigint | boolean>[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? values[pos++] : build(d + 1));
      return out;
    };
    return build(0) as NestedArray<number>;
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ------------------------------------------------------------ memory
  /** Releases this tensor's native memory now (views and the autograd graph may still hold it). */
  dispose(): void {
    native.tensorDispose(this.handle);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ------------------------------------------------------------ autograd
  /** Computes gradients of this tensor with respect to the graph leaves. */
  backward(gradient?: Tensor | null, { retainGraph, createGraph = false }: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) argError('gradient', 'a Tensor', gradient);
    runBackward(() => native.tensorBackward(this.handle, gradient ? gradient.handle : null, retainGraph, createGraph), retainGraph);
  }
  requiresGrad_(requiresGrad = true): this {
    this.requiresGrad = requiresGrad;
    return this;
  }
  retainGrad(): void {
    native.tensorRetainGrad(this.handle);
  }
  detach(): Tensor {
    return callT('aten::detach', this);
  }
  /**
   * This tensor's data without autograd history (a detached view). Assigning
   * swaps the data (storage, dtype, device) under this same tensor, as
   * `param.data = x` does in PyTorch: every holder (optimizers, modules) sees it.
   */
  get data(): Tensor {
    return this.detach();
  }
  set data(value: Tensor) {
    if (!(value instanceof Tensor)) argError('data', 'a Tensor', value);
    native.tensorSetData(this.handle, value.handle);
  }
  detach_(): this {
    callOp('aten::detach_', this);
    return this;
  }
  clone(): Tensor {
    return callT('aten::clone', this);
  }

  // ------------------------------------------------------------ shape and views
  view(...shape: (number | number[])[]): Tensor {
    return VIEW(this, dimsOf('shape', shape, true));
  }
  reshape(...shape: (number | number[])[]): Tensor {
    return callT('aten::reshape', this, dimsOf('shape', shape, true));
  }
  viewAs(other: Tensor): Tensor {
    return this.view(other.shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return callT('aten::flatten.using_ints', this, checkInt('startDim', startDim), checkInt('endDim', endDim));
  }
  permute(...dims: (number | number[])[]): Tensor {
    const list = (dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims) as unknown[];
    return callT('aten::permute', this, list.map((d, i) => checkInt(`dims[${i}]`, d)));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return callT('aten::transpose.int', this, checkInt('dim0', dim0), checkInt('dim1', dim1));
  }
  /** The transpose of a matrix (2-D or less). */
  t(): Tensor {
    return callT('aten::t', this);
  }
  get T(): Tensor {
    return this.dim() < 2 ? this : this.permute([...Array(this.dim()).keys()].reverse());
  }
  squeeze(dim?: number): Tensor {
    return dim === undefined ? callT('aten::squeeze', this) : callT('aten::squeeze.dim', this, checkInt('dim', dim));
  }
  unsqueeze(dim: number): Tensor {
    return callT('aten::unsqueeze', this, checkInt('dim', dim));
  }
  contiguous(): Tensor {
    return callT('aten::contiguous', this);
  }
  isContiguous(): boolean {
    return native.tensorIsContiguous(this.handle);
  }
  expand(...sizes: (number | number[])[]): Tensor {
    return callT('aten::expand', this, dimsOf('sizes', sizes, true));
  }
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return callT('aten::narrow', this, checkInt('dim', dim), checkInt('start', start), checkInt('length', length));
  }
  select(dim: number, index: number): Tensor {
    return callT('aten::select.int', this, checkInt('dim', dim), checkInt('index', index));
  }
  /**
   * Python's `x[...]`: `x.index(0, ':', null)` is `x[0, :, None]`. Items: integers,
   * slices (`torch.slice()` or `'1:5:2'`), `null`, `'...'`, booleans, integer or bool
   * tensors, nested integer arrays. Basic indexing gives a view, advanced a copy.
   * See docs/indexing.md.
   */
  index(...items: IndexItem[]): Tensor {
    return getItem(this, items);
  }
  /** Python's `x[indices] = value` (an array is the tuple of items, anything else one item); returns this tensor. See docs/indexing.md. */
  indexPut_(indices: IndexItem | IndexItem[], value: TensorOrScalar): this {
    setItem(this, indices, value);
    return this;
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return callT('aten::index_select', this, checkInt('dim', dim), index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return callT('aten::gather', this, checkInt('dim', dim), index);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return callOp('aten::chunk', this, checkInt('chunks', chunks, { min: 1 }), checkInt('dim', dim)) as Tensor[];
  }
  /** Splits into pieces of `size` (a number) or of the given sizes (an array) along `dim`. */
  split(sizeOrSections: number | number[], dim = 0): Tensor[] {
    if (Array.isArray(sizeOrSections)) return callOp('aten::split_with_sizes', this, checkShape('splitSizes', [sizeOrSections]), checkInt('dim', dim)) as Tensor[];
    return callOp('aten::split.Tensor', this, checkInt('splitSize', sizeOrSections, { min: 1 }), checkInt('dim', dim)) as Tensor[];
  }

  // ------------------------------------------------------------ arithmetic
  add(other: TensorOrScalar, { alpha = 1 }: { alpha?: number } = {}): Tensor {
    return ADD(this, checkOperand('other', other), alpha);
  }
  sub(other: TensorOrScalar, { alpha = 1 }: { alpha?: number } = {}): Tensor {
    return callT('aten::sub.Tensor', this, checkOperand('other', other), alpha);
  }
  mul(other: TensorOrScalar): Tensor {
    return MUL(this, checkOperand('other', other));
  }
  /** True division; `roundingMode` 'trunc' or 'floor' as in PyTorch. */
  div(other: TensorOrScalar, { roundingMode }: { roundingMode?: 'trunc' | 'floor' } = {}): Tensor {
    if (roundingMode === undefined) return callT('aten::div.Tensor', this, checkOperand('other', other));
    return callT('aten::div.Tensor_mode', this, checkOperand('other', other), roundingMode);
  }
  pow(exponent: TensorOrScalar): Tensor {
    if (exponent instanceof Tensor) return callT('aten::pow.Tensor_Tensor', this, exponent);
    return callT('aten::pow.Tensor_Scalar', this, checkOperand('exponent', exponent));
  }
  remainder(other: TensorOrScalar): Tensor {
    return callT('aten::remainder.Tensor', this, checkOperand('other', other));
  }
  neg(): Tensor {
    return callT('aten::neg', this);
  }
  abs(): Tensor {
    return callT('aten::abs', this);
  }
  exp(): Tensor {
    return callT('aten::exp', this);
  }
  log(): Tensor {
    return callT('aten::log', this);
  }
  sqrt(): Tensor {
    return callT('aten::sqrt', this);
  }
  rsqrt(): Tensor {
    return callT('aten::rsqrt', this);
  }
  sin(): Tensor {
    return callT('aten::sin', this);
  }
  cos(): Tensor {
    return callT('aten::cos', this);
  }
  tanh(): Tensor {
    return callT('aten::tanh', this);
  }
  sigmoid(): Tensor {
    return callT('aten::sigmoid', this);
  }
  relu(): Tensor {
    return RELU(this);
  }
  sign(): Tensor {
    return callT('aten::sign', this);
  }
  floor(): Tensor {
    return callT('aten::floor', this);
  }
  ceil(): Tensor {
    return callT('aten::ceil', this);
  }
  round(): Tensor {
    return callT('aten::round', this);
  }
  /** `clamp(min, max)` or `clamp({ min, max })`; either bound may be omitted. */
  clamp(min?: number | null | { min?: number; max?: number }, max?: number | null): Tensor {
    const [lo, hi] = clampBounds(min, max);
    return callT('aten::clamp', this, lo, hi);
  }
  // In-place forms: they modify this tensor and return it.
  add_(other: TensorOrScalar, { alpha = 1 }: { alpha?: number } = {}): this {
    callOp('aten::add_.Tensor', this, checkOperand('other', other), alpha);
    return this;
  }
  sub_(other: TensorOrScalar, { alpha = 1 }: { alpha?: number } = {}): this {
    callOp('aten::sub_.Tensor', this, checkOperand('other', other), alpha);
    return this;
  }
  mul_(other: TensorOrScalar): this {
    callOp('aten::mul_.Tensor', this, checkOperand('other', other));
    return this;
  }
  div_(other: TensorOrScalar): this {
    callOp('aten::div_.Tensor', this, checkOperand('other', other));
    return this;
  }
  pow_(exponent: TensorOrScalar): this {
    if (exponent instanceof Tensor) callOp('aten::pow_.Tensor', this, exponent);
    else callOp('aten::pow_.Scalar', this, checkOperand('exponent', exponent));
    return this;
  }
  neg_(): this {
    callOp('aten::neg_', this);
    return this;
  }
  abs_(): this {
    callOp('aten::abs_', this);
    return this;
  }
  exp_(): this {
    callOp('aten::exp_', this);
    return this;
  }
  log_(): this {
    callOp('aten::log_', this);
    return this;
  }
  sqrt_(): this {
    callOp('aten::sqrt_', this);
    return this;
  }
  relu_(): this {
    callOp('aten::relu_', this);
    return this;
  }
  clamp_(min?: number | null | { min?: number; max?: number }, max?: number | null): this {
    const [lo, hi] = clampBounds(min, max);
    callOp('aten::clamp_', this, lo, hi);
    return this;
  }
  zero_(): this {
    callOp('aten::zero_', this);
    return this;
  }
  fill_(value: Scalar): this {
    callOp('aten::fill_.Scalar', this, checkOperand('value', value) as Scalar);
    return this;
  }
  copy_(src: Tensor): this {
    if (!(src instanceof Tensor)) argError('src', 'a Tensor', src);
    callOp('aten::copy_', this, src);
    return this;
  }
  /** Reverses the order of elements along `dims`. */
  flip(...dims: (number | number[])[]): Tensor {
    const list = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : (dims as number[]);
    return callT('aten::flip', this, list.map((d, i) => checkInt(`dims[${i}]`, d)));
  }
  /** Fills with U(from, to), from `generator` when given. */
  uniform_(from = 0, to = 1, { generator }: { generator?: GeneratorLike } = {}): this {
    callOp('aten::uniform_', this, checkNumber('from', from), checkNumber('to', to), generator);
    return this;
  }
  normal_(mean = 0, std = 1, { generator }: { generator?: GeneratorLike } = {}): this {
    callOp('aten::normal_', this, checkNumber('mean', mean), checkNumber('std', std), generator);
    return this;
  }
  /** Fills with 1 with probability p, else 0. */
  bernoulli_(p = 0.5, { generator }: { generator?: GeneratorLike } = {}): this {
    if (checkNumber('p', p) < 0 || p > 1) throw new RangeError(`bernoulli_: p must be in [0, 1], got ${p}`);
    callOp('aten::bernoulli_.float', this, p, generator);
    return this;
  }
  /** `numSamples` indices per row drawn with probabilities proportional to this tensor's (non-negative) values. */
  multinomial(numSamples: number, { replacement = false, generator }: { replacement?: boolean; generator?: GeneratorLike } = {}): Tensor {
    return callT('aten::multinomial', this, checkInt('numSamples', numSamples, { min: 1 }), checkBool('replacement', replacement), generator);
  }

  // ------------------------------------------------------------ comparison
  eq(other: TensorOrScalar): Tensor {
    return callT('aten::eq.Tensor', this, checkOperand('other', other));
  }
  ne(other: TensorOrScalar): Tensor {
    return callT('aten::ne.Tensor', this, checkOperand('other', other));
  }
  lt(other: TensorOrScalar): Tensor {
    return callT('aten::lt.Tensor', this, checkOperand('other', other));
  }
  le(other: TensorOrScalar): Tensor {
    return callT('aten::le.Tensor', this, checkOperand('other', other));
  }
  gt(other: TensorOrScalar): Tensor {
    return callT('aten::gt.Tensor', this, checkOperand('other', other));
  }
  ge(other: TensorOrScalar): Tensor {
    return callT('aten::ge.Tensor', this, checkOperand('other', other));
  }
  /** True when shapes and all elements are equal. */
  equal(other: Tensor): boolean {
    return callOp('aten::equal', this, other) as boolean;
  }
  allclose(other: Tensor, { rtol = 1e-5, atol = 1e-8, equalNan = false } = {}): boolean {
    return callOp('aten::allclose', this, other, rtol, atol, equalNan) as boolean;
  }

  // ------------------------------------------------------------ reductions
  /** `sum()`, `sum(dim)`, `sum([d0, d1], { keepdim })` or `sum({ dim, keepdim, dtype })`. */
  sum(dim?: number | number[] | (ReduceOptions & { dim?: number | number[] }), opts: ReduceOptions | boolean = {}): Tensor {
    const r = reduceArgs(dim, opts);
    if (r.dim === undefined) return callT('aten::sum', this, r.dtype);
    return callT('aten::sum.dim_IntList', this, r.dim, r.keepdim, r.dtype);
  }
  mean(dim?: number | number[] | (ReduceOptions & { dim?: number | number[] }), opts: ReduceOptions | boolean = {}): Tensor {
    const r = reduceArgs(dim, opts);
    if (r.dim === undefined) return callT('aten::mean', this, r.dtype);
    return callT('aten::mean.dim', this, r.dim, r.keepdim, r.dtype);
  }
  /** Standard deviation; `correction` 1 (Bessel's, the default) or 0. */
  std(dim?: number | number[] | { dim?: number | number[]; keepdim?: boolean; correction?: number }, opts: { keepdim?: boolean; correction?: number } = {}): Tensor {
    const r = reduceArgs(dim, opts);
    const correction = (typeof dim === 'object' && !Array.isArray(dim) ? dim.correction : opts.correction) ?? 1;
    return callT('aten::std.correction', this, r.dim ?? null, correction, r.keepdim);
  }
  var(dim?: number | number[] | { dim?: number | number[]; keepdim?: boolean; correction?: number }, opts: { keepdim?: boolean; correction?: number } = {}): Tensor {
    const r = reduceArgs(dim, opts);
    const correction = (typeof dim === 'object' && !Array.isArray(dim) ? dim.correction : opts.correction) ?? 1;
    return callT('aten::var.correction', this, r.dim ?? null, correction, r.keepdim);
  }
  /** `max()` is the largest element; `max(dim)` gives `[values, indices]` (also `.values`, `.indices`); `max(tensor)` is the elementwise maximum. */
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  max(dim?: number | Tensor, { keepdim = false }: { keepdim?: boolean } = {}): Tensor | (ValuesIndices) {
    if (dim === undefined) return callT('aten::max', this);
    if (dim instanceof Tensor) return callT('aten::maximum', this, dim);
    return valuesIndices(callOp('aten::max.dim', this, checkInt('dim', dim), keepdim) as Tensor[]);
  }
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  min(dim?: number | Tensor, { keepdim = false }: { keepdim?: boolean } = {}): Tensor | (ValuesIndices) {
    if (dim === undefined) return callT('aten::min', this);
    if (dim instanceof Tensor) return callT('aten::minimum', this, dim);
    return valuesIndices(callOp('aten::min.dim', this, checkInt('dim', dim), keepdim) as Tensor[]);
  }
  /** PyTorch's `(dim=None, keepdim=False)`: `argmax(1, true)`, `argmax(1, { keepdim: true })` or `argmax({ dim: 1, keepdim: true })`. */
  argmax(dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim: boolean | { keepdim?: boolean } = {}): Tensor {
    const r = argReduce(dim, keepdim);
    return callT('aten::argmax', this, r.dim, r.keepdim);
  }
  argmin(dim?: number | null | { dim?: number | null; keepdim?: boolean }, keepdim: boolean | { keepdim?: boolean } = {}): Tensor {
    const r = argReduce(dim, keepdim);
    return callT('aten::argmin', this, r.dim, r.keepdim);
  }
  all(): Tensor {
    return callT('aten::all', this);
  }
  any(): Tensor {
    return callT('aten::any', this);
  }

  // ------------------------------------------------------------ linear algebra and nn
  matmul(other: Tensor): Tensor {
    return MATMUL(this, other);
  }
  mm(other: Tensor): Tensor {
    return callT('aten::mm', this, other);
  }
  bmm(other: Tensor): Tensor {
    return callT('aten::bmm', this, other);
  }
  dot(other: Tensor): Tensor {
    return callT('aten::dot', this, other);
  }
  softmax(dim: number, { dtype }: { dtype?: DType } = {}): Tensor {
    return callT('aten::softmax.int', this, checkInt('dim', dim), dtype);
  }
  logSoftmax(dim: number, { dtype }: { dtype?: DType } = {}): Tensor {
    return callT('aten::log_softmax.int', this, checkInt('dim', dim), dtype);
  }
}

function clampBounds(min?: number | null | { min?: number; max?: number }, max?: number | null): [number | null, number | null] {
  let lo: number | null | undefined = min as number | null | undefined;
  let hi = max;
  if (min !== null && typeof min === 'object') {
    lo = min.min;
    hi = min.max;
  }
  if (lo !== undefined && lo !== null && typeof lo !== 'number') argError('min', 'a number', lo);
  if (hi !== undefined && hi !== null && typeof hi !== 'number') argError('max', 'a number', hi);
  if ((lo === undefined || lo === null) && (hi === undefined || hi === null)) throw new TypeError('clamp: at least one of min and max must be given');
  return [lo ?? null, hi ?? null];
}

/** argmax/argmin's `(dim=None, keepdim=False)` in any of the calling rule's forms. */
function argReduce(dim: number | null | undefined | { dim?: number | null; keepdim?: boolean }, keepdim: boolean | { keepdim?: boolean }): { dim: number | null; keepdim: boolean } {
  const o = typeof dim === 'object' && dim !== null ? dim : typeof keepdim === 'object' && keepdim !== null ? { dim, ...keepdim } : { dim, keepdim };
  checkKeys('argmax/argmin', o as Record<string, unknown>, ['dim', 'keepdim']);
  const d = o.dim ?? null;
  return { dim: d === null ? null : checkInt('dim', d), keepdim: checkBool('keepdim', o.keepdim ?? false) };
}

/**
 * PyTorch's `(dim=None, keepdim=False, *, dtype=None)`: `x.sum(1, true)`,
 * `x.sum(1, { keepdim: true })`, `x.sum({ dim: 1, keepdim: true })`, `x.sum([0, 1])`.
 */
function reduceArgs(
  dim: number | number[] | (ReduceOptions & { dim?: number | number[] }) | null | undefined,
  opts: ReduceOptions | boolean,
): { dim?: number[]; keepdim: boolean; dtype?: DType } {
  let o: ReduceOptions & { dim?: number | number[] } = typeof opts === 'boolean' ? { keepdim: opts } : opts;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) argError('keepdim', 'a boolean or an options object { keepdim, dtype }', opts);
  let d: number | number[] | undefined;
  if (dim !== undefined && dim !== null && typeof dim === 'object' && !Array.isArray(dim)) {
    o = dim;
    d = dim.dim;
  } else {
    d = dim ?? undefined;
  }
  checkKeys('reduction', o as Record<string, unknown>, ['dim', 'keepdim', 'dtype', 'correction']);
  const dims = d === undefined ? undefined : Array.isArray(d) ? d.map((x, i) => checkInt(`dim[${i}]`, x)) : [checkInt('dim', d)];
  return { dim: dims, keepdim: o.keepdim ?? false, dtype: o.dtype === undefined ? undefined : checkDtype('dtype', o.dtype) };
}

registerTensorClass(
  (h) => new Tensor(h),
  (v): v is Tensor => v instanceof Tensor,
);

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

