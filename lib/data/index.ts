// torch.utils.data: Dataset and DataLoader.
import * as os from 'os';
import { bind, Signature } from '../signature';
import { SIGNATURES } from '../signatures';
import { argError, checkBool, checkInt } from '../errors';
import { noGrad } from '../autograd';
import { arange, checkGenerator, empty, stack, tensor } from '../creation';
import { Generator } from '../generator';
import { native, PrefetchHandle, ProgramHandle } from '../native';
import { callOp, fromNative } from '../ops';
import { CachedProgram, eager, emitPinnedCopy, Recorder } from '../program';
import { RandomSampler } from './sampler';
import { Device, checkDevice } from '../dtype';
import { Tensor } from '../tensor';
import type { EmitArg, Emitter, Val } from '../program';

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
  emitBatch?(b: Emitter, indices: Val, options?: BatchOptions): Val[] | null;
}

/** Where a recorded batch's randomness comes from and where it is delivered. */
export interface BatchOptions {
  /** A torch.Generator, a program register holding one, or null for the global generator. */
  generator: EmitArg;
  device: Device;
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

/** What the DataLoader needs of a sampler: a length and the indices of an epoch (see ./sampler). */
export interface SamplerLike extends Iterable<number> {
  readonly length: number;
  /** One epoch's indices as an int64 tensor (consuming randomness as iterating would). */
  order?(): Tensor;
}

export interface DataLoaderOptions {
  batchSize?: number;
  /** PyTorch's worker and memory settings: accepted, with nothing to do (batches are made natively on a prefetch thread). */
  numWorkers?: number;
  pinMemory?: boolean;
  timeout?: number;
  prefetchFactor?: number | null;
  persistentWorkers?: boolean;
  inOrder?: boolean;
  /** Reshuffle every epoch (a RandomSampler over the data set). */
  shuffle?: boolean;
  /** The order of the indices (instead of shuffle). */
  sampler?: SamplerLike;
  dropLast?: boolean;
  /** Where batches are delivered ('cpu' by default); on CUDA, copies go through pinned memory, non-blocking. */
  device?: Device;
  /** Turns a list of items into a batch, for data sets read item by item. */
  collateFn?: (items: unknown[]) => unknown;
  /** Seeds the order and the augmentations: the same seed gives the same batches (and PyTorch's order). Without one, the global generator (torch.manualSeed) does. */
  generator?: Generator;
  /**
   * Batches made ahead on a native thread (0: make each batch when asked, on this thread). By default 2
   * when there is a core to spare (more cores than torch.getNumThreads(), or a CUDA device), else 0:
   * on a machine whose cores all run the model, a second thread only competes with it.
   */
  prefetch?: number | 'auto';
}

/**
 * Batches of a data set. A data set held as tensors (the vision data sets,
 * TensorDataset, their Subsets) with built-in transforms has its whole batch
 * pipeline — gather, move to the device, transforms — recorded once as a
 * program and run on a native thread, `prefetch` batches ahead of the loop;
 * other data sets are read item by item and collated in JavaScript.
 */
// PyTorch's DataLoader signature plus nodetorch's own options. numWorkers, pinMemory, timeout,
// prefetchFactor, persistentWorkers and inOrder are accepted and have nothing to do: batches are
// assembled natively on a prefetch thread (docs/data.md).
// A data set may be a plain object ({ length, getItem }): the first argument is never taken for options.
const DATALOADER_SIGNATURE: Signature = [
  { ...(SIGNATURES['utils.data.DataLoader'][0] as Signature[number]), takesObject: true },
  ...(SIGNATURES['utils.data.DataLoader'] as Signature).slice(1),
  { name: 'device', default: 'cpu', keywordOnly: true },
  { name: 'prefetch', default: 'auto', keywordOnly: true },
];

export class DataLoader<T = [Tensor, Tensor]> implements Iterable<T> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly device: Device;
  readonly sampler: SamplerLike | null;
  readonly generator: Generator | null;
  private readonly prefetchOption: number | 'auto';
  private readonly collateFn: (items: unknown[]) => unknown;
  private readonly program = new CachedProgram();

