// Replays the inputs that broke a reader (test/fixtures/fuzz/, found by the fuzz targets of
// fuzz/, see docs/fuzzing.md) and hostile pickles found by reading the unpickler: each gives
// a result or the reader's own typed error, never another exception.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { TorchFileError, unpickle, StorageRef, readTorchFile } from '../lib/torchfile';
import { parseSafetensors, SafetensorsError } from '../lib/serialization';
import { IdxFormatError, readIdx, readIdxHeader } from '../lib/vision/idx';
import { native } from '../lib/native';
import { ITEM_SIZE } from '../lib/dtype';

const DIR = path.join(__dirname, 'fixtures', 'fuzz');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-fuzzreg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A storage as the pickle fuzz target makes it: zeros, at most 64 elements. */
const storage = (ref: StorageRef) => {
  const numel = Math.min(ref.numel, 64);
  return new torch.Tensor(native.fromBuffer(Buffer.alloc(numel * ITEM_SIZE[ref.dtype]), [numel], ref.dtype));
};

/** What each target does with an input, as in fuzz/targets/<target>.js; throws only unexpected errors. */
const REPLAY: Record<string, (data: Buffer) => void> = {
  'torch-load': (data) => expectTyped(() => readTorchFile(data, 'fuzz.pt', { maxInflatedBytes: 1 << 20 }), TorchFileError),
  pickle: (data) => expectTyped(() => unpickle(data, 'fuzz.pkl', storage), TorchFileError),
  safetensors: (data) => expectTyped(() => parseSafetensors(data, 'fuzz.safetensors'), SafetensorsError),
  idx: (data) => {
    const file = path.join(tmp, data[0] & 1 ? 'f-idx3-ubyte.gz' : 'f-idx3-ubyte');
    fs.writeFileSync(file, data.subarray(1));
    const h = expectTyped(() => readIdxHeader(file, { maxBytes: 1 << 22 }), IdxFormatError);
    const t = expectTyped(() => readIdx(file, { maxBytes: 1 << 22 }), IdxFormatError);
    if (t.ok) expect(h.ok && (t.value as torch.Tensor).shape).toEqual(h.ok && (h.value as { shape: number[] }).shape);
  },
};

function expectTyped(fn: () => unknown, cls: new (...a: never[]) => Error): { ok: boolean; value?: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return { ok: false };
  }
}

describe('inputs found by the fuzz targets', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.bin'));
  test('there are regression inputs, each named after its target', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(Object.keys(REPLAY).some((t) => f.startsWith(`${t}-`))).toBe(true);
  });
  test.each(files)('%s gives a result or a typed error', (f) => {
    const target = Object.keys(REPLAY).find((t) => f.startsWith(`${t}-`))!;
    REPLAY[target](fs.readFileSync(path.join(DIR, f)));
  });

  test('an IDX file with an empty dimension and huge others is refused by name, not by LibTorch', () => {
    const data = fs.readFileSync(path.join(DIR, 'idx-empty-dim-stride-overflow.bin'));
    const file = path.join(tmp, 'f-idx3-ubyte');
    fs.writeFileSync(file, data.subarray(1));
    expect(() => readIdx(file)).toThrow(/are absurdly large \(more than 2\^34 elements, not counting the empty dimensions\)/);
  });

  test('a safetensors tensor with an empty dimension and huge others is refused', () => {
    const json = Buffer.from(JSON.stringify({ a: { dtype: 'F32', shape: [0, 2 ** 40, 2 ** 40], data_offsets: [0, 0] } }));
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(json.length));
    expect(() => parseSafetensors(Buffer.concat([head, json]))).toThrow(/impossibly large shape/);
  });
});

