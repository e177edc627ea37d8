// Samplers, Subset, ConcatDataset and randomSplit (torch.utils.data semantics).
import * as torch from '../lib';
import { isBatched, Dataset, BatchedDataset, TensorDataset } from '../lib/data';
import { CachedProgram, eager, Emitter, Recorder, runProgram, Val } from '../lib/program';
import {
  BatchSampler,
  generatorFromGlobal,
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
} from '../lib/data/sampler';
import { ConcatDataset, randomSplit, Subset } from '../lib/data/subset';

const gen = (seed: number) => new torch.Generator().manualSeed(seed);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sized = (n: number) => ({ length: n });
const ints = (t: torch.Tensor) => t.tolist() as number[];

describe('SequentialSampler', () => {
  test('0 … n−1, following the data set length', () => {
    const ds = { length: 5 };
    const s = new SequentialSampler(ds);
    expect([...s]).toEqual([0, 1, 2, 3, 4]);
    expect(s.length).toBe(5);
    expect(s.order().dtype).toBe('int64');
    expect(ints(s.order())).toEqual([0, 1, 2, 3, 4]);
    ds.length = 2;
    expect([...s]).toEqual([0, 1]);
    expect(() => new SequentialSampler(null as never)).toThrow(TypeError);
  });
});

describe('RandomSampler', () => {
  const PERM_SEED0 = [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]; // torch.randperm(10, generator=torch.Generator().manual_seed(0))

  test('with a seeded generator: exactly PyTorch’s order', () => {
    expect([...new RandomSampler(sized(10), { generator: gen(0) })]).toEqual(PERM_SEED0);
    expect(ints(new RandomSampler(sized(10), { generator: gen(0) }).order())).toEqual(PERM_SEED0);
  });

  test('same seed → same order; other seed → other order; epochs differ', () => {
    const a = [...new RandomSampler(sized(50), { generator: gen(7) })];
    const b = [...new RandomSampler(sized(50), { generator: gen(7) })];
    const c = [...new RandomSampler(sized(50), { generator: gen(8) })];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(range(50));
    const s = new RandomSampler(sized(50), { generator: gen(7) });
    const e1 = [...s];
    const e2 = [...s];
    expect(e1).toEqual(a);
    expect(e2).not.toEqual(e1);
    // As in PyTorch, an epoch of n also draws (and drops) the empty tail `randperm(n)[:0]`,
    // so the second epoch is the generator's third permutation.
    const g = gen(7);
    torch.randperm(50, { generator: g });
    torch.randperm(50, { generator: g });
    expect(e2).toEqual(ints(torch.randperm(50, { generator: g })));
  });

  test('numSamples > n: whole permutations, then the head of one more', () => {
    const s = new RandomSampler(sized(10), { numSamples: 25, generator: gen(0) });
    expect(s.length).toBe(25);
    const got = [...s];
    const g = gen(0);
    const want = [...ints(torch.randperm(10, { generator: g })), ...ints(torch.randperm(10, { generator: g })), ...ints(torch.randperm(10, { generator: g })).slice(0, 5)];
    expect(got).toEqual(want);
    expect(got.slice(0, 10)).toEqual(PERM_SEED0);
    expect(ints(new RandomSampler(sized(10), { numSamples: 25, generator: gen(0) }).order())).toEqual(want);
    // numSamples < n: the head of one permutation.
    expect([...new RandomSampler(sized(10), { numSamples: 3, generator: gen(0) })]).toEqual(PERM_SEED0.slice(0, 3));
  });

  test('with replacement: randint chunks of 32, as PyTorch', () => {
    const s = new RandomSampler(sized(5), { replacement: true, numSamples: 70, generator: gen(3) });
    const got = [...s];
    const g = gen(3);
    const want = [
      ...ints(torch.randint(0, 5, [32], { generator: g })),
      ...ints(torch.randint(0, 5, [32], { generator: g })),
      ...ints(torch.randint(0, 5, [6], { generator: g })),
    ];
    expect(got).toEqual(want);
    expect(got.every((i) => i >= 0 && i < 5)).toBe(true);
    expect(ints(new RandomSampler(sized(5), { replacement: true, numSamples: 70, generator: gen(3) }).order())).toEqual(want);
  });

  test('order() draws exactly what iterating draws', () => {
    for (const replacement of [false, true]) {
      const g1 = gen(11);
      const g2 = gen(11);
      const viaOrder = ints(new RandomSampler(sized(9), { replacement, numSamples: 40, generator: g1 }).order());
      const viaIter = [...new RandomSampler(sized(9), { replacement, numSamples: 40, generator: g2 })];
      expect(viaOrder).toEqual(viaIter);
      expect(torch.rand(3, { generator: g1 }).equal(torch.rand(3, { generator: g2 }))).toBe(true);
    }
  });

  test('without a generator: seeded from the global stream (torch.manualSeed reproduces it)', () => {
    torch.manualSeed(123);
    const a = [...new RandomSampler(sized(20))];
    torch.manualSeed(123);
    const s = new RandomSampler(sized(20));
    const b = [...s];
    const c = [...s];
    expect(a).toEqual(b);
    expect(c).not.toEqual(b);
    torch.manualSeed(123);
    expect(ints(torch.randperm(20, { generator: generatorFromGlobal() }))).toEqual(a);
    torch.manualSeed(123);
    expect(ints(new RandomSampler(sized(20)).order())).toEqual(a);
  });

  test('validation', () => {
    expect(() => new RandomSampler(sized(0))).toThrow(RangeError);
    expect(() => new RandomSampler(sized(5), { numSamples: 0 })).toThrow(RangeError);
    expect(() => new RandomSampler(sized(5), { numSamples: 2.5 })).toThrow(TypeError);
    expect(() => new RandomSampler(sized(5), { replacement: 1 as never })).toThrow(TypeError);
    expect(() => new RandomSampler(sized(5), { generator: 42 as never })).toThrow(TypeError);
    const ds = { length: 3 };
    const s = new RandomSampler(ds, { numSamples: 4 });
    ds.length = 0;
    expect(() => [...s]).toThrow(/empty/);
  });
});

