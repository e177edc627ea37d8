// torch.utils.data samplers: the order in which a DataLoader reads a data set.
// Each draws its random numbers exactly as torch/utils/data/sampler.py does, so
// a seeded torch.Generator (or torch.manualSeed) gives PyTorch's order.
import { argError, checkBool, checkInt } from '../errors';
import { arange, cat, checkGenerator, empty, randint, randperm, tensor } from '../creation';
import { isFloatingDtype } from '../dtype';
import { Generator } from '../generator';
import { callOp } from '../ops';
import { Tensor } from '../tensor';

/**
 * A sampler: iterating it yields the indices of one epoch (a new order each
 * time for the random ones). `order()`, when present, returns the same epoch
 * at once as an int64 tensor, drawing exactly the random numbers iterating
 * would. Any iterable of numbers with a `length` (an array, say) is a Sampler.
 */
export interface Sampler extends Iterable<number> {
  readonly length: number;
  order?(): Tensor;
}

/** What a sampler samples from: anything with a length (a Dataset). */
export interface Sized {
  readonly length: number;
}

function checkSized(name: string, v: unknown): Sized {
  if (!v || typeof v !== 'object' || typeof (v as Sized).length !== 'number') argError(name, 'a data set (an object with a length)', v);
  return v as Sized;
}

function sizeOf(ds: Sized): number {
  return checkInt('len(dataSource)', ds.length, { min: 0 });
}

function longTensor(values: readonly number[]): Tensor {
  return tensor(BigInt64Array.from(values, (v) => BigInt(v)));
}

function asNumbers(t: Tensor): number[] {
  return t.tolist() as number[];
}

/**
 * A generator seeded from the global random stream, as RandomSampler does
 * without one: PyTorch draws `seed = torch.empty((), dtype=torch.int64).random_()`
 * from the default generator and seeds a fresh torch.Generator with it. The
 * same operator runs here (the seed read as a bigint, all 63 bits), so after
 * `torch.manualSeed(s)` the order is PyTorch's for the same seed.
 */
export function generatorFromGlobal(): Generator {
  const s = empty([], { dtype: 'int64' });
  callOp('aten::random_', s, undefined);
  return new Generator().manualSeed((s.toTypedArray() as BigInt64Array)[0]);
}

/** Indices 0, 1, …, length − 1 of the data set, in order. */
export class SequentialSampler implements Sampler {
  readonly dataSource: Sized;
  constructor(dataSource: Sized) {
    this.dataSource = checkSized('dataSource', dataSource);
  }
  get length(): number {
    return sizeOf(this.dataSource);
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield i;
  }
  order(): Tensor {
    return arange(this.length, { dtype: 'int64' });
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (default false). */
  replacement?: boolean;
  /** Indices per epoch (default: the data set's length, read at each epoch). */
  numSamples?: number;
  /** Where the random numbers come from (default: a generator seeded from the global stream each epoch). */
  generator?: Generator;
}

/**
 * Random indices of the data set: a permutation per epoch (repeated when
 * numSamples > length), or numSamples draws with replacement. As PyTorch:
 * without replacement, `randperm(n, generator)` per full pass then the first
 * `numSamples % n` of one more (drawn even when that is none, as PyTorch
 * does, so each epoch of numSamples = n draws two permutations); with
 * replacement, `randint(n, [32], generator)` chunks then one of
 * `numSamples % 32`.
 */
export class RandomSampler implements Sampler {
  readonly dataSource: Sized;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly numSamplesOption: number | undefined;

  constructor(dataSource: Sized, { replacement = false, numSamples, generator }: RandomSamplerOptions = {}) {
    this.dataSource = checkSized('dataSource', dataSource);
    this.replacement = checkBool('replacement', replacement);
    if (numSamples !== undefined && numSamples !== null) checkInt('numSamples', numSamples, { min: 1 });
    this.numSamplesOption = numSamples ?? undefined;
    this.generator = generator === undefined || generator === null ? undefined : checkGenerator(generator);
    const num = this.numSamples;
    if (num < 1) throw new RangeError(`RandomSampler: numSamples must be a positive integer, got ${num} (the data set is empty)`);
  }

  /** The number of indices per epoch (the data set's current length unless given). */
  get numSamples(): number {
    return this.numSamplesOption ?? sizeOf(this.dataSource);
  }
  get length(): number {
    return this.numSamples;
  }

  private start(): { n: number; num: number; generator: Generator } {
    const n = sizeOf(this.dataSource);
    if (n === 0) throw new RangeError('RandomSampler: cannot sample from an empty data set');
    return { n, num: this.numSamples, generator: this.generator ?? generatorFromGlobal() };
  }

  *[Symbol.iterator](): Iterator<number> {
    const { n, num, generator } = this.start();
    if (this.replacement) {
      for (let i = 0; i < Math.floor(num / 32); i++) yield* asNumbers(randint(0, n, [32], { generator }));
      yield* asNumbers(randint(0, n, [num % 32], { generator }));
    } else {
      for (let i = 0; i < Math.floor(num / n); i++) yield* asNumbers(randperm(n, { generator }));
      yield* asNumbers(randperm(n, { generator })).slice(0, num % n);
    }
  }

