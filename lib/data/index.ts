// torch.utils.data: Dataset and DataLoader.
import { argError, checkBool, checkInt } from '../errors';
import { noGrad } from '../autograd';
import { randperm, stack, tensor } from '../creation';
import { Device, checkDevice } from '../dtype';
import { Tensor } from '../tensor';
import type { Emitter, Val } from '../program';

/** A map-style data set: `length` items, read by index. */
export interface Dataset<T = unknown> {
  readonly length: number;
  getItem(index: number): T;
}

/**
 * A data set held as tensors, which the DataLoader reads a whole batch at a
 * time (one native gather plus per-batch transforms) instead of item by item.
 */
export interface BatchedDataset<T = unknown> extends Dataset<T> {
  getBatch(indices: Tensor): T;
  /** False when a batch cannot be made natively right now (e.g. a per-item JS transform). */
  readonly batchable?: boolean;
  /**
   * The batch for `indices` (an int64 vector) written as operator calls on an
   * Emitter (lib/program.ts), or null when it cannot be. With it, the
   * DataLoader records the whole batch pipeline once and runs it on a native
   * thread, ahead of the training loop.
   */
  emitBatch?(b: Emitter, indices: Val): Val[] | null;
}

export function isBatched(ds: Dataset): ds is BatchedDataset {
  return typeof (ds as BatchedDataset).getBatch === 'function' && (ds as BatchedDataset).batchable !== false;
}

/** Stacks items into a batch: tensors with stack, numbers into a tensor, arrays and objects field by field. */
export function defaultCollate(items: unknown[]): unknown {
  const first = items[0];
  if (first instanceof Tensor) return stack(items as Tensor[]);
  if (typeof first === 'number' || typeof first === 'boolean') return tensor(items as number[]);
  if (Array.isArray(first)) return first.map((_, i) => defaultCollate(items.map((it) => (it as unknown[])[i])));
  if (first && typeof first === 'object') {
    return Object.fromEntries(Object.keys(first).map((k) => [k, defaultCollate(items.map((it) => (it as Record<string, unknown>)[k]))]));
  }
  return items;
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Where batches are delivered ('cpu' by default). */
  device?: Device;
  collateFn?: (items: unknown[]) => unknown;
}

/** Batches of a data set, optionally shuffled each epoch (seed with torch.manualSeed). */
export class DataLoader<T = [Tensor, Tensor]> implements Iterable<T> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly device: Device;
  private readonly collateFn: (items: unknown[]) => unknown;

  constructor(
    readonly dataset: Dataset,
    { batchSize = 1, shuffle = false, dropLast = false, device = 'cpu', collateFn = defaultCollate }: DataLoaderOptions = {},
  ) {
    if (!dataset || typeof dataset !== 'object' || typeof dataset.getItem !== 'function' || typeof dataset.length !== 'number') {
      argError('dataset', 'a Dataset (with length and getItem(i))', dataset);
    }
    this.batchSize = checkInt('batchSize', batchSize, { min: 1 });
    this.shuffle = checkBool('shuffle', shuffle);
    this.dropLast = checkBool('dropLast', dropLast);
    this.device = checkDevice('device', device);
    if (typeof collateFn !== 'function') argError('collateFn', 'a function', collateFn);
    this.collateFn = collateFn;
  }

  /** The number of batches in an epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const n = this.dataset.length;
    const order = this.shuffle ? randperm(n) : null;
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, n - start);
      yield noGrad(() => this.batch(order, start, size));
    }
  }

  /** `for await`: the same batches, yielding to the event loop between them so a service stays responsive. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const batch of this[Symbol.iterator]() as IterableIterator<T>) {
      yield batch;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private batch(order: Tensor | null, start: number, size: number): T {
    let out: unknown;
    if (isBatched(this.dataset)) {
      const indices = order ? order.narrow(0, start, size) : null;
      out = this.dataset.getBatch(indices ?? rangeTensor(start, size));
    } else {
      const idx = order ? (order.narrow(0, start, size).tolist() as number[]) : Array.from({ length: size }, (_, i) => start + i);
      out = this.collateFn(idx.map((i) => this.dataset.getItem(i)));
    }
    return (this.device === 'cpu' ? out : toDevice(out, this.device)) as T;
  }
}

function rangeTensor(start: number, size: number): Tensor {
  return tensor(BigInt64Array.from({ length: size }, (_, i) => BigInt(start + i)));
}

function toDevice(v: unknown, device: Device): unknown {
  if (v instanceof Tensor) return v.to({ device, nonBlocking: true });
  if (Array.isArray(v)) return v.map((x) => toDevice(x, device));
  return v;
}

/** Wraps tensors of equal first dimension: item i is [t0[i], t1[i], …]. */
export class TensorDataset implements BatchedDataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (!tensors.length) throw new TypeError('TensorDataset needs at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) argError(`tensors[${i}]`, 'a Tensor', t);
      if (t.dim() === 0 || t.shape[0] !== tensors[0].shape[0]) throw new RangeError('TensorDataset: all tensors must have the same size in dimension 0');
    });
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  getItem(i: number): Tensor[] {
    checkInt('index', i);
    if (i < -this.length || i >= this.length) throw new RangeError(`index ${i} is out of range for a data set of ${this.length}`);
    return this.tensors.map((t) => t.select(0, i));
  }
  getBatch(indices: Tensor): Tensor[] {
    return this.tensors.map((t) => t.indexSelect(0, indices));
  }
}
