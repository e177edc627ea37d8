// torch.utils.data: Subset, ConcatDataset and random_split.
import { argError, checkInt } from '../errors';
import { cat, checkGenerator, randperm, tensor } from '../creation';
import { Generator } from '../generator';
import { Tensor } from '../tensor';
import type { Emitter, Val } from '../program';
import { BatchedDataset, BatchOptions, Dataset, isBatched } from './index';
import { checkIndices } from './sampler';

function checkDataset(name: string, ds: unknown): Dataset {
  if (!ds || typeof ds !== 'object' || typeof (ds as Dataset).getItem !== 'function' || typeof (ds as Dataset).length !== 'number') {
    argError(name, 'a Dataset (with length and getItem(i))', ds);
  }
  return ds as Dataset;
}

function longTensor(values: readonly number[]): Tensor {
  return tensor(BigInt64Array.from(values, (v) => BigInt(v)));
}

/** `index` as a position in 0..n-1 (negative counts from the end, as Python's indexing). */
function position(index: number, n: number, what: string): number {
  checkInt('index', index);
  if (index < -n || index >= n) throw new RangeError(`index ${index} is out of range for ${what} of ${n}`);
  return index < 0 ? index + n : index;
}

function checkIndexTensor(indices: unknown): Tensor {
  if (!(indices instanceof Tensor)) argError('indices', 'an int64 Tensor', indices);
  const t = indices as Tensor;
  if (t.dim() !== 1) throw new RangeError(`indices must be 1-D, got shape [${t.shape.join(', ')}]`);
  return t;
}

/**
 * The items of `dataset` at `indices`, in that order: item i is
 * `dataset.getItem(indices[i])`. Negative indices count from the end (checked
 * against the data set's length here). When `dataset` reads whole batches
 * (`getBatch`), so does the subset.
 */
export class Subset<T = unknown> implements BatchedDataset<T> {
  readonly dataset: Dataset<T>;
  /** The indices as given. */
  readonly indices: readonly number[];
  /** The indices into `dataset`, made non-negative, as an int64 vector. */
  readonly indicesTensor: Tensor;
  private readonly positions: readonly number[];

  constructor(dataset: Dataset<T>, indices: readonly number[] | Tensor) {
    this.dataset = checkDataset('dataset', dataset) as Dataset<T>;
    this.indices = checkIndices('indices', indices);
    const n = dataset.length;
    this.positions = this.indices.map((i) => {
      if (i < -n || i >= n) throw new RangeError(`Subset: index ${i} is out of range for a data set of ${n}`);
      return i < 0 ? i + n : i;
    });
    this.indicesTensor = longTensor(this.positions);
  }

  get length(): number {
    return this.positions.length;
  }
  getItem(index: number): T {
    return this.dataset.getItem(this.positions[position(index, this.length, 'a subset')]);
  }
  /** True when the underlying data set reads whole batches now. */
  get batchable(): boolean {
    return isBatched(this.dataset);
  }
  getBatch(indices: Tensor): T {
    if (!isBatched(this.dataset)) throw new TypeError('Subset.getBatch: the underlying data set has no getBatch (or is not batchable now)');
    return this.dataset.getBatch(this.indicesTensor.indexSelect(0, checkIndexTensor(indices))) as T;
  }
  /** The underlying data set's emitBatch at `indicesTensor[indices]`, or null when it has none. */
  emitBatch(b: Emitter, indices: Val, options?: BatchOptions): Val[] | null {
    const ds = this.dataset as BatchedDataset<T>;
    if (!isBatched(ds) || typeof ds.emitBatch !== 'function') return null;
    return ds.emitBatch(b, b.call('aten::index_select', this.indicesTensor, 0, indices), options);
  }
}

/** Python's bisect.bisect_right: the first position whose value is > x. */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Concatenates batches field by field (tensors, arrays of them, objects of them) along dim 0. */
function catBatches(parts: unknown[], where = 'batch'): unknown {
  const first = parts[0];
  if (first instanceof Tensor) {
    parts.forEach((p, i) => !(p instanceof Tensor) && argError(`${where} of part ${i}`, 'a Tensor', p));
    return cat(parts as Tensor[]);
  }
  if (Array.isArray(first)) {
    return first.map((_, k) => catBatches(parts.map((p) => (p as unknown[])[k]), `${where}[${k}]`));
  }
  if (first && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, catBatches(parts.map((p) => (p as Record<string, unknown>)[k]), `${where}.${k}`)]));
  }
  throw new TypeError(`ConcatDataset.getBatch: cannot concatenate ${where} (${typeof first}); getBatch must return tensors, arrays or objects of tensors`);
}

