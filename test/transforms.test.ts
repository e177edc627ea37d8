// Transforms against torchvision (fixtures from scripts/make_vision_fixtures.py),
// and the batch pipeline of the DataLoader: seeded, native, equal to per-item.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { decode, Encoded, maxAbsDiff } from './helpers';

const T = torch.vision.transforms;
const TF = T.functional;
const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'vision.json'), 'utf8')) as {
  images: Record<string, Encoded>;
  cases: { name: string; image: string; fn: string; args: Record<string, unknown>; out: Encoded }[];
};
const images = Object.fromEntries(Object.entries(fixtures.images).map(([k, v]) => [k, decode(v)]));

function apply(fn: string, img: torch.Tensor, a: Record<string, unknown>): torch.Tensor {
  const opts = { interpolation: a.interpolation as 'nearest' | 'bilinear', fill: a.fill as number, center: a.center as [number, number] };
  switch (fn) {
    case 'rotate':
      return TF.rotate(img, a.angle as number, opts);
    case 'affine':
      return TF.affine(img, { angle: a.angle as number, translate: a.translate as [number, number], scale: a.scale as number, shear: a.shear as [number, number], ...opts });
    case 'resize':
      return TF.resize(img, a.size as number, { interpolation: (a.interpolation as 'nearest') ?? 'bilinear' });
    case 'centerCrop':
      return TF.centerCrop(img, a.size as number);
    case 'pad':
      return TF.pad(img, a.padding as number[], { fill: a.fill as number, paddingMode: a.paddingMode as 'edge' });
    case 'crop':
      return TF.crop(img, a.top as number, a.left as number, a.height as number, a.width as number);
    case 'resizedCrop':
      return TF.resizedCrop(img, a.top as number, a.left as number, a.height as number, a.width as number, a.size as number[]);
    case 'hflip':
      return TF.hflip(img);
    case 'rgbToGrayscale':
      return TF.rgbToGrayscale(img, a.numOutputChannels as 1 | 3);
    case 'normalize':
      return TF.normalize(img, a.mean as number[], a.std as number[]);
    default:
      throw new Error(`no case ${fn}`);
  }
}

describe('functional transforms equal torchvision on fixed inputs and parameters', () => {
  test.each(fixtures.cases.map((c) => [`${c.image}: ${c.name}`, c] as const))('%s', (_, c) => {
    const out = apply(c.fn, images[c.image], c.args);
    expect(out.dtype).toBe(c.out.dtype);
    // uint8: resampling rounds, and torchvision's uint8 antialias kernel is fixed-point: within 1 level.
    // float: within 1e-5, except float32 bilinear resampling rounding at 1e-4.
    const tol = c.out.dtype === 'uint8' ? (c.fn === 'resize' || c.fn === 'resizedCrop' || c.args.interpolation === 'bilinear' ? 1 : 0) : 1e-4;
    expect(maxAbsDiff(out, c.out)).toBeLessThanOrEqual(tol);
  });

  test('a random rotation with a fixed angle is that rotation, per item and per batch', () => {
    const x = images.gray;
    const want = TF.rotate(x, 25, { fill: 0 });
    expect(T.RandomRotation([25, 25])(x).equal(want)).toBe(true);
    const batch = torch.stack([x, x, x]);
    const ctxShape = x.shape as [number, number, number];
    const rec = new (require('../lib/program').Recorder)();
    const inp = rec.input();
    const out = T.RandomRotation([25, 25]).emitBatch!(rec, inp, { shape: ctxShape, dtype: 'uint8', generator: null, device: 'cpu' });
    const program = new (require('../lib/native').native.ProgramHandle)(rec.finish([out]));
    const [y] = require('../lib/program').runProgram(program, [batch]) as torch.Tensor[];
    for (let i = 0; i < 3; i++) expect(y.select(0, i).equal(want)).toBe(true);
  });
});