  readonly dataset: Dataset;
  /**
   * PyTorch's signature: `new DataLoader(dataset, batchSize?, shuffle?, sampler?, …)` or with a
   * trailing `{ batchSize, shuffle, … }`; nodetorch adds `device` and `prefetch` (options only).
   */
  constructor(dataset: Dataset, options?: DataLoaderOptions);
  constructor(dataset: Dataset, batchSize: number, shuffle?: boolean, options?: DataLoaderOptions);
  constructor(...args: unknown[]) {
    const o = bind('DataLoader', DATALOADER_SIGNATURE, args, { fillDefaults: false }) as DataLoaderOptions & Record<string, unknown> & { dataset: Dataset };
    const dataset = (this.dataset = o.dataset);
    if (!dataset || typeof dataset !== 'object' || typeof dataset.getItem !== 'function' || typeof dataset.length !== 'number') {
      argError('dataset', 'a Dataset (with length and getItem(i))', dataset);
    }
    for (const k of ['batchSampler', 'workerInitFn', 'multiprocessingContext']) {
      if (o[k] !== undefined && o[k] !== null) throw new TypeError(`DataLoader: '${k}' is not supported (batches are made natively, see docs/data.md)`);
    }
    for (const k of ['shuffle', 'sampler', 'collateFn', 'generator']) if (o[k] === null) delete o[k];
    const { batchSize = 1, shuffle = false, sampler = null, dropLast = false, device = 'cpu', collateFn = defaultCollate, generator = null, prefetch = 'auto' } = o;
    this.batchSize = checkInt('batchSize', batchSize, { min: 1 });
    this.shuffle = checkBool('shuffle', shuffle);
    this.dropLast = checkBool('dropLast', dropLast);
    this.device = checkDevice('device', device);
    if (typeof collateFn !== 'function') argError('collateFn', 'a function', collateFn);
    this.collateFn = collateFn;
    if (sampler !== null && (typeof sampler !== 'object' || typeof sampler.length !== 'number' || typeof (sampler as SamplerLike)[Symbol.iterator] !== 'function')) {
      argError('sampler', 'a Sampler (iterable, with length)', sampler);
    }
    if (sampler && shuffle) throw new TypeError('DataLoader: sampler option is mutually exclusive with shuffle');
    this.sampler = sampler;
    this.generator = generator === null ? null : checkGenerator(generator);
    this.prefetchOption = prefetch === 'auto' ? prefetch : checkInt('prefetch', prefetch, { min: 0 });
  }

  /** How many batches are made ahead on a native thread (see the `prefetch` option). */
  get prefetch(): number {
    if (this.prefetchOption !== 'auto') return this.prefetchOption;
    return this.device !== 'cpu' || os.availableParallelism() > native.getNumThreads() ? 2 : 0;
  }

