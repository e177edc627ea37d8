import { native } from '../lib/native';
// Files that cannot hurt (issue 8, item 8): zip bombs refused before they inflate,
// checkpoints read by position (larger than a Buffer, larger than 4 GiB), ZIP64 writing,
// safetensors headers padded in bytes, exact pickled integers, streamed writes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { spawnSync } from 'child_process';
import * as torch from '../lib';
import { fileLimits, FileSink, MemorySink, TorchFileError, writeTorchFile, writeTorchFileTo, ZipWriter } from '../lib/torchfile';
import { writeSafetensorsTo } from '../lib/serialization';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const realFs = require('fs') as typeof fs; // the module objects themselves, for spies
// eslint-disable-next-line @typescript-eslint/no-require-imports
const realZlib = require('zlib') as typeof zlib;
const FIX = path.join(__dirname, 'fixtures');
const DEFAULT_CHUNK = fileLimits.chunkBytes;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
};

/** One record of a hand-made zip: its data as stored in the file, and what its headers declare. */
interface RawRecord {
  name: string;
  method: 0 | 8;
  /** The bytes in the file (compressed already for method 8). */
  payload: Buffer;
  /** The uncompressed size the headers declare. */
  size: number;
  /** The compressed size the headers declare (default: the payload's length). */
  compressedSize?: number;
}

/** A zip built byte by byte, so that its headers can lie. */
function rawZip(records: RawRecord[]): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const r of records) {
    const n = Buffer.from(r.name);
    const csize = r.compressedSize ?? r.payload.length;
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(r.method, 8);
    h.writeUInt32LE(csize, 18);
    h.writeUInt32LE(r.size, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(r.method, 10);
    c.writeUInt32LE(csize, 20);
    c.writeUInt32LE(r.size, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    local.push(h, n, r.payload);
    central.push(c, n);
    offset += 30 + n.length + r.payload.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, cd, end]);
}

/** data.pkl of `obj` as torch.save writes it (storage keys "0", "1", … in order). */
function pickleOf(obj: torch.Saveable): Buffer {
  const sink = new MemorySink();
  writeTorchFileTo(sink, obj);
  const zip = sink.toBuffer();
  // The pickle is the first record; its sizes are in the local header.
  const size = zip.readUInt32LE(18);
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return zip.subarray(start, start + size);
}
/** data.pkl of `{ x: <uint8 tensor of n elements> }`, storage key "0". */
const pickleOfByteTensor = (n: number) => pickleOf({ x: torch.zeros(n, { dtype: 'uint8' }) });

const stored = (name: string, data: Buffer): RawRecord => ({ name, method: 0, payload: data, size: data.length });
const deflated = (name: string, data: Buffer, declared = data.length): RawRecord => ({ name, method: 8, payload: zlib.deflateRawSync(data), size: declared });

