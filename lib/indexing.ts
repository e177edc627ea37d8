// Python's indexing, `x[...]` and `x[...] = v`, as x.index(...items) and x.indexPut_(items, value).
//
// This follows PyTorch's own algorithm (python_variable_indexing.cpp and
// ATen/TensorIndexing.h): the basic items (integers, slices, None, Ellipsis,
// booleans) are applied one by one as views (select, slice, unsqueeze); the
// advanced items (integer and boolean tensors, nested arrays) are collected, with
// null placeholders for the dimensions they do not index, and given to
// aten::index / aten::index_put_ at the end. So basic indexing returns a view
// sharing storage, advanced indexing a copy; autograd and error messages are
// PyTorch's.
import { argError, TorchError } from './errors';
import { callOp, callT } from './ops';
import { tensor } from './creation';
import type { NestedArray, Tensor } from './tensor';
import { isTensor } from './tensor';

/** The largest slice bound kept exactly; bounds beyond it are clamped (sizes never come near it). */
const BOUND_MAX = Number.MAX_SAFE_INTEGER;

type Bound = number | bigint | null | undefined;

/**
 * A Python slice `start:stop:step`; each part may be null (omitted). Make one with
 * `torch.slice(...)`, or write the string form (`'1:5:2'`, `':'`, `'::2'`, `'-3:'`).
 */
export class Slice {
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
  /** @internal use torch.slice() */
  constructor(start: Bound, stop: Bound, step: Bound) {
    this.start = sliceBound('start', start);
    this.stop = sliceBound('stop', stop);
    this.step = sliceBound('step', step);
    Object.freeze(this);
  }
  /** Python's syntax: `'1:5:2'`, `':'`, `'::2'`. */
  toString(): string {
    const p = (v: number | null) => (v === null ? '' : String(v));
    return `${p(this.start)}:${p(this.stop)}${this.step === null ? '' : `:${this.step}`}`;
  }
}

function sliceBound(name: string, v: Bound): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    if (v > BigInt(BOUND_MAX)) return BOUND_MAX;
    if (v < -BigInt(BOUND_MAX)) return -BOUND_MAX;
    return Number(v);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) argError(`slice ${name}`, 'an integer or null', v);
  return Math.max(-BOUND_MAX, Math.min(BOUND_MAX, v)) || 0; // `|| 0`: -0 is 0
}

/**
 * Python's `slice`: `slice(stop)`, `slice(start, stop, step?)` (any part may be
 * null), or `slice({ start, stop, step })`. `slice()` with no arguments is `:`.
 * As in Python, one argument is the *stop*: `slice(3)` is `:3`.
 */
export function slice(stop?: Bound): Slice;
export function slice(start: Bound, stop: Bound, step?: Bound): Slice;
export function slice(options: { start?: Bound; stop?: Bound; step?: Bound }): Slice;
export function slice(...args: unknown[]): Slice {
  if (args.length > 3) throw new TypeError(`slice expected at most 3 arguments, got ${args.length}`);
  const a = args[0];
  if (args.length === 1 && a !== null && typeof a === 'object') {
    const o = a as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k === 'start' || k === 'stop' || k === 'step') continue;
      const hint = ({ begin: 'start', end: 'stop', from: 'start', to: 'stop' } as Record<string, string>)[k];
      throw new TypeError(`slice: unknown option '${k}' (${hint ? `did you mean '${hint}'?` : 'expected start, stop, step'})`);
    }
    return new Slice(o.start as Bound, o.stop as Bound, o.step as Bound);
  }
  if (args.length <= 1) return new Slice(null, a as Bound, null);
  return new Slice(args[0] as Bound, args[1] as Bound, args[2] as Bound);
}

/** Python's `...` (Ellipsis) as an index item. */
export const ellipsis = '...' as const;

/**
 * One item of an index, as Python writes it inside `x[...]`: an integer, a
 * `Slice` or slice string (`':'`, `'1:5:2'`), `null` (None, a new axis), `'...'`
 * (Ellipsis), a boolean, a Tensor (integer: advanced indexing; bool: a mask), or
 * a nested array of integers (or booleans): Python's list index `x[[0, 2]]`.
 */