  /** The number of batches in an epoch. */
  get length(): number {
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * This epoch's indices as an int64 tensor, and its augmentations' generator,
   * drawn as PyTorch's DataLoader draws them: first a base seed from the
   * loader's generator (or the global one), then the sampler's order (shuffle
   * is a RandomSampler on the same generator). With the same seed the order is
   * PyTorch's; the augmentations of an epoch depend only on the base seed, not
   * on how far ahead its batches were made.
   */
  private startEpoch(): { order: Tensor; augment: Generator } {
    const base = empty([], { dtype: 'int64' });
    callOp('aten::random_', base, this.generator ?? undefined);
    const augment = new Generator().manualSeed((base.toTypedArray() as BigInt64Array)[0]);
    const sampler = this.sampler ?? (this.shuffle ? new RandomSampler(this.dataset, { generator: this.generator ?? undefined }) : null);
    let order: Tensor;
    if (!sampler) order = arange(this.dataset.length, { dtype: 'int64' });
    else order = sampler.order ? sampler.order() : tensor(BigInt64Array.from(sampler, (i) => BigInt(i)));
    return { order, augment };
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const { order, augment } = noGrad(() => this.startEpoch());
    const batches = this.length;
    const ds = this.dataset;
    if (isBatched(ds)) {
      const batchOf = (b: number) => order.narrow(0, b * this.batchSize, Math.min(this.batchSize, order.shape[0] - b * this.batchSize));
      const program = this.batchProgram();
      if (!program) {
        // No recordable batch (e.g. a data set with only getBatch): made here, batch by batch.
        for (let b = 0; b < batches; b++) yield noGrad(() => this.toDevice(ds.getBatch(batchOf(b))) as T);
        return;
      }
      const prefetch = this.prefetch;
      if (prefetch === 0) {
        // The same program, run on this thread when a batch is asked for.
        for (let b = 0; b < batches; b++) yield noGrad(() => program.run([augment.handle, batchOf(b).handle]).map((v) => fromNative(v)) as T);
        return;
      }
      const prefetcher = new native.PrefetchHandle(program, [augment.handle], order.handle, this.batchSize, batches, prefetch);
      try {
        for (let b = 0; b < batches; b++) {
          const next = prefetcher.next();
          if (!next) break;
          yield next.map((v) => fromNative(v)) as T;
        }
      } finally {
        prefetcher.close();
      }
      return;
    }
    const idx = order.tolist() as number[];
    for (let b = 0; b < batches; b++) {
      const items = idx.slice(b * this.batchSize, (b + 1) * this.batchSize).map((i) => ds.getItem(i));
      yield noGrad(() => this.toDevice(this.collateFn(items)) as T);
    }
  }

  /** The compiled batch pipeline (gather, device, transforms), or null when the data set has none. */
  private batchProgram(): ProgramHandle | null {
    const ds = this.dataset;
    if (!isBatched(ds) || typeof ds.emitBatch !== 'function') return null;
    const rec = new Recorder();
    const gen = rec.input();
    const idx = rec.input();
    const out = ds.emitBatch(rec, idx, { generator: gen, device: this.device });
    return out ? this.program.compile(rec.finish(out)) : null;
  }

  /**
   * @internal For Model.fit's engine: this epoch's batches made on a native
   * thread, `depth` ahead (0: made by the consumer when it asks, on its own
   * thread), for a native consumer; null when the data set has
   * no recordable batch pipeline (its batches are then made in JavaScript,
   * and nothing is drawn from the random number generators). Draws the
   * epoch's random numbers as iterating does, so both give the same batches.
   */
  nativeEpoch(depth = this.prefetch): { prefetcher: PrefetchHandle; batches: number } | null {
    const program = this.batchProgram();
    if (!program) return null;
    const { order, augment } = noGrad(() => this.startEpoch());
    const batches = this.length;
    return { prefetcher: new native.PrefetchHandle(program, [augment.handle], order.handle, this.batchSize, batches, depth), batches };
  }

  /** `for await`: the same batches, yielding to the event loop between them so a service stays responsive. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const batch of this[Symbol.iterator]() as IterableIterator<T>) {
      yield batch;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private toDevice(v: unknown): unknown {
    return this.device === 'cpu' ? v : toDevice(v, this.device);
  }
}

function toDevice(v: unknown, device: Device): unknown {
  if (v instanceof Tensor) return v.to({ device, nonBlocking: true });
  if (Array.isArray(v)) return v.map((x) => toDevice(x, device));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toDevice(x, device)]));
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
    return this.emitBatch(eager, indices) as Tensor[];
  }
  emitBatch(b: Emitter, indices: Val, { device }: BatchOptions = { generator: null, device: 'cpu' }): Val[] {
    b.where = 'TensorDataset batch';
    return this.tensors.map((t) => {
      const x = b.call('aten::index_select', t, 0, indices);
      return device === 'cpu' || t.device !== 'cpu' ? x : emitPinnedCopy(b, x, device);
    });
  }
}

export { SequentialSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, generatorFromGlobal } from './sampler';
export type { Sampler, Sized, RandomSamplerOptions } from './sampler';
export { Subset, ConcatDataset, randomSplit } from './subset';
export { RandomSampler };