describe('SubsetRandomSampler', () => {
  test('indices[randperm(len, generator)]', () => {
    const indices = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const s = new SubsetRandomSampler(indices, { generator: gen(0) });
    expect(s.length).toBe(10);
    expect([...s]).toEqual([4, 1, 7, 5, 3, 9, 0, 8, 6, 2].map((i) => indices[i]));
    expect(ints(new SubsetRandomSampler(torch.tensor(indices), { generator: gen(0) }).order())).toEqual([...new SubsetRandomSampler(indices, { generator: gen(0) })]);
    const a = [...new SubsetRandomSampler(indices, { generator: gen(1) })];
    expect([...a].sort((x, y) => x - y)).toEqual(indices);
    expect(a).not.toEqual([...new SubsetRandomSampler(indices, { generator: gen(2) })]);
  });

  test('validation', () => {
    expect(() => new SubsetRandomSampler([1, 2.5])).toThrow(TypeError);
    expect(() => new SubsetRandomSampler('abc' as never)).toThrow(TypeError);
    expect(() => new SubsetRandomSampler(torch.tensor([0.5, 1.5]))).toThrow(TypeError);
    expect([...new SubsetRandomSampler([])]).toEqual([]);
  });
});

describe('WeightedRandomSampler', () => {
  test('frequencies follow the weights; zero weights are never drawn', () => {
    const weights = [1, 0, 3, 6];
    const s = new WeightedRandomSampler(weights, 10000, { generator: gen(0) });
    expect(s.length).toBe(10000);
    const drawn = s.order();
    expect(drawn.dtype).toBe('int64');
    const freq = range(4).map((c) => drawn.eq(c).sum().item() / 10000);
    expect(freq[1]).toBe(0);
    expect(Math.abs(freq[0] - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(freq[2] - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(freq[3] - 0.6)).toBeLessThan(0.03);
    // It is torch.multinomial over float64 weights with the same generator.
    const want = torch.tensor(weights, { dtype: 'float64' }).multinomial(10000, { replacement: true, generator: gen(0) });
    expect(drawn.equal(want)).toBe(true);
    expect([...new WeightedRandomSampler(weights, 50, { generator: gen(0) })]).toEqual(ints(want).slice(0, 50));
    expect(s.weights.dtype).toBe('float64');
  });

  test('without replacement: distinct indices of non-zero weight', () => {
    const got = [...new WeightedRandomSampler(torch.tensor([1, 0, 3, 6, 2]), 4, { replacement: false, generator: gen(5) })];
    expect(new Set(got).size).toBe(4);
    expect(got).not.toContain(1);
    expect(() => new WeightedRandomSampler([1, 0, 3], 3, { replacement: false })).toThrow(/non-zero weight/);
  });

  test('validation', () => {
    expect(() => new WeightedRandomSampler([1, -1], 2)).toThrow(/weights\[1\] = -1/);
    expect(() => new WeightedRandomSampler([1, NaN], 2)).toThrow(/NaN/);
    expect(() => new WeightedRandomSampler([1, Infinity], 2)).toThrow(RangeError);
    expect(() => new WeightedRandomSampler([0, 0], 2)).toThrow(/all be zero/);
    expect(() => new WeightedRandomSampler([], 2)).toThrow(/empty/);
    expect(() => new WeightedRandomSampler(torch.ones(2, 2), 2)).toThrow(/1-D/);
    expect(() => new WeightedRandomSampler([1, 2], 0)).toThrow(RangeError);
    expect(() => new WeightedRandomSampler([1, 2], 1.5)).toThrow(TypeError);
    expect(() => new WeightedRandomSampler([1, 'a' as never], 1)).toThrow(TypeError);
    expect(() => new WeightedRandomSampler([1, 2], 2, { replacement: 'yes' as never })).toThrow(TypeError);
  });
});

describe('BatchSampler', () => {
  test('batches with and without dropLast', () => {
    const s = new SequentialSampler(sized(10));
    const keep = new BatchSampler(s, 3, false);
    expect(keep.length).toBe(4);
    expect([...keep]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    const drop = new BatchSampler(s, 3, true);
    expect(drop.length).toBe(3);
    expect([...drop]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect([...new BatchSampler(s, 5, true)]).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    expect([...new BatchSampler([7, 8, 9], 2, false)]).toEqual([[7, 8], [9]]);
    const r = new BatchSampler(new RandomSampler(sized(10), { generator: gen(0) }), 4, false);
    expect([...r]).toEqual([[4, 1, 7, 5], [3, 9, 0, 8], [6, 2]]);
  });

  test('validation', () => {
    expect(() => new BatchSampler(new SequentialSampler(sized(3)), 0, false)).toThrow(RangeError);
    expect(() => new BatchSampler(new SequentialSampler(sized(3)), 2, undefined as never)).toThrow(TypeError);
    expect(() => new BatchSampler({} as never, 2, false)).toThrow(TypeError);
  });
});

/** A batched data set that also records its batch as operator calls. */
class EmittingDataset implements BatchedDataset<torch.Tensor[]> {
  constructor(readonly data: torch.Tensor) {}
  get length() {
    return this.data.shape[0];
  }
  getItem(i: number) {
    return [this.data.select(0, i)];
  }
  getBatch(indices: torch.Tensor) {
    return [this.data.indexSelect(0, indices)];
  }
  emitBatch(b: Emitter, indices: Val): Val[] {
    return [b.call('aten::index_select', this.data, 0, indices)];
  }
}

describe('Subset', () => {
  const x = torch.arange(10, { dtype: 'int64' }).mul(10);
  const y = torch.arange(10, { dtype: 'int64' });
  const ds = new TensorDataset(x, y);

  test('maps indices, negative ones included', () => {
    const s = new Subset(ds, [3, -1, 0]);
    expect(s.length).toBe(3);
    expect(s.indices).toEqual([3, -1, 0]);
    expect(s.getItem(0).map((t) => t.item())).toEqual([30, 3]);
    expect(s.getItem(1).map((t) => t.item())).toEqual([90, 9]);
    expect(s.getItem(-1).map((t) => t.item())).toEqual([0, 0]);
    expect(s.getItem(-3).map((t) => t.item())).toEqual([30, 3]);
    expect(() => s.getItem(3)).toThrow(RangeError);
    expect(() => s.getItem(-4)).toThrow(RangeError);
    expect(() => s.getItem(0.5)).toThrow(TypeError);
    expect(() => new Subset(ds, [10])).toThrow(RangeError);
    expect(() => new Subset(ds, [-11])).toThrow(RangeError);
    expect(() => new Subset(ds, [1.5])).toThrow(TypeError);
    expect(() => new Subset({} as never, [0])).toThrow(TypeError);
    expect(new Subset(ds, torch.tensor([2, 4])).getItem(1)[0].item()).toBe(40);
  });

  test('batched when the data set is: getBatch and emitBatch go through the indices', () => {
    const s = new Subset(ds, [3, -1, 0, 5]);
    expect(isBatched(s)).toBe(true);
    const [bx, by] = s.getBatch(torch.tensor([2, 0, 1]));
    expect(ints(bx)).toEqual([0, 30, 90]);
    expect(ints(by)).toEqual([0, 3, 9]);
    // Through the data set's emitBatch when it has one, else null.
    const emitted = s.emitBatch(eager, torch.tensor([2, 0]));
    if (typeof (ds as BatchedDataset).emitBatch === 'function') expect((emitted as torch.Tensor[]).map(ints)).toEqual([[0, 30], [0, 3]]);
    else expect(emitted).toBeNull();
    const noEmit: BatchedDataset<torch.Tensor> = { length: 10, getItem: (i) => x.select(0, i), getBatch: (idx) => x.indexSelect(0, idx) };
    const sn = new Subset(noEmit, [4, 2]);
    expect(isBatched(sn)).toBe(true);
    expect(ints(sn.getBatch(torch.tensor([1, 0])))).toEqual([20, 40]);
    expect(sn.emitBatch(eager, torch.tensor([0]))).toBeNull();

    const e = new Subset(new EmittingDataset(x), [3, -1, 0, 5]);
    const out = e.emitBatch(eager, torch.tensor([3, 1])) as torch.Tensor[];
    expect(out).toHaveLength(1);
    expect(ints(out[0])).toEqual([50, 90]);
    // Recorded as a program, it computes the same batch.
    const rec = new Recorder();
    const input = rec.input();
    const program = new CachedProgram().compile(rec.finish(e.emitBatch(rec, input) as Val[]));
    expect(ints(runProgram(program, [torch.tensor([3, 1])])[0])).toEqual([50, 90]);
    // A subset of a subset stays batched.
    const ss = new Subset(e, [3, 0]);
    expect(isBatched(ss)).toBe(true);
    expect(ints((ss.emitBatch(eager, torch.tensor([0, 1])) as torch.Tensor[])[0])).toEqual([50, 30]);
    expect(ints(ss.getBatch(torch.tensor([1]))[0])).toEqual([30]);

    const plain: Dataset<number> = { length: 4, getItem: (i) => i * 2 };
    const p = new Subset(plain, [1, 3]);
    expect(isBatched(p)).toBe(false);
    expect(p.getItem(1)).toBe(6);
    expect(() => p.getBatch(torch.tensor([0]))).toThrow(TypeError);
    expect(p.emitBatch(eager, torch.tensor([0]))).toBeNull();
  });
});

describe('ConcatDataset', () => {
  const a = new TensorDataset(torch.tensor([0, 1, 2]), torch.tensor([100, 101, 102]));
  const empty = new TensorDataset(torch.zeros([0], { dtype: 'int64' }), torch.zeros([0], { dtype: 'int64' }));
  const b = new TensorDataset(torch.tensor([10, 11, 12, 13]), torch.tensor([110, 111, 112, 113]));
  const c = new ConcatDataset([a, empty, b]);

  test('cumulative sizes, indexing with bisect, negative indices', () => {
    expect(c.length).toBe(7);
    expect(c.cumulativeSizes).toEqual([3, 3, 7]);
    expect(range(7).map((i) => c.getItem(i)[0].item())).toEqual([0, 1, 2, 10, 11, 12, 13]);
    expect(c.getItem(-1)[0].item()).toBe(13);
    expect(c.getItem(-7)[0].item()).toBe(0);
    expect(c.locate(3)).toEqual([2, 0]);
    expect(() => c.getItem(7)).toThrow(RangeError);
    expect(() => c.getItem(-8)).toThrow(RangeError);
    expect(() => new ConcatDataset([])).toThrow(RangeError);
    expect(() => new ConcatDataset([a, 5 as never])).toThrow(TypeError);
  });

  test('getBatch: one getBatch per part, concatenated in the order of the indices', () => {
    expect(isBatched(c)).toBe(true);
    const [x, y] = c.getBatch(torch.tensor([6, 0, 4, 2, -1, 3]));
    expect(ints(x)).toEqual([13, 0, 11, 2, 13, 10]);
    expect(ints(y)).toEqual([113, 100, 111, 102, 113, 110]);
    const [sx] = c.getBatch(torch.tensor([0, 1, 3]));
    expect(ints(sx)).toEqual([0, 1, 10]);
    expect(c.getBatch(torch.tensor([5]))[0].shape).toEqual([1]);
    expect(() => c.getBatch(torch.tensor([7]))).toThrow(RangeError);

    // Objects of tensors are concatenated field by field.
    const obj = (base: number): BatchedDataset<{ v: torch.Tensor }> => ({
      length: 2,
      getItem: (i) => ({ v: torch.tensor(base + i) }),
      getBatch: (idx) => ({ v: idx.add(base) }),
    });
    const co = new ConcatDataset([obj(0), obj(50)]);
    expect(ints(co.getBatch(torch.tensor([3, 0, 2])).v)).toEqual([51, 0, 50]);

    const withPlain = new ConcatDataset<unknown>([a, { length: 1, getItem: () => 0 }]);
    expect(isBatched(withPlain)).toBe(false);
    expect(() => withPlain.getBatch(torch.tensor([0]))).toThrow(TypeError);
  });
});

describe('randomSplit', () => {
  const ds = (n: number): Dataset<number> => ({ length: n, getItem: (i) => i });
  const sizes = (parts: Subset<number>[]) => parts.map((p) => p.length);

  test('fractions: floor, then the remainder round-robin', () => {
    expect(sizes(randomSplit(ds(10), [0.8, 0.2]))).toEqual([8, 2]);
    expect(sizes(randomSplit(ds(7), [0.33, 0.33, 0.34]))).toEqual([3, 2, 2]);
    expect(sizes(randomSplit(ds(5), [0.5, 0.5]))).toEqual([3, 2]);
    expect(sizes(randomSplit(ds(11), [0.25, 0.25, 0.25, 0.25]))).toEqual([3, 3, 3, 2]);
    expect(sizes(randomSplit(ds(3), [0.1, 0.1, 0.8]))).toEqual([1, 0, 2]);
    expect(sizes(randomSplit(ds(6), [3, 3]))).toEqual([3, 3]);
    expect(sizes(randomSplit(ds(1), [1]))).toEqual([1]);
  });

  test('disjoint, covering, and randperm(n, generator) sliced in order', () => {
    const parts = randomSplit(ds(20), [0.5, 0.3, 0.2], { generator: gen(0) });
    const all = parts.flatMap((p) => range(p.length).map((i) => p.getItem(i)));
    expect([...all].sort((u, v) => u - v)).toEqual(range(20));
    expect(all).toEqual(ints(torch.randperm(20, { generator: gen(0) })));
    const again = randomSplit(ds(20), [0.5, 0.3, 0.2], { generator: gen(0) });
    expect(again.map((p) => p.indices)).toEqual(parts.map((p) => p.indices));
    const other = randomSplit(ds(20), [0.5, 0.3, 0.2], { generator: gen(1) });
    expect(other.map((p) => p.indices)).not.toEqual(parts.map((p) => p.indices));
    torch.manualSeed(4);
    const g1 = randomSplit(ds(20), [10, 10]).map((p) => p.indices);
    torch.manualSeed(4);
    expect(randomSplit(ds(20), [10, 10]).map((p) => p.indices)).toEqual(g1);
  });

  test('splits of a batched data set are batched', () => {
    const t = new TensorDataset(torch.arange(8, { dtype: 'int64' }));
    const [p] = randomSplit(t, [4, 4], { generator: gen(2) });
    expect(isBatched(p)).toBe(true);
    expect(ints(p.getBatch(torch.tensor([0, 1, 2, 3]))[0])).toEqual([...p.indices]);
  });

  test('errors', () => {
    expect(() => randomSplit(ds(10), [5, 4])).toThrow(/sum to 9/);
    expect(() => randomSplit(ds(10), [0.5, 0.4])).toThrow(RangeError);
    expect(() => randomSplit(ds(10), [-0.5, 1.5])).toThrow(/between 0 and 1/);
    expect(() => randomSplit(ds(10), [2.5, 7.5])).toThrow(/non-negative integer/);
    expect(() => randomSplit(ds(10), [])).toThrow(TypeError);
    expect(() => randomSplit(ds(10), [5, 'a' as never])).toThrow(TypeError);
    expect(() => randomSplit(ds(10), [5, 5], { generator: {} as never })).toThrow(TypeError);
  });
});