describe('random transforms', () => {
  const mnistRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-tf-'));
  const augment = () =>
    T.Compose([
      T.RandomAffine(20, { translate: [0.1, 0.1], scale: [0.8, 1.2], shear: [-5, 5, -5, 5] }),
      T.RandomResizedCrop(28, { scale: [0.5, 1] }),
      T.RandomHorizontalFlip(),
      T.ToTensor(),
      T.Normalize([0.1307], [0.3081]),
      T.RandomErasing({ p: 0.5 }),
    ]);
  const ds = new torch.vision.datasets.MNIST(mnistRoot, { transform: augment() });

  function epochSums(seed: number | null, prefetch: number, batches = 5): number[][] {
    const loader = new torch.data.DataLoader(ds, { batchSize: 16, shuffle: true, prefetch, generator: seed === null ? undefined : new torch.Generator().manualSeed(seed) });
    const out: number[][] = [];
    for (const [x, y] of loader) {
      out.push([x.sum().item() as number, ...(y.tolist() as number[])]);
      if (out.length === batches) break;
    }
    return out;
  }

  test('same seed, same batches and augmentations (native prefetch or not); different seed, different', () => {
    const a = epochSums(7, 2);
    expect(epochSums(7, 2)).toEqual(a);
    expect(epochSums(7, 0)).toEqual(a);
    expect(epochSums(8, 2)).not.toEqual(a);
    torch.manualSeed(3);
    const g1 = epochSums(null, 2);
    torch.manualSeed(3);
    expect(epochSums(null, 2)).toEqual(g1);
  });

  test('the second epoch differs from the first, and depends only on the seed', () => {
    const loader = () => new torch.data.DataLoader(ds, { batchSize: 32, shuffle: true, generator: new torch.Generator().manualSeed(1) });
    const take = (l: torch.data.DataLoader) => {
      const it = l[Symbol.iterator]();
      const first = it.next().value as [torch.Tensor, torch.Tensor];
      it.return?.();
      return first[0].sum().item() as number;
    };
    const l1 = loader();
    const e1 = take(l1);
    const e2 = take(l1);
    expect(e2).not.toBe(e1);
    const l2 = loader();
    expect(take(l2)).toBe(e1);
    expect(take(l2)).toBe(e2);
  });

  test('the augmentations actually vary per image and keep shapes and labels', () => {
    const raw = new torch.vision.datasets.MNIST(mnistRoot, { transform: T.Compose([T.ToTensor(), T.Normalize([0.1307], [0.3081])]) });
    const idx = torch.tensor([0, 0, 0, 0, 1, 2]);
    const [xa, ya] = ds.getBatch(idx);
    const [xr, yr] = raw.getBatch(idx);
    expect(xa.shape).toEqual([6, 1, 28, 28]);
    expect(ya.tolist()).toEqual(yr.tolist());
    // Four copies of image 0: augmented differently from each other and from the original.
    expect(xa.select(0, 0).equal(xa.select(0, 1))).toBe(false);
    expect(xa.select(0, 0).equal(xr.select(0, 0))).toBe(false);
    // Normalised values stay in the normalised range of [0, 1] pixels (or erased to 0).
    expect(xa.min().item()).toBeGreaterThanOrEqual(-0.4243 - 1e-3);
    expect(xa.max().item()).toBeLessThanOrEqual(2.8215 + 1e-3);
  });

  test('RandomHorizontalFlip(1) flips, RandomErasing(p=1, value 9) erases a box within the limits', () => {
    const x = images.gray;
    expect(T.RandomHorizontalFlip(1)(x).equal(x.flip(-1))).toBe(true);
    expect(T.RandomHorizontalFlip(0)(x).equal(x)).toBe(true);
    const f = torch.zeros(2, 20, 20);
    torch.manualSeed(1);
    const e = T.RandomErasing({ p: 1, value: 9, scale: [0.1, 0.1], ratio: [1, 1] })(f);
    const erased = e.eq(9).sum().item() as number;
    // area 0.1 × 400 = 40 with ratio 1: a box of round(√40) = 6 × 6, in both channels.
    expect(erased).toBe(2 * 36);
  });

  test('Grayscale(3) makes 3 equal channels from MNIST for ImageNet-style models; Resize and CenterCrop', () => {
    const g = new torch.vision.datasets.MNIST(mnistRoot, { transform: T.Compose([T.Grayscale({ numOutputChannels: 3 }), T.Resize(32), T.CenterCrop(30), T.ToTensor()]) });
    const [x] = g.getBatch(torch.tensor([5, 6]));
    expect(x.shape).toEqual([2, 3, 30, 30]);
    expect(x.select(1, 0).equal(x.select(1, 2))).toBe(true);
    const [one] = g.getItem(5);
    expect(one.shape).toEqual([3, 30, 30]);
    expect(one.sub(x.select(0, 0)).abs().max().item()).toBeLessThan(1e-6);
  });

  test('a batch equals the same transform applied per item when it is deterministic', () => {
    const t = T.Compose([T.Pad(3, { paddingMode: 'reflect' }), T.Resize([20, 24]), T.CenterCrop(18), T.ToTensor(), T.Normalize([0.5], [0.2])]);
    const d = new torch.vision.datasets.MNIST(mnistRoot, { transform: t });
    const [xb] = d.getBatch(torch.tensor([3, 4]));
    expect(xb.select(0, 1).sub(d.getItem(4)[0]).abs().max().item()).toBeLessThan(1e-6);
  });

  test('bad arguments are clear errors', () => {
    expect(() => T.RandomRotation([10, 5])).toThrow(/min \(10\) must not exceed max \(5\)/);
    expect(() => T.RandomAffine(10, { translate: [2, 0] } as never)).toThrow(/between 0 and 1/);
    expect(() => T.RandomAffine(10, { bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => T.RandomErasing({ p: 2 })).toThrow(/p must be in \[0, 1\]/);
    expect(() => T.Pad([1, 2, 3])).toThrow(/padding must be/);
    expect(() => T.RandomCrop(40)(images.gray)).toThrow(/larger than the \(padded\) image/);
    expect(() => T.Normalize([0.5], [0.5])(images.gray)).toThrow(/needs a float image/);
    expect(() => T.Grayscale({ numOutputChannels: 2 as never })).toThrow(/numOutputChannels must be 1 or 3/);
    expect(() => T.RandomRotation(10)('x' as never)).toThrow(/RandomRotation input must be a Tensor image/);
  });
});

describe('DataLoader', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-dl-'));
  const plain = new torch.vision.datasets.MNIST(root, { train: false, transform: T.Compose([T.ToTensor(), T.Normalize([0.1307], [0.3081])]) });

  test('native prefetch gives the same batches as making them on this thread, and covers the epoch once', () => {
    const run = (prefetch: number) => {
      const l = new torch.data.DataLoader(plain, { batchSize: 1000, shuffle: true, prefetch, generator: new torch.Generator().manualSeed(2) });
      const ys: number[] = [];
      const sums: number[] = [];
      for (const [x, y] of l) {
        ys.push(...(y.tolist() as number[]));
        sums.push(x.sum().item() as number);
      }
      return { ys, sums };
    };
    const a = run(3);
    const b = run(0);
    expect(a).toEqual(b);
    expect(a.ys.length).toBe(10000);
    const counts = Array.from({ length: 10 }, (_, c) => a.ys.filter((y) => y === c).length);
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  test('the shuffled order is PyTorch DataLoader\'s for the same seed, epoch after epoch', () => {
    // From PyTorch 2.11: DataLoader(TensorDataset(arange(10)), batch_size=4, shuffle=True, generator=Generator().manual_seed(0)),
    // and the same after torch.manual_seed(5) without a generator; two epochs each.
    const ds = new torch.data.TensorDataset(torch.arange(10));
    const epoch = (l: torch.data.DataLoader<torch.Tensor[]>) => [...l].map((b) => b[0].tolist());
    const g = new torch.data.DataLoader<torch.Tensor[]>(ds, { batchSize: 4, shuffle: true, generator: new torch.Generator().manualSeed(0) });
    expect([epoch(g), epoch(g)]).toEqual([
      [[3, 7, 5, 2], [0, 8, 1, 6], [9, 4]],
      [[1, 3, 2, 7], [5, 9, 0, 6], [4, 8]],
    ]);
    torch.manualSeed(5);
    const l = new torch.data.DataLoader<torch.Tensor[]>(ds, { batchSize: 4, shuffle: true });
    expect([epoch(l), epoch(l)]).toEqual([
      [[8, 3, 0, 5], [9, 1, 6, 2], [4, 7]],
      [[5, 8, 9, 7], [2, 0, 4, 1], [3, 6]],
    ]);
  });

  test('breaking out early stops the prefetch thread; the next epoch starts cleanly', () => {
    const l = new torch.data.DataLoader(plain, { batchSize: 10, prefetch: 4 });
    for (const _ of l) break;
    let n = 0;
    for (const [x] of l) {
      expect(x.shape[0]).toBeLessThanOrEqual(10);
      n++;
    }
    expect(n).toBe(1000);
  });

  test('samplers, dropLast, length and for await', async () => {
    const sub = new torch.data.SubsetRandomSampler([1, 3, 5, 7, 9, 11, 13], { generator: new torch.Generator().manualSeed(0) });
    const l = new torch.data.DataLoader(plain, { batchSize: 3, sampler: sub, dropLast: true });
    expect(l.length).toBe(2);
    const seen: number[] = [];
    for await (const [x, y] of l) {
      expect(x.shape).toEqual([3, 1, 28, 28]);
      seen.push(...(y.tolist() as number[]));
    }
    expect(seen.length).toBe(6);
    expect(() => new torch.data.DataLoader(plain, { sampler: sub, shuffle: true })).toThrow(/mutually exclusive/);
    expect(() => new torch.data.DataLoader(plain, { batchsize: 3 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => new torch.data.DataLoader(plain, { generator: 1 as never })).toThrow(/generator must be a torch.Generator/);
  });

  test('a Lambda transform or a user data set goes item by item through collateFn', () => {
    const lam = new torch.vision.datasets.MNIST(root, { train: false, transform: T.Compose([T.ToTensor(), T.Lambda((x) => x.mul(2))]) });
    expect(lam.batchable).toBe(false);
    const [x, y] = new torch.data.DataLoader(lam, { batchSize: 4 })[Symbol.iterator]().next().value as [torch.Tensor, torch.Tensor];
    expect(x.shape).toEqual([4, 1, 28, 28]);
    expect(x.max().item()).toBeCloseTo(2, 5);
    expect(y.dtype).toBe('int64');
    const mine = { length: 5, getItem: (i: number) => ({ v: torch.full([2], i), label: i % 2 }) };
    const batches = [...new torch.data.DataLoader(mine, { batchSize: 2, collateFn: (items) => items.length })];
    expect(batches).toEqual([2, 2, 1]);
    const [first] = [...new torch.data.DataLoader<{ v: torch.Tensor; label: torch.Tensor }>(mine, { batchSize: 5 })];
    expect(first.v.shape).toEqual([5, 2]);
    expect(first.label.tolist()).toEqual([0, 1, 0, 1, 0]);
  });

  test('a Subset of a vision data set keeps the native batch path', () => {
    const sub = new torch.data.Subset(plain, [10, 20, 30]);
    const [x, y] = [...new torch.data.DataLoader(sub, { batchSize: 3 })][0] as [torch.Tensor, torch.Tensor];
    expect(y.tolist()).toEqual([plain.targets.select(0, 10).item(), plain.targets.select(0, 20).item(), plain.targets.select(0, 30).item()]);
    expect(x.select(0, 2).sub(plain.getItem(30)[0]).abs().max().item()).toBe(0);
  });

  test('an error in the batch pipeline surfaces as a JS error naming the step', () => {
    const bad = new torch.vision.datasets.MNIST(root, { train: false, transform: T.Compose([T.ToTensor(), T.Normalize([0.1, 0.2], [0.3, 0.3])]) });
    expect(() => [...new torch.data.DataLoader(bad, { batchSize: 8 })]).toThrow(/Normalize: 2 means for 1 channels/);
  });
});