describe('hostile pickles give TorchFileError', () => {
  const P = (...parts: (number[] | string)[]) => Buffer.concat([Buffer.from([0x80, 0x02]), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))]);
  const load = (pkl: Buffer) => unpickle(pkl, 'h.pkl', storage);
  const CASES: [string, Buffer, RegExp][] = [
    ['STACK_GLOBAL of two marks, called', P([0x28, 0x28, 0x93, 0x29, 0x52, 0x2e]), /stack underflow|non-string/],
    ['APPEND to None', P([0x4e, 0x4e, 0x61, 0x2e]), /APPEND to a non-list/],
    ['APPENDS to None', P([0x4e, 0x28, 0x4b, 1, 0x65, 0x2e]), /APPENDS to a non-list/],
    ['torch.Size of a number', P('ctorch\nSize\n', [0x4b, 1, 0x85, 0x52, 0x2e]), /torch\.Size: expected a list or tuple/],
    ['builtins.set of a number', P('cbuiltins\nset\n', [0x4b, 1, 0x85, 0x52, 0x2e]), /builtins\.set: expected a list or tuple/],
    ['REDUCE with arguments that are not a tuple', P('ccollections\nOrderedDict\n', [0x4b, 1, 0x52, 0x2e]), /are not a tuple/],
    ['STOP with only a mark', P([0x28, 0x2e]), /stack underflow/],
    ['_rebuild_parameter of None', P('ctorch._utils\n_rebuild_parameter\n', [0x4e, 0x88, 0x86, 0x52, 0x2e]), /_rebuild_parameter: no tensor/],
    [
      'a storage type named like an Object method',
      P([0x28], 'X', [7, 0, 0, 0], 'storage', 'ctorch\nconstructor\n', 'X', [1, 0, 0, 0], '0', 'X', [3, 0, 0, 0], 'cpu', [0x4b, 1, 0x74, 0x51, 0x2e]),
      /unsupported storage type constructor/,
    ],
    [
      'an int64 storage rebuilt with requires_grad',
      P('ctorch._utils\n_rebuild_tensor_v2\n', [0x28, 0x28], 'X', [7, 0, 0, 0], 'storage', 'ctorch\nLongStorage\n', 'X', [1, 0, 0, 0], '0', 'X', [3, 0, 0, 0], 'cpu', [0x4b, 2, 0x74, 0x51, 0x4b, 0, 0x4b, 2, 0x85, 0x4b, 1, 0x85, 0x88, 0x74, 0x52, 0x2e]),
      /_rebuild_tensor_v2: .*(floating point|requires_grad|gradients)/i,
    ],
    [
      '_rebuild_tensor_v2 with a size past its storage',
      P('ctorch._utils\n_rebuild_tensor_v2\n', [0x28, 0x28], 'X', [7, 0, 0, 0], 'storage', 'ctorch\nFloatStorage\n', 'X', [1, 0, 0, 0], '0', 'X', [3, 0, 0, 0], 'cpu', [0x4b, 2, 0x74, 0x51, 0x4b, 0, 0x4d, 0xff, 0xff, 0x85, 0x4b, 1, 0x85, 0x89, 0x74, 0x52, 0x2e]),
      /_rebuild_tensor_v2: /,
    ],
  ];
  test.each(CASES)('%s', (_, pkl, message) => {
    expect(() => load(pkl)).toThrow(TorchFileError);
    expect(() => load(pkl)).toThrow(message);
  });

  test('rebuilds that LibTorch would refuse are refused before any native call throws', () => {
    // A native error thrown while garbage collection runs finalizers aborts Node 20 (found by the
    // pickle fuzz target, docs/fuzzing.md), so the readers check what LibTorch would check first.
    // Every failed native entry hands its error over through takeError(): count those.
    const original = native.takeError.bind(native);
    let nativeThrows = 0;
    const spy = jest.spyOn(native, 'takeError').mockImplementation(() => {
      nativeThrows++;
      return original();
    });
    try {
      for (const [, pkl] of CASES) expect(() => load(pkl)).toThrow(TorchFileError);
      expect(() => load(fs.readFileSync(path.join(DIR, 'pickle-as-strided-out-of-bounds-native-throw.bin')))).toThrow(/needs 192 elements; the storage has 64/);
      expect(nativeThrows).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test('a dict key "__proto__" is a key, not a prototype', () => {
    const d = load(P([0x7d], 'X', [9, 0, 0, 0], '__proto__', [0x7d, 0x73, 0x2e])) as Record<string, unknown>;
    expect(Object.keys(d)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
  });

  test('APPENDS of 300,000 items builds the list (no spread of all the items as arguments)', () => {
    const items = Buffer.alloc(300000 * 2);
    for (let i = 0; i < 300000; i++) items[2 * i] = 0x4b; // BININT1 0
    const list = load(P([0x5d, 0x28], items.toString('latin1'), [0x65, 0x2e])) as number[];
    expect(list.length).toBe(300000);
  });

  test('a LONG4 of 200,000 bytes is read exactly (in linear time)', () => {
    const n = 200000;
    const bytes = Buffer.alloc(n);
    bytes[n - 1] = 0x40; // 2^(8n - 2)
    bytes[0] = 3;
    const head = Buffer.alloc(5);
    head[0] = 0x8b;
    head.writeUInt32LE(n, 1);
    const v = load(Buffer.concat([Buffer.from([0x80, 0x02]), head, bytes, Buffer.from([0x2e])]));
    expect(v).toBe((1n << BigInt(8 * n - 2)) + 3n);
  });
});