describe('zip bombs and lying headers are refused before they inflate', () => {
  const MiB = 1024 * 1024;

  test('a deflated storage that would inflate past maxInflatedBytes is refused, naming the record and the option', () => {
    const f = write('bomb.pt', rawZip([stored('archive/data.pkl', pickleOfByteTensor(64 * MiB)), deflated('archive/data/0', Buffer.alloc(64 * MiB))]));
    expect(fs.statSync(f).size).toBeLessThan(MiB); // 64 MiB of zeros deflate to about 64 KiB
    expect(() => torch.load(f, { maxInflatedBytes: MiB })).toThrow(TorchFileError);
    expect(() => torch.load(f, { maxInflatedBytes: MiB })).toThrow(/archive\/data\/0 would inflate to 67108864 bytes, beyond the limit of 1048576 bytes .*maxInflatedBytes/);
    // Within the (default, 1 GiB) limit, the same file loads.
    const x = (torch.load(f) as { x: torch.Tensor }).x;
    expect(x.shape).toEqual([64 * MiB]);
    expect(x.sum().item()).toBe(0);
  });

  test('the limit counts all compressed records together', () => {
    const n = 600 * 1024;
    const pkl = pickleOf({ x: torch.zeros(n, { dtype: 'uint8' }), y: torch.zeros(n, { dtype: 'uint8' }) });
    const f = write('two.pt', rawZip([stored('archive/data.pkl', pkl), deflated('archive/data/0', Buffer.alloc(n)), deflated('archive/data/1', Buffer.alloc(n))]));
    expect(() => torch.load(f, { maxInflatedBytes: MiB })).toThrow(/archive\/data\/1 would inflate to 614400 bytes, beyond the limit of 1048576 bytes for compressed records \(614400 already used/);
    const back = torch.load(f, { maxInflatedBytes: 2 * MiB }) as { x: torch.Tensor; y: torch.Tensor };
    expect([back.x.shape, back.y.shape]).toEqual([[n], [n]]);
  });

  test('a record that inflates to more than its header declares is stopped at the declared size', () => {
    // 8 MiB of zeros declared as 1000 bytes: inflating stops at 1000 (zlib's maxOutputLength), never reaching 8 MiB.
    const spy = jest.spyOn(realZlib, 'inflateRawSync');
    try {
      const f = write('liar.pt', rawZip([stored('archive/data.pkl', pickleOfByteTensor(1000)), deflated('archive/data/0', Buffer.alloc(8 * MiB), 1000)]));
      expect(() => torch.load(f)).toThrow(/archive\/data\/0 inflates to more than the 1000 bytes its header declares \(a zip bomb/);
      expect(spy).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ maxOutputLength: 1000 }));
    } finally {
      spy.mockRestore();
    }
  });

  test('a record that inflates to less than it declares is refused', () => {
    const f = write('short.pt', rawZip([stored('archive/data.pkl', pickleOfByteTensor(1000)), deflated('archive/data/0', Buffer.alloc(500), 1000)]));
    expect(() => torch.load(f)).toThrow(/archive\/data\/0 inflates to 500 bytes, but its header declares 1000/);
  });

  test('a declared size beyond what deflate can produce from the compressed bytes is refused without inflating', () => {
    const spy = jest.spyOn(realZlib, 'inflateRawSync');
    try {
      const f = write('ratio.pt', rawZip([stored('archive/data.pkl', pickleOfByteTensor(100 * MiB)), deflated('archive/data/0', Buffer.alloc(100), 100 * MiB)]));
      expect(() => torch.load(f, { maxInflatedBytes: 2 ** 40 })).toThrow(/declares 104857600 bytes from \d+ compressed, more than deflate can produce: its header lies/);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('a stored record whose sizes disagree, or that runs past its place, is refused', () => {
    const pkl = pickleOfByteTensor(16);
    const disagree = write('disagree.pt', rawZip([stored('archive/data.pkl', pkl), { name: 'archive/data/0', method: 0, payload: Buffer.alloc(16), size: 2 ** 31, compressedSize: 16 }]));
    expect(() => torch.load(disagree)).toThrow(/archive\/data\/0 is stored \(not compressed\) but declares 2147483648 bytes and holds 16: its header lies/);
    const past = write('past.pt', rawZip([stored('archive/data.pkl', pkl), { name: 'archive/data/0', method: 0, payload: Buffer.alloc(16), size: 4000000, compressedSize: 4000000 }]));
    expect(() => torch.load(past)).toThrow(/archive\/data\/0 \(4000000 bytes at byte \d+\) runs into the zip directory/);
  });

  test('two records with the same name are refused', () => {
    const pkl = pickleOfByteTensor(4);
    const f = write('dup.pt', rawZip([stored('archive/data.pkl', pkl), stored('archive/data/0', Buffer.alloc(4)), stored('archive/data/0', Buffer.alloc(4))]));
    expect(() => torch.load(f)).toThrow(/two zip records named archive\/data\/0/);
  });

  test("Python's checkpoint re-zipped with deflate loads (as torch.load reads it) with the same tensors", () => {
    const a = torch.load(path.join(FIX, 'py_small_state_dict.pt')) as Record<string, torch.Tensor>;
    const b = torch.load(path.join(FIX, 'py_small_deflated.pt')) as Record<string, torch.Tensor>;
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(b[k].equal(a[k])).toBe(true);
  });

  test('torch.load options are checked', () => {
    const f = path.join(FIX, 'py_small_state_dict.pt');
    expect(() => torch.load(f, { max_inflated_bytes: 1 } as never)).toThrow(/unknown option "max_inflated_bytes" \(did you mean "maxInflatedBytes"\?\)/);
    expect(() => torch.load(f, { maxInflatedBytes: -1 })).toThrow(/maxInflatedBytes must be a number of bytes/);
    expect(torch.load(f, { maxInflatedBytes: 0 })).toBeDefined(); // stored records never count
  });
});

describe('checkpoints are read by position, never as one Buffer', () => {
  test('a sparse checkpoint larger than 4 GiB loads: its zip directory and a storage lie past 4 GiB (ZIP64)', () => {
    const f = path.join(tmp, 'sparse.pt');
    const w = torch.arange(1000, { dtype: 'float32' });
    const fd = fs.openSync(f, 'w');
    try {
      // archive/data/0 comes after a hole of 5 GiB: its offset needs ZIP64, the file holds ~5 KiB of data.
      const sink = new FileSink(fd);
      const zip = new ZipWriter(sink);
      const obj = { w, step: 7 };
      const ref = new MemorySink();
      writeTorchFileTo(ref, obj); // for the pickle bytes
      const refBuf = ref.toBuffer();
      const pklSize = refBuf.readUInt32LE(18);
      const pklStart = 30 + refBuf.readUInt16LE(26) + refBuf.readUInt16LE(28);
      const pkl = refBuf.subarray(pklStart, pklStart + pklSize);
      zip.add('archive/data.pkl', pkl.length, (put) => put(pkl));
      zip.add('archive/byteorder', 6, (put) => put(Buffer.from('little')));
      zip.skip(5 * 2 ** 30);
      zip.add('archive/data/0', 4000, (put) => put(native.tensorBytes(w.handle)));
      zip.finish();
    } finally {
      fs.closeSync(fd);
    }
    const st = fs.statSync(f);
    expect(st.size).toBeGreaterThan(5 * 2 ** 30);
    expect(st.blocks * 512).toBeLessThan(64 * 1024 * 1024); // sparse: nothing like 5 GiB was written
    expect(() => fs.readFileSync(f)).toThrow(/greater than 2 GiB|ERR_FS_FILE_TOO_LARGE/); // what torch.load did before
    const spy = jest.spyOn(realFs, 'readFileSync');
    try {
      const back = torch.load(f) as { w: torch.Tensor; step: number };
      expect(back.step).toBe(7);
      expect(back.w.equal(w)).toBe(true);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      fs.rmSync(f);
    }
  });

  test('with the read chunk lowered to 1000 bytes, storages are filled chunk by chunk and load the same', () => {
    const saved = fileLimits.chunkBytes;
    const readSpy = jest.spyOn(realFs, 'readSync');
    try {
      const file = path.join(FIX, 'py_adam_state.pt');
      const whole = torch.load(file) as { state: Record<string, Record<string, torch.Tensor>> };
      fileLimits.chunkBytes = 1000;
      readSpy.mockClear();
      const chunked = torch.load(file) as typeof whole;
      const lengths = readSpy.mock.calls.map((c) => c[3] as number);
      expect(JSON.stringify(Object.keys(chunked.state))).toBe(JSON.stringify(Object.keys(whole.state)));
      for (const [k, st] of Object.entries(whole.state)) for (const [n, t] of Object.entries(st)) expect((chunked.state[k][n] as torch.Tensor).equal(t)).toBe(true);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(65557); // the tail holding the end of the directory, at most

      const big = { a: torch.randn(5000), b: torch.arange(3000, { dtype: 'int64' }).view(3, 1000).t() };
      const f = path.join(tmp, 'chunks.pt');
      fileLimits.chunkBytes = saved;
      torch.save(big, f);
      fileLimits.chunkBytes = 1000;
      readSpy.mockClear();
      const back = torch.load(f) as typeof big;
      expect(back.a.equal(big.a)).toBe(true);
      expect(back.b.equal(big.b)).toBe(true);
      const dataReads = readSpy.mock.calls.map((c) => c[3] as number).filter((n) => n === 1000);
      expect(dataReads.length).toBeGreaterThanOrEqual(20 + 24); // 20000 B and 24000 B in 1000-byte reads
      readSpy.mockClear();
      const st = path.join(tmp, 'chunks.safetensors');
      torch.save({ a: big.a, b: big.b.contiguous() }, st);
      readSpy.mockClear();
      const stBack = torch.safetensors.loadFile(st);
      expect(stBack.a.equal(big.a)).toBe(true);
      expect(stBack.b.equal(big.b)).toBe(true);
      expect(readSpy.mock.calls.filter((c) => c[3] === 1000).length).toBeGreaterThanOrEqual(44);
    } finally {
      fileLimits.chunkBytes = saved;
      readSpy.mockRestore();
    }
  });

  test('torch.load and safetensors.loadFile never call readFileSync', () => {
    const spy = jest.spyOn(realFs, 'readFileSync');
    try {
      torch.load(path.join(FIX, 'py_small_state_dict.pt'));
      torch.load(path.join(FIX, 'py_small.safetensors'));
      torch.safetensors.loadFile(path.join(FIX, 'py_small.safetensors'));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

/** Runs Python's stdlib zipfile on `file`: the records' names, sizes and whether they use ZIP64; null without python3. */
function pythonZipfile(file: string): { name: string; size: number; zip64: boolean }[] | null {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()', // reads every record and checks its CRC-32
    'assert bad is None, bad',
    'print(json.dumps([{"name": i.filename, "size": i.file_size, "zip64": b"\\x01\\x00" == i.extra[:2]} for i in z.infolist()]))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.error) {
    console.log(`python3 not found (${r.error.message}): Python's zipfile check skipped`);
    return null;
  }
  if (r.status !== 0) throw new Error(`python3 zipfile refused ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('ZIP64 writing', () => {
  const obj = () => ({ w: torch.arange(300, { dtype: 'float32' }).view(3, 100), b: torch.ones(5, { dtype: 'float64' }), n: 3 });

  afterEach(() => {
    fileLimits.zip64Threshold = 0xffffffff;
  });

  test('with ZIP64 forced for every size, offset and count, the file has ZIP64 records and loads back', () => {
    fileLimits.zip64Threshold = 0;
    const f = path.join(tmp, 'zip64.pt');
    const o = obj();
    torch.save(o, f);
    fileLimits.zip64Threshold = 0xffffffff;
    const bytes = fs.readFileSync(f);
    const eocd = bytes.length - 22;
    expect(bytes.readUInt32LE(eocd)).toBe(0x06054b50);
    expect(bytes.readUInt32LE(eocd + 16)).toBe(0xffffffff); // directory offset: in the ZIP64 end record
    expect(bytes.readUInt16LE(eocd + 10)).toBe(0xffff);
    expect(bytes.readUInt32LE(eocd - 20)).toBe(0x07064b50); // locator
    expect(bytes.readUInt32LE(eocd - 20 - 56)).toBe(0x06064b50); // ZIP64 end record
    expect(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))).toBeGreaterThan(0);
    const back = torch.load(f) as ReturnType<typeof obj>;
    expect(back.w.equal(o.w)).toBe(true);
    expect(back.b.equal(o.b)).toBe(true);
    expect(back.n).toBe(3);
    const py = pythonZipfile(f);
    if (py) {
      expect(py.map((r) => r.name)).toEqual(['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
      expect(py.every((r) => r.zip64)).toBe(true);
      expect(py.find((r) => r.name === 'archive/data/0')!.size).toBe(1200);
    }
  });

  test('with the threshold at 1000 bytes, only the records and offsets past it use ZIP64', () => {
    fileLimits.zip64Threshold = 1000;
    const f = path.join(tmp, 'zip64-mixed.pt');
    const o = obj();
    torch.save(o, f);
    fileLimits.zip64Threshold = 0xffffffff;
    const back = torch.load(f) as ReturnType<typeof obj>;
    expect(back.w.equal(o.w)).toBe(true);
    expect(back.b.equal(o.b)).toBe(true);
    const py = pythonZipfile(f);
    if (py) {
      // data/0 (1200 bytes) has a ZIP64 size; data/1 and version start past byte 1000; data.pkl and byteorder need nothing.
      expect(py.map((r) => [r.name, r.zip64])).toEqual([
        ['archive/data.pkl', false],
        ['archive/byteorder', false],
        ['archive/data/0', true],
        ['archive/data/1', true],
        ['archive/version', true],
      ]);
    }
  });
});

describe('safetensors headers are padded in bytes', () => {
  const names = { 'conv.权重': torch.arange(6, { dtype: 'float32' }).reshape(2, 3), ß: torch.tensor([1, -2]), 'emoji😀': torch.tensor([0.5, 1.5, -2], { dtype: 'float16' }) };

  test("Python's file with non-ASCII names loads with the right values", () => {
    const t = torch.safetensors.loadFile(path.join(FIX, 'py_unicode.safetensors'));
    expect(Object.keys(t).sort()).toEqual(Object.keys(names).sort());
    for (const [k, v] of Object.entries(names)) expect(t[k].equal(v)).toBe(true);
    expect(torch.safetensors.load(fs.readFileSync(path.join(FIX, 'py_unicode.safetensors')))['emoji😀'].dtype).toBe('float16');
  });

  test('a file written here with non-ASCII names starts its data on an 8-byte boundary and loads back', () => {
    const f = path.join(tmp, 'unicode.safetensors');
    torch.safetensors.saveFile(names, f, { note: 'ünïcode' });
    const bytes = fs.readFileSync(f);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
    expect(bytes.toString('utf8', 8, 8 + n)).toMatch(/^\{.*\} *$/);
    expect(header['conv.权重'].data_offsets).toEqual([0, 24]);
    expect(bytes.length).toBe(8 + n + 24 + 16 + 6);
    const back = torch.safetensors.loadFile(f);
    for (const [k, v] of Object.entries(names)) expect(back[k].equal(v)).toBe(true);
  });

  test('a header that is not valid UTF-8 is refused', () => {
    const json = Buffer.concat([Buffer.from('{"a\xff":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 'latin1')]);
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(json.length));
    expect(() => torch.safetensors.load(Buffer.concat([head, json, Buffer.alloc(1)]))).toThrow(/header is not valid UTF-8/);
  });

  test('a tensor named __proto__ is a key like any other', () => {
    const f = path.join(tmp, 'proto.safetensors');
    const t = { ['__proto__']: torch.ones(2) } as Record<string, torch.Tensor>;
    Object.defineProperty(t, '__proto__', { value: torch.ones(2), enumerable: true });
    torch.safetensors.saveFile(t, f);
    const back = torch.safetensors.loadFile(f);
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});

describe('pickled integers are exact', () => {
  test("Python's ints beyond 2^53 load as exact bigints; safe ones stay numbers", () => {
    const v = torch.load(path.join(FIX, 'py_ints.pt')) as Record<string, unknown>;
    expect(v.small).toBe(5);
    expect(v.neg).toBe(-7);
    expect(v.safe).toBe(2 ** 53 - 1);
    expect(v.unsafe).toBe(2n ** 53n + 1n);
    expect(v.big).toBe(2n ** 62n + 3n);
    expect(v.min64).toBe(-(2n ** 63n));
    expect(v.u64).toBe(2n ** 64n - 1n);
    expect(v.huge).toBe(2n ** 100n + 1n);
    expect(v.negbig).toBe(-(2n ** 70n) - 5n);
    expect((v.t as torch.Tensor).tolist()).toEqual([1, 2]);
  });

  test('bigints save and load back exactly (LONG1, and LONG4 past 255 bytes)', () => {
    const f = path.join(tmp, 'ints.pt');
    const obj = { a: 2n ** 63n - 1n, b: -(2n ** 63n), c: 2n ** 2100n + 12345n, d: 5n, e: 2 ** 60 };
    torch.save(obj, f);
    const back = torch.load(f) as Record<string, unknown>;
    expect(back).toEqual({ a: 2n ** 63n - 1n, b: -(2n ** 63n), c: 2n ** 2100n + 12345n, d: 5, e: 2n ** 60n });
  });
});

describe('large saves stream to the file', () => {
  afterEach(() => {
    fileLimits.chunkBytes = DEFAULT_CHUNK;
  });

  test('with the chunk lowered to 1000 bytes, no write is larger than a chunk plus a header, and the bytes are the same', () => {
    const obj = { a: torch.randn(5000), t: torch.arange(6000, { dtype: 'int32' }).view(60, 100).t(), h: torch.ones(777, { dtype: 'float16' }) };
    const whole = writeTorchFile(obj);
    fileLimits.chunkBytes = 1000;
    const sizes: number[] = [];
    const sink = new MemorySink();
    const recording = { write: (c: Uint8Array) => (sizes.push(c.length), sink.write(c)), writeAt: (c: Uint8Array, p: number) => sink.writeAt(c, p) };
    writeTorchFileTo(recording, obj);
    expect(sink.toBuffer().equals(whole)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(sizes.filter((s) => s === 1000).length).toBeGreaterThanOrEqual(20 + 24);

    const stSizes: number[] = [];
    writeSafetensorsTo({ write: (c) => stSizes.push(c.length) }, { a: obj.a, t: obj.t });
    expect(Math.max(...stSizes.slice(1))).toBeLessThanOrEqual(1000);
    expect(stSizes.slice(1).reduce((x, y) => x + y, 0)).toBe(20000 + 24000);
  });

  test('torch.save writes through the file, and the saved file equals the in-memory bytes', () => {
    const obj = { a: torch.randn(3000), b: [1, 'x', torch.zeros(3)] };
    fileLimits.chunkBytes = 512;
    const f = path.join(tmp, 'streamed.pt');
    torch.save(obj, f);
    fileLimits.chunkBytes = DEFAULT_CHUNK;
    expect(fs.readFileSync(f).equals(writeTorchFile(obj))).toBe(true);
  });
});