/** Reorders every tensor of a batch along dim 0. */
function reorder(batch: unknown, index: Tensor): unknown {
  if (batch instanceof Tensor) return batch.indexSelect(0, index.to(batch.device));
  if (Array.isArray(batch)) return batch.map((b) => reorder(b, index));
  if (batch && typeof batch === 'object') return Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, reorder(v, index)]));
  return batch;
}

/**
 * Data sets one after another: item i is item i − cumulativeSizes[k−1] of
 * the k-th. Negative indices count from the end. When every part reads whole
 * batches, so does the concatenation (one getBatch per part touched, then
 * torch.cat field by field, in the order of the indices).
 */
export class ConcatDataset<T = unknown> implements BatchedDataset<T> {
  readonly datasets: Dataset<T>[];
  /** The running totals of the parts' lengths (PyTorch's cumulative_sizes). */
  readonly cumulativeSizes: number[];

  constructor(datasets: Iterable<Dataset<T>>) {
    if (!datasets || typeof (datasets as Iterable<Dataset<T>>)[Symbol.iterator] !== 'function') argError('datasets', 'an array of Datasets', datasets);
    this.datasets = Array.from(datasets);
    if (this.datasets.length === 0) throw new RangeError('ConcatDataset: datasets must not be empty');
    this.datasets.forEach((d, i) => checkDataset(`datasets[${i}]`, d));
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  /** [part, index within the part] of item `index` (negative counts from the end). */
  locate(index: number): [number, number] {
    const i = position(index, this.length, 'a ConcatDataset');
    const part = bisectRight(this.cumulativeSizes, i);
    return [part, part === 0 ? i : i - this.cumulativeSizes[part - 1]];
  }

  getItem(index: number): T {
    const [part, i] = this.locate(index);
    return this.datasets[part].getItem(i);
  }

  /** True when every part reads whole batches now. */
  get batchable(): boolean {
    return this.datasets.every((d) => isBatched(d));
  }

  getBatch(indices: Tensor): T {
    if (!this.batchable) throw new TypeError('ConcatDataset.getBatch: every part must have getBatch (and be batchable now)');
    const idx = checkIndexTensor(indices).tolist() as number[];
    const parts: number[][] = this.datasets.map(() => []);
    const slots: number[][] = this.datasets.map(() => []);
    idx.forEach((index, k) => {
      const [part, i] = this.locate(index);
      parts[part].push(i);
      slots[part].push(k);
    });
    const used = parts.map((p, d) => d).filter((d) => parts[d].length > 0);
    if (used.length === 0) return (this.datasets[0] as BatchedDataset<T>).getBatch(longTensor([]));
    const batches = used.map((d) => (this.datasets[d] as BatchedDataset<T>).getBatch(longTensor(parts[d])));
    const out = batches.length === 1 ? batches[0] : catBatches(batches);
    // Row j of `out` is the item for position order[j]; put it back at order[j].
    const order = used.flatMap((d) => slots[d]);
    if (order.every((p, j) => p === j)) return out as T;
    const inverse = new Array<number>(order.length);
    order.forEach((p, j) => (inverse[p] = j));
    return reorder(out, longTensor(inverse)) as T;
  }
}

/** Python's math.isclose(a, b) with its defaults (rel_tol = 1e-9, abs_tol = 0). */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Splits `dataset` at random into non-overlapping Subsets of the given
 * lengths, or of the given fractions of its length (summing to 1: each gets
 * floor(n × fraction), then the remainder goes one item each to the first
 * splits in turn). The order is `randperm(n, generator)` (the global stream
 * without a generator), as torch.utils.data.random_split.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], { generator }: { generator?: Generator } = {}): Subset<T>[] {
  checkDataset('dataset', dataset);
  if (!Array.isArray(lengths) || lengths.length === 0) argError('lengths', 'a non-empty array of lengths or fractions', lengths);
  lengths.forEach((v, i) => (typeof v !== 'number' || !Number.isFinite(v)) && argError(`lengths[${i}]`, 'a number', v));
  const g = generator === undefined || generator === null ? undefined : checkGenerator(generator);
  const n = dataset.length;
  let sizes = lengths.slice();
  const total = lengths.reduce((a, b) => a + b, 0);
  if (isClose(total, 1) && total <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`randomSplit: fraction at index ${i} is not between 0 and 1, got ${frac}`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
  } else {
    sizes.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0) {
        throw new RangeError(`randomSplit: lengths[${i}] must be a non-negative integer (or all the lengths fractions summing to 1), got ${v}`);
      }
    });
  }
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== n) throw new RangeError(`randomSplit: the lengths [${sizes.join(', ')}] sum to ${sum}, not the data set's length ${n}`);
  const indices = randperm(sum, g ? { generator: g } : undefined).tolist() as number[];
  let offset = 0;
  return sizes.map((len) => {
    const part = new Subset(dataset, indices.slice(offset, offset + len));
    offset += len;
    return part;
  });
}