  order(): Tensor {
    const { n, num, generator } = this.start();
    const parts: Tensor[] = [];
    if (this.replacement) {
      for (let i = 0; i < Math.floor(num / 32); i++) parts.push(randint(0, n, [32], { generator }));
      parts.push(randint(0, n, [num % 32], { generator }));
    } else {
      for (let i = 0; i < Math.floor(num / n); i++) parts.push(randperm(n, { generator }));
      parts.push(randperm(n, { generator }).narrow(0, 0, num % n));
    }
    return parts.length === 1 ? parts[0] : cat(parts);
  }
}

/** An array of integers or a 1-D integer tensor, as numbers. */
export function checkIndices(name: string, indices: unknown): number[] {
  if (indices instanceof Tensor) {
    if (indices.dim() !== 1) throw new RangeError(`${name} must be 1-D, got shape [${indices.shape.join(', ')}]`);
    if (isFloatingDtype(indices.dtype) || indices.dtype === 'bool') throw new TypeError(`${name} must be an integer tensor, got a ${indices.dtype} tensor`);
    return asNumbers(indices);
  }
  const list = ArrayBuffer.isView(indices) && !(indices instanceof DataView) ? Array.from(indices as unknown as ArrayLike<number | bigint>, Number) : indices;
  if (!Array.isArray(list)) argError(name, 'an array of integers or a 1-D integer tensor', indices);
  (list as unknown[]).forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) argError(`${name}[${i}]`, 'an integer', v);
  });
  return (list as number[]).slice();
}

/** The given indices in a random order (`indices[randperm(len(indices), generator)]`). */
export class SubsetRandomSampler implements Sampler {
  readonly indices: readonly number[];
  readonly generator: Generator | undefined;
  private indicesTensor: Tensor | null = null;

  constructor(indices: readonly number[] | Tensor, { generator }: { generator?: Generator } = {}) {
    this.indices = checkIndices('indices', indices);
    this.generator = generator === undefined || generator === null ? undefined : checkGenerator(generator);
  }
  get length(): number {
    return this.indices.length;
  }
  private perm(): Tensor {
    return randperm(this.indices.length, this.generator ? { generator: this.generator } : undefined);
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of asNumbers(this.perm())) yield this.indices[i];
  }
  order(): Tensor {
    this.indicesTensor ??= longTensor(this.indices);
    return this.indicesTensor.indexSelect(0, this.perm());
  }
}

/**
 * numSamples indices drawn with probabilities proportional to `weights` (one
 * per item, non-negative, not all zero): `torch.multinomial(weights as
 * float64, numSamples, replacement, generator)`. Without replacement each index
 * comes at most once, so numSamples cannot exceed the number of non-zero weights.
 */
export class WeightedRandomSampler implements Sampler {
  /** The weights, as a float64 vector. */
  readonly weights: Tensor;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | undefined;

  constructor(
    weights: readonly number[] | Float64Array | Float32Array | Tensor,
    numSamples: number,
    { replacement = true, generator }: { replacement?: boolean; generator?: Generator } = {},
  ) {
    this.numSamples = checkInt('numSamples', numSamples, { min: 1 });
    this.replacement = checkBool('replacement', replacement);
    this.generator = generator === undefined || generator === null ? undefined : checkGenerator(generator);
    let w: Tensor;
    if (weights instanceof Tensor) {
      if (weights.dtype === 'bool') throw new TypeError('weights must be a tensor of numbers, got a bool tensor');
      w = weights.detach().to({ device: 'cpu', dtype: 'float64', copy: true });
    } else if (weights instanceof Float64Array || weights instanceof Float32Array) {
      w = tensor(Float64Array.from(weights));
    } else if (Array.isArray(weights)) {
      weights.forEach((v, i) => typeof v !== 'number' && argError(`weights[${i}]`, 'a number', v));
      w = tensor(Float64Array.from(weights as number[]));
    } else {
      w = argError('weights', 'an array of numbers, a Float64Array or a 1-D tensor', weights);
    }
    if (w.dim() !== 1) throw new RangeError(`WeightedRandomSampler: weights must be 1-D, got shape [${w.shape.join(', ')}]`);
    if (w.numel() === 0) throw new RangeError('WeightedRandomSampler: weights must not be empty');
    const values = w.toTypedArray() as Float64Array;
    let positive = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v) || v < 0 || v === Infinity) {
        throw new RangeError(`WeightedRandomSampler: weights must be finite and non-negative, got weights[${i}] = ${v}`);
      }
      if (v > 0) positive++;
    }
    if (positive === 0) throw new RangeError('WeightedRandomSampler: weights must not all be zero');
    if (!this.replacement && this.numSamples > positive) {
      throw new RangeError(
        `WeightedRandomSampler: cannot draw ${this.numSamples} samples without replacement from ${positive} items of non-zero weight`,
      );
    }
    this.weights = w;
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* asNumbers(this.order());
  }
  order(): Tensor {
    return this.weights.multinomial(this.numSamples, { replacement: this.replacement, generator: this.generator });
  }
}

/**
 * Groups another sampler's indices into batches of batchSize (the last one
 * smaller unless dropLast): `for (const batch of new BatchSampler(s, 32, false))`.
 */
export class BatchSampler implements Iterable<number[]> {
  readonly sampler: Sampler;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Sampler, batchSize: number, dropLast: boolean) {
    if (!sampler || typeof (sampler as Sampler)[Symbol.iterator] !== 'function' || typeof sampler.length !== 'number') {
      argError('sampler', 'a Sampler (an iterable of indices with a length)', sampler);
    }
    this.sampler = sampler;
    this.batchSize = checkInt('batchSize', batchSize, { min: 1 });
    this.dropLast = checkBool('dropLast', dropLast);
  }
  /** The number of batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