export type IndexItem = number | bigint | boolean | null | string | Slice | Tensor | NestedArray<number | bigint | boolean>[];

// ------------------------------------------------------------ parsed items
type Parsed =
  | { kind: 'int'; value: number | bigint }
  | { kind: 'slice'; start: number; stop: number; step: number } // stop Infinity: to the end
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'tensor'; tensor: Tensor }
  | { kind: 'list'; data: unknown[] };

const ITEM_KINDS =
  "an integer, a slice (torch.slice() or a string such as ':' or '1:5:2'), '...', null, a boolean, a Tensor or an array of integers";

const SLICE_RE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function parseItem(v: unknown, i: number): Parsed {
  const where = `index item ${i}`;
  if (v === null) return { kind: 'none' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) argError(where, ITEM_KINDS, v);
    return { kind: 'int', value: v || 0 };
  }
  if (typeof v === 'bigint') return { kind: 'int', value: v >= -BigInt(BOUND_MAX) && v <= BigInt(BOUND_MAX) ? Number(v) : v };
  if (typeof v === 'string') {
    if (v.trim() === '...') return { kind: 'ellipsis' };
    const m = SLICE_RE.exec(v);
    if (!m) throw new TypeError(`${where} must be ${ITEM_KINDS}, got the string ${JSON.stringify(v)} (not '...' nor a slice 'start:stop:step')`);
    const part = (s: string | undefined) => (s === undefined ? null : BigInt(s));
    return sliceItem(new Slice(part(m[1]), part(m[2]), part(m[3])));
  }
  if (v instanceof Slice) return sliceItem(v);
  if (isTensor(v)) {
    if (v.disposed) throw new TypeError(`${where} is a disposed Tensor`);
    return { kind: 'tensor', tensor: v };
  }
  if (Array.isArray(v)) return { kind: 'list', data: v };
  return argError(where, ITEM_KINDS, v);
}

/** PyTorch's Slice(start, stop, step): the defaults of omitted parts, and step 0 refused. */
function sliceItem(s: Slice): Parsed {
  const step = s.step ?? 1;
  if (step === 0) throw new TorchError('slice step cannot be zero', 'ValueError');
  const start = s.start ?? (step < 0 ? BOUND_MAX : 0);
  const stop = s.stop ?? (step < 0 ? -Infinity : Infinity);
  return { kind: 'slice', start, stop, step };
}

/** Python's sequenceToVariable: a nested array becomes a bool tensor (all booleans) or an int64 tensor, on `self`'s device. */
function listToTensor(self: Tensor, data: unknown[], i: number): Tensor {
  const shape: number[] = [];
  for (let probe: unknown = data; Array.isArray(probe); probe = probe[0]) shape.push(probe.length);
  const flat: (number | bigint | boolean)[] = [];
  const walk = (v: unknown, d: number, where: string): void => {
    if (d === shape.length) {
      if (typeof v === 'boolean' || typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) {
        flat.push(v);
        return;
      }
      argError(`index item ${i}${where}`, 'an integer or a boolean (arrays are integer or boolean index lists)', v);
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new TypeError(`index item ${i}${where} must be an array of length ${shape[d]} (a nested index array must not be ragged)`);
    v.forEach((x, j) => walk(x, d + 1, `${where}[${j}]`));
  };
  walk(data, 0, '');
  const allBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
  const values = allBool ? (flat as boolean[]) : BigInt64Array.from(flat, (v) => (typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v)));
  const t = callT('aten::reshape', tensor(values), shape);
  return self.device === 'cpu' ? t : t.to(self.device);
}

// ------------------------------------------------------------ PyTorch's steps
function indexError(message: string): TorchError {
  return new TorchError(message, 'IndexError');
}

const isMaskDtype = (t: Tensor) => t.dtype === 'bool' || t.dtype === 'uint8';
const isIntegral = (t: Tensor) => t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'int16' || t.dtype === 'int8' || t.dtype === 'uint8' || t.dtype === 'bool';

function countSpecified(items: Parsed[]): number {
  let n = 0;
  for (const it of items) {
    if (it.kind === 'tensor') n += isMaskDtype(it.tensor) ? it.tensor.dim() : 1;
    else if (it.kind !== 'none' && it.kind !== 'ellipsis' && it.kind !== 'bool') n++;
  }
  return n;
}

function applySelect(self: Tensor, dim: number, index: number | bigint, realDim: number, sizes: number[]): Tensor {
  if (index === 0 && dim === 0 && sizes.length === 0)
    throw indexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number');
  const size = sizes[dim] ?? 0;
  const i = BigInt(index);
  if (!(BigInt(size) > -1n - i && BigInt(size) > i)) throw indexError(`index ${index} is out of bounds for dimension ${realDim} with size ${size}`);
  return callT('aten::select.int', self, dim, index);
}

function applySlice(self: Tensor, dim: number, start: number, stop: number, step: number, disableOptimization: boolean, sizes: number[]): Tensor {
  if (!(step > 0)) throw new TorchError('step must be greater than zero', 'ValueError');
  if (sizes.length > 0 && !disableOptimization && start === 0 && sizes[dim] <= stop && step === 1) return self;
  return callT('aten::slice.Tensor', self, dim, start, stop === Infinity ? null : stop, step);
}

function boolToIndexingTensor(self: Tensor, value: boolean): Tensor {
  return value ? callT('aten::zeros', [1], 'int64', null, self.device) : callT('aten::empty.memory_format', [0], 'int64', null, self.device);
}

/** The basic items applied as views; the advanced ones collected in `out` (null: a dimension they leave alone). */
function applySlicing(self: Tensor, items: Parsed[], out: (Tensor | null)[]): Tensor {
  const specified = countSpecified(items);
  const ndim = self.dim();
  if (specified > ndim) throw indexError(`too many indices for tensor of dimension ${ndim}`);
  let dim = 0;
  const record = (t: Tensor) => {
    if (out.length === 0) {
      for (let k = 0; k < dim; k++) out.push(null);
      out.push(t);
    } else {
      out.push(t);
    }
    dim += isMaskDtype(t) ? t.dim() : 1;
  };
  let result = self;
  items.forEach((it, i) => {
    const sizes = result.shape;
    switch (it.kind) {
      case 'int':
        result = applySelect(result, dim, it.value, i, sizes);
        break;
      case 'slice':
        result = applySlice(result, dim, it.start, it.stop, it.step, false, sizes);
        dim++;
        if (out.length) out.push(null);
        break;
      case 'ellipsis': {
        const n = ndim - specified;
        dim += n;
        if (out.length) for (let k = 0; k < n; k++) out.push(null);
        break;
      }
      case 'none':
        result = callT('aten::unsqueeze', result, dim);
        dim++;
        if (out.length) out.push(null);
        break;
      case 'bool':
        result = callT('aten::unsqueeze', result, dim);
        record(boolToIndexingTensor(result, it.value));
        break;
      case 'tensor': {
        const t = it.tensor;
        if (t.dim() === 0 && isIntegral(t)) {
          if (!isMaskDtype(t)) {
            result = applySelect(result, dim, t.item({ bigint: true }) as bigint, i, sizes);
          } else {
            result = callT('aten::unsqueeze', result, dim);
            record(boolToIndexingTensor(result, Boolean(t.item())));
          }
        } else {
          record(t);
        }
        break;
      }
      case 'list':
        throw new Error('internal: lists are converted before slicing');
    }
  });
  return result;
}

function dropTrailingNulls(indices: (Tensor | null)[]): (Tensor | null)[] {
  let n = indices.length;
  while (n > 0 && indices[n - 1] === null) n--;
  return indices.slice(0, n);
}

function parseAll(self: Tensor, items: readonly unknown[]): Parsed[] {
  return items.map((v, i) => {
    const p = parseItem(v, i);
    return p.kind === 'list' ? { kind: 'tensor', tensor: listToTensor(self, p.data, i) } : p;
  });
}

/** A kind that Python handles without making a tuple (`x[0]`, `x[1:]`, `x[None]`, `x[...]`, `x[True]`). */
const isSimple = (p: Parsed) => p.kind === 'int' || p.kind === 'slice' || p.kind === 'none' || p.kind === 'ellipsis' || p.kind === 'bool';

/** `self[items]`: `items` are Python's tuple (one item: `self[item]`). */
export function getItem(self: Tensor, items: readonly unknown[]): Tensor {
  const parsed = parseAll(self, items);
  if (parsed.length === 1 && isSimple(parsed[0])) {
    const it = parsed[0];
    const sizes = self.shape;
    switch (it.kind) {
      case 'int':
        return applySelect(self, 0, it.value, 0, sizes);
      case 'slice':
        return applySlice(self, 0, it.start, it.stop, it.step, true, sizes);
      case 'none':
        return callT('aten::unsqueeze', self, 0);
      case 'ellipsis':
        return callT('aten::alias', self);
      case 'bool': {
        const r = callT('aten::unsqueeze', self, 0);
        return callT('aten::index.Tensor', r, [boolToIndexingTensor(r, it.value)]);
      }
    }
  }
  const indices: (Tensor | null)[] = [];
  const sliced = applySlicing(self, parsed, indices);
  if (indices.length === 0) return sliced === self ? callT('aten::alias', self) : sliced;
  return callT('aten::index.Tensor', sliced, dropTrailingNulls(indices));
}

/** Python's valueToTensor: a tensor as it is; a number a 0-d tensor of self's dtype (on the CPU for a CUDA self). */
function valueToTensor(self: Tensor, value: unknown): Tensor {
  if (isTensor(value)) return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    const device = self.device.startsWith('cuda') ? 'cpu' : self.device;
    const s = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    return callT('aten::scalar_tensor', s, self.dtype, null, device);
  }
  return argError('value', 'a Tensor, a number, a bigint or a boolean', value);
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Leading size-1 dimensions dropped (PyTorch's slicePrefix1sSize). */
function withoutLeadingOnes(shape: number[]): number[] {
  let k = 0;
  while (k < shape.length && shape[k] === 1) k++;
  return shape.slice(k);
}

/** PyTorch's copy_to: dst.copy_(src) with src broadcast to dst's shape. */
function copyTo(dst: Tensor, src: Tensor): void {
  if (sameShape(dst.shape, src.shape)) {
    callOp('aten::copy_', dst, src);
    return;
  }
  if (src.dim() === 0 && src.device === 'cpu') {
    callOp('aten::fill_.Tensor', dst, src);
    return;
  }
  const view = callT('aten::view', src, withoutLeadingOnes(src.shape));
  const expanded = sameShape(dst.shape, view.shape) ? view : callT('aten::expand', view, dst.shape);
  callOp('aten::copy_', dst, expanded);
}

/** `self[indices] = value`; an array is Python's tuple of items, anything else one item. */
export function setItem(self: Tensor, indices: unknown, value: unknown): void {
  const v = valueToTensor(self, value);
  const parsed = parseAll(self, Array.isArray(indices) ? indices : [indices]);
  if (!Array.isArray(indices) && isSimple(parsed[0])) {
    const it = parsed[0];
    const sizes = self.shape;
    switch (it.kind) {
      case 'bool':
        if (it.value) copyTo(callT('aten::unsqueeze', self, 0), v);
        return; // Python: x[False] = v does nothing
      case 'ellipsis':
        return copyTo(self, v);
      case 'none':
        return copyTo(callT('aten::unsqueeze', self, 0), v);
      case 'int':
        return copyTo(applySelect(self, 0, it.value, 0, sizes), v);
      case 'slice':
        return copyTo(applySlice(self, 0, it.start, it.stop, it.step, false, sizes), v);
    }
  }
  const out: (Tensor | null)[] = [];
  const sliced = applySlicing(self, parsed, out);
  if (out.length === 0) return copyTo(sliced, v);
  const trimmed = withoutLeadingOnes(v.shape);
  const values = trimmed.length === v.dim() ? v : callT('aten::view', v, trimmed);
  callOp('aten::index_put_', sliced, dropTrailingNulls(out), values, false);
}
