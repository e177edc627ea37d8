// Reads and writes files in the format of Python's torch.save (the zip format of
// PyTorch ≥ 1.6): a zip holding `<name>/data.pkl` (a pickle) and `<name>/data/<key>`
// (the raw bytes of each storage). The unpickler is restricted like
// torch.load(weights_only=True): it knows tensors, storages, OrderedDict and
// Python's plain values, and refuses any other global, so a file can never run code.
//
// Files are read by position (a file descriptor, or a buffer), never whole: the
// zip directory first, then each record, storages chunk by chunk straight into
// their tensors, so checkpoints larger than a Node Buffer load. Every size a
// header declares is checked against the file before anything is allocated, and
// compressed records inflate only up to what they declare and a cap.
// Writing streams too: record by record, each tensor in chunks, with ZIP64
// records where sizes or offsets pass 4 GiB, as PyTorch's writer does.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { constants as bufferConstants } from 'buffer';
import { native } from './native';
import { DType, isFloatingDtype, ITEM_SIZE } from './dtype';
import { callOp, callT } from './ops';
import { Tensor } from './tensor';

export class TorchFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'TorchFileError';
  }
}

/**
 * Tunables of the readers and writers. `chunkBytes` is the most bytes read into,
 * or made as, one Buffer while a tensor's data moves between a file and memory.
 * @internal (tests lower it to exercise the chunked paths on small files)
 */
export const fileLimits = {
  // 16 MiB: large enough that a read costs little, small enough that LibTorch's allocator reuses
  // the memory of the previous chunk (measured: 1 GiB in 3.8 s with 16 MiB chunks, 5.0 s with 64 MiB).
  chunkBytes: 16 * 1024 * 1024,
  /** Sizes and offsets from which the zip writer uses ZIP64 fields (the format's 32-bit limit). */
  zip64Threshold: 0xffffffff,
};

/** The default cap on what compressed (deflate) records of one file may inflate to, in total. */
export const DEFAULT_MAX_INFLATED_BYTES = 2 ** 30;
/** The largest zip directory read (about 2 million records). */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;
/** Deflate's best ratio is about 1032:1; a record declaring more than this from its compressed size lies. */
const DEFLATE_MAX_RATIO = 1032;

// ---------------------------------------------------------------- byte sources

/** Random access to the bytes of a file or of a buffer. */
export interface ByteSource {
  readonly size: number;
  /** The `length` bytes at `position` (for a buffer, a view of it). Callers keep `length` small. */
  read(position: number, length: number): Buffer;
  /** Like read, into the start of `scratch` (reused between chunks); returns the part filled. */
  readInto?(scratch: Buffer, position: number, length: number): Buffer;
}

/** A buffer as a ByteSource. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read: (position, length) => {
      if (position < 0 || length < 0 || position + length > buf.length) throw new RangeError(`read of ${length} bytes at ${position} is outside the ${buf.length} bytes`);
      return buf.subarray(position, position + length);
    },
  };
}

/** An open file as a ByteSource, read with positioned reads. */
export class FileSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly file: string,
    readonly fd: number,
  ) {
    this.size = fs.fstatSync(fd).size;
  }
  read(position: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(length), position, length);
  }
  readInto(scratch: Buffer, position: number, length: number): Buffer {
    if (position < 0 || length < 0 || position + length > this.size) throw new RangeError(`read of ${length} bytes at ${position} is outside the ${this.size} bytes`);
    if (length > scratch.length) throw new RangeError(`read of ${length} bytes into ${scratch.length}`);
    for (let off = 0; off < length; ) {
      const n = fs.readSync(this.fd, scratch, off, Math.min(length - off, 1 << 30), position + off);
      if (n === 0) throw new TorchFileError(this.file, `ended at byte ${position + off} while being read (it is ${this.size} bytes long: was it changed meanwhile?)`);
      off += n;
    }
    return scratch.subarray(0, length);
  }
}

/** Opens `file` and calls `fn` with it as a ByteSource; the file is closed afterwards. */
export function withFileSource<T>(file: string, fn: (src: FileSource) => T): T {
  const fd = fs.openSync(file, 'r');
  try {
    return fn(new FileSource(file, fd));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A tensor of `dtype` made from the `nbytes` bytes at `position` of `src`, read
 * at most `fileLimits.chunkBytes` at a time straight into the tensor's memory.
 */
export function tensorFromSource(src: ByteSource, position: number, nbytes: number, dtype: DType, shape?: number[]): Tensor {
  const size = ITEM_SIZE[dtype];
  const chunk = Math.max(size, fileLimits.chunkBytes - (fileLimits.chunkBytes % size));
  const dims = shape ?? [nbytes / size];
  if (nbytes <= chunk) return new Tensor(native.fromBuffer(src.read(position, nbytes), dims, dtype));
  const bytes = callT('aten::empty.memory_format', [nbytes], 'uint8');
  const scratch = src.readInto ? Buffer.allocUnsafe(chunk) : undefined; // fromBuffer copies: one buffer serves every chunk
  for (let pos = 0; pos < nbytes; pos += chunk) {
    const n = Math.min(chunk, nbytes - pos);
    const data = scratch ? src.readInto!(scratch, position + pos, n) : src.read(position + pos, n);
    const piece = new Tensor(native.fromBuffer(data, [n], 'uint8'));
    const dst = callT('aten::narrow', bytes, 0, pos, n);
    callOp('aten::copy_', dst, piece);
    piece.dispose();
    dst.dispose();
  }
  const typed = dtype === 'uint8' ? bytes : callT('aten::view.dtype', bytes, dtype);
  return shape ? callT('aten::view', typed, shape) : typed;
}

/** Hands the bytes of `t` (a contiguous copy, in its dtype) to `write`, at most `fileLimits.chunkBytes` at a time. */
export function writeTensorBytes(t: Tensor, write: (chunk: Uint8Array) => void): void {
  const size = ITEM_SIZE[t.dtype];
  const numel = t.numel();
  if (numel * size <= fileLimits.chunkBytes) return write(native.tensorBytes(t.handle));
  const per = Math.max(1, Math.floor(fileLimits.chunkBytes / size));
  const flat = callT('aten::reshape', callT('aten::detach', t), [-1]); // a copy only when t is not contiguous
  for (let i = 0; i < numel; i += per) {
    const piece = callT('aten::narrow', flat, 0, i, Math.min(per, numel - i));
    write(native.tensorBytes(piece.handle));
    piece.dispose();
  }
  flat.dispose();
}

// ---------------------------------------------------------------- zip reading

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

interface ZipDirectory {
  entries: Map<string, ZipEntry>;
  /** Where the zip directory starts: every record lies before it. */
  cdOffset: number;
}

/** A 64-bit field as a number, refused when it is beyond `limit` (the file's size: nothing real can be). */
function u64(buf: Buffer, at: number, limit: number, file: string, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(limit)) throw new TorchFileError(file, `${what} (${v}) is beyond the end of the ${limit}-byte file: the zip directory is damaged`);
  return Number(v);
}

function readZip(src: ByteSource, file: string): ZipDirectory {
  const size = src.size;
  const damaged = (why: string): never => {
    throw new TorchFileError(file, `zip directory is damaged (${why})`);
  };
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  const tailLength = Math.min(size, 65557);
  const tail = src.read(size - tailLength, tailLength);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new TorchFileError(file, 'is not a complete zip file (no end of central directory; truncated?)');
  const eocd = size - tailLength + at;
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  let cdEnd = eocd;
  if (cdOffset === 0xffffffff || cdSize === 0xffffffff || count === 0xffff) {
    // ZIP64: the locator just before the EOCD points at the ZIP64 EOCD record.
    const locAt = eocd - 20;
    if (locAt < 0) damaged('no ZIP64 locator');
    const loc = src.read(locAt, 20);
    if (loc.readUInt32LE(0) !== 0x07064b50) damaged('no ZIP64 locator');
    const z = u64(loc, 8, locAt, file, 'the ZIP64 end record');
    if (z + 56 > locAt) damaged('the ZIP64 end record overlaps its locator');
    const rec = src.read(z, 56);
    if (rec.readUInt32LE(0) !== 0x06064b50) damaged('no ZIP64 end record where its locator points');
    count = u64(rec, 32, size, file, 'the record count');
    cdSize = u64(rec, 40, size, file, 'the directory size');
    cdOffset = u64(rec, 48, size, file, 'the directory offset');
    cdEnd = z;
  }
  if (cdOffset + cdSize > cdEnd) throw new TorchFileError(file, 'zip directory points past the end of the file (truncated?)');
  if (cdSize > MAX_DIRECTORY_BYTES) throw new TorchFileError(file, `zip directory is ${cdSize} bytes, more than the ${MAX_DIRECTORY_BYTES} bytes accepted`);
  if (count * 46 > cdSize) damaged(`${count} records cannot fit in ${cdSize} bytes`);
  const cd = src.read(cdOffset, cdSize);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) damaged(`record ${i} has no header`);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size32 = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const extraStart = p + 46 + nameLen;
    const extraEnd = extraStart + extraLen;
    if (extraEnd + commentLen > cd.length) damaged(`record ${i} runs past the directory`);
    const name = cd.toString('utf8', p + 46, extraStart);
    // ZIP64 extra field: the 64-bit values replace the ones set to 0xffffffff, in this order.
    for (let e = extraStart; e + 4 <= extraEnd; ) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (e + 4 + len > extraEnd) damaged(`record ${name}'s extra field runs past its end`);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (what: string): number => {
          if (q + 8 > e + 4 + len) damaged(`record ${name}'s ZIP64 field lacks its ${what}`);
          const v = u64(cd, q, src.size, file, `record ${name}'s ${what}`);
          q += 8;
          return v;
        };
        if (size32 === 0xffffffff) size32 = next('size');
        if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
        if (localOffset === 0xffffffff) localOffset = next('offset');
      }
      e += 4 + len;
    }
    if (entries.has(name)) throw new TorchFileError(file, `has two zip records named ${name}`);
    if (method === 0 && compressedSize !== size32) {
      throw new TorchFileError(file, `zip record ${name} is stored (not compressed) but declares ${size32} bytes and holds ${compressedSize}: its header lies`);
    }
    if (localOffset + 30 + compressedSize > cdOffset) {
      throw new TorchFileError(file, `zip record ${name} (${compressedSize} bytes at byte ${localOffset}) runs into the zip directory: its header lies, or the file is damaged`);
    }
    entries.set(name, { name, method, compressedSize, size: size32, localOffset });
    p = extraEnd + commentLen;
  }
  return { entries, cdOffset };
}

/** The names of a zip's records, or null when it is not a readable zip. */
export function zipEntryNames(src: ByteSource | Uint8Array): string[] | null {
  try {
    return [...readZip(src instanceof Uint8Array ? bufferSource(src) : src, '').entries.keys()];
  } catch {
    return null;
  }
}

/** One record of a zip, whole (inflated if compressed, up to 1 GiB). */
export function readZipRecord(src: ByteSource | Uint8Array, name: string, file = '<bytes>'): Buffer {
  const source = src instanceof Uint8Array ? bufferSource(src) : src;
  const zip = readZip(source, file);
  const entry = zip.entries.get(name);
  if (!entry) throw new TorchFileError(file, `has no zip record ${name}`);
  return readEntry(source, zip, entry, file, { remaining: DEFAULT_MAX_INFLATED_BYTES, limit: DEFAULT_MAX_INFLATED_BYTES });
}

/** Where a record's data starts (after its local header), checked against the directory. */
function dataStart(src: ByteSource, zip: ZipDirectory, entry: ZipEntry, file: string): number {
  const h = entry.localOffset;
  const local = src.read(h, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new TorchFileError(file, `zip record ${entry.name} is damaged (no local header at byte ${h})`);
  const start = h + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > zip.cdOffset) throw new TorchFileError(file, `zip record ${entry.name} runs into the zip directory (damaged or truncated?)`);
  return start;
}

/** What compressed records may still inflate to. */
interface InflateBudget {
  remaining: number;
  readonly limit: number;
}

/** A whole record, inflated if compressed, within the budget. For small records and compressed ones. */
function readEntry(src: ByteSource, zip: ZipDirectory, entry: ZipEntry, file: string, budget: InflateBudget): Buffer {
  const start = dataStart(src, zip, entry, file);
  if (entry.method !== 0 && entry.method !== 8) throw new TorchFileError(file, `zip record ${entry.name} uses compression method ${entry.method} (stored and deflate are supported)`);
  if (entry.size > bufferConstants.MAX_LENGTH) {
    throw new TorchFileError(file, `zip record ${entry.name} is ${entry.size} bytes, more than one Buffer holds (${bufferConstants.MAX_LENGTH})`);
  }
  if (entry.method === 0) return src.read(start, entry.size);
  if (entry.size > entry.compressedSize * DEFLATE_MAX_RATIO + 1024) {
    throw new TorchFileError(file, `zip record ${entry.name} declares ${entry.size} bytes from ${entry.compressedSize} compressed, more than deflate can produce: its header lies`);
  }
  if (entry.size > budget.remaining) {
    throw new TorchFileError(
      file,
      `zip record ${entry.name} would inflate to ${entry.size} bytes, beyond the limit of ${budget.limit} bytes for compressed records ` +
        `(${budget.limit - budget.remaining} already used; pass { maxInflatedBytes } to torch.load to allow more)`,
    );
  }
  let out: Buffer;
  try {
    out = zlib.inflateRawSync(src.read(start, entry.compressedSize), { maxOutputLength: Math.max(1, entry.size) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TorchFileError(file, `zip record ${entry.name} inflates to more than the ${entry.size} bytes its header declares (a zip bomb, or a damaged file); refused before inflating further`);
    }
    throw new TorchFileError(file, `zip record ${entry.name} has damaged deflate data (${(e as Error).message})`);
  }
  if (out.length !== entry.size) throw new TorchFileError(file, `zip record ${entry.name} inflates to ${out.length} bytes, but its header declares ${entry.size}`);
  budget.remaining -= entry.size;
  return out;
}

// ---------------------------------------------------------------- pickle

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
/** A storage a pickle refers to: `('storage', <type>, key, location, numel)`. */
export class StorageRef {
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
  ) {}
}
const MARK = Symbol('mark');

/** An OrderedDict, as a plain object (keys in order); BUILD state such as `_metadata` is dropped. */
type PyDict = Record<string, unknown>;

/** A pickled integer: a number when it is a safe integer, else an exact bigint. */
function pyInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Unpickles `data` (the restricted subset torch.load(weights_only=True) allows); `storage`
 * turns each persistent storage reference into a tensor. Throws TorchFileError for anything else.
 */
export function unpickle(data: Buffer, file: string, storage: (ref: StorageRef) => Tensor): unknown {
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const fail = (why: string): never => {
    throw new TorchFileError(file, `data.pkl: ${why} (at byte ${p})`);
  };
  const need = (n: number) => {
    if (p + n > data.length) fail('ends early');
  };
  const u8 = () => (need(1), data[p++]);
  const u16 = () => (need(2), (p += 2), data.readUInt16LE(p - 2));
  const u32 = () => (need(4), (p += 4), data.readUInt32LE(p - 4));
  const str = (n: number) => (need(n), (p += n), data.toString('utf8', p - n, p));
  const line = () => {
    const e = data.indexOf(0x0a, p);
    if (e < 0) fail('unterminated line');
    const s = data.toString('latin1', p, e);
    p = e + 1;
    return s;
  };
  // Python keeps MARKs on a separate stack: a MARK is never a value.
  const pop = (): unknown => {
    if (!stack.length || stack[stack.length - 1] === MARK) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (!stack.length || stack[stack.length - 1] === MARK) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no mark');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const isDict = (d: unknown): d is PyDict => !!d && typeof d === 'object' && !Array.isArray(d) && !(d instanceof Tensor) && !(d instanceof Global);
  const setItem = (d: unknown, k: unknown, v: unknown) => {
    if (!isDict(d)) fail('SETITEM on a non-dict');
    // defineProperty: a key such as "__proto__" stays a key.
    Object.defineProperty(d, String(k), { value: v, enumerable: true, writable: true, configurable: true });
  };
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof Global)) return fail('call of a non-global');
    if (!Array.isArray(args)) return fail(`arguments of ${fn.module}.${fn.name} are not a tuple`);
    const a = args as unknown[];
    const id = `${fn.module}.${fn.name}`;
    switch (id) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
        return {};
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor': {
        const [st, offset, size, stride, requiresGrad] = a;
        if (!(st instanceof Tensor)) return fail(`${id}: no storage`);
        if (!isInt(offset) || !Array.isArray(size) || !size.every(isInt) || !Array.isArray(stride) || !stride.every(isInt) || size.length !== stride.length) {
          return fail(`${id}: offset, size and stride must be integers (got ${describe(offset)}, ${describe(size)}, ${describe(stride)})`);
        }
        // Everything LibTorch would refuse is refused here first: a native error thrown while
        // garbage collection runs finalizers can abort Node 20 (see docs/fuzzing.md).
        if (size.some((d) => d < 0) || stride.some((d) => d < 0) || offset < 0) return fail(`${id}: negative size, stride or offset`);
        const numel = st.numel();
        const last = size.some((d) => d === 0) ? 0n : size.reduce((acc, d, i) => acc + BigInt(d - 1) * BigInt(stride[i]), BigInt(offset)) + 1n;
        if (last > BigInt(numel)) return fail(`${id}: size [${size}] with stride [${stride}] at offset ${offset} needs ${last} elements; the storage has ${numel}`);
        if (size.reduce((acc, d) => acc * BigInt(Math.max(d, 1)), 1n) > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`${id}: size [${size}] is impossibly large`);
        if (requiresGrad === true && !isFloatingDtype(st.dtype)) return fail(`${id}: a ${st.dtype} tensor cannot require gradients`);
        const t = callT('aten::as_strided', st, size, stride, offset);
        if (requiresGrad === true) t.requiresGrad_(true);
        return t;
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        const [t, requiresGrad] = a;
        if (!(t instanceof Tensor)) return fail(`${id}: no tensor`);
        if (requiresGrad === true && !isFloatingDtype(t.dtype)) return fail(`${id}: a ${t.dtype} tensor cannot require gradients`);
        if (requiresGrad === true && t.isLeaf) t.requiresGrad_(true);
        return t;
      }
      case 'torch._tensor._rebuild_from_type_v2':
        return call(a[0], a[2]);
      case 'torch.device':
        if (typeof a[0] !== 'string' || (a.length > 1 && a[1] !== null && !isInt(a[1]))) return fail('torch.device: expected a device type and an index');
        return a[0] + (a.length > 1 && a[1] !== null ? `:${a[1]}` : '');
      case 'builtins.set':
      case 'builtins.frozenset':
      case 'torch.Size':
        if (a.length === 0 && id !== 'torch.Size') return [];
        if (!Array.isArray(a[0])) return fail(`${id}: expected a list or tuple`);
        return [...(a[0] as unknown[])];
      default:
        return fail(`refuses to call ${id} (only tensors, storages and plain data are loaded, like torch.load(weights_only=True))`);
    }
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        p += 8;
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({});
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(data.readInt32LE(p));
        p += 4;
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4: little-endian two's complement, exact (a bigint beyond 2^53)
        const n = op === 0x8a ? u8() : u32();
        need(n);
        let v = 0n;
        if (n) {
          v = BigInt('0x' + Buffer.from(data.subarray(p, p + n)).reverse().toString('hex'));
          if (data[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        }
        p += n;
        stack.push(pyInt(v));
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        stack.push(data.readDoubleBE(p));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const n = data.readBigUInt64LE(p);
        p += 8;
        if (n > BigInt(data.length - p)) fail('ends early');
        stack.push(str(Number(n)));
        break;
      }
      case 0x54: // BINSTRING
        stack.push(str(u32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(str(u8()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(new Global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL of a non-string');
        stack.push(new Global(module as string, name as string));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo ${k} is unset`);
        stack.push(memo.get(k));
        break;
      }
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to a non-list');
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to a non-list');
        for (const x of items) (list as unknown[]).push(x);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: // BUILD: state of an OrderedDict (e.g. _metadata) or a Parameter; not needed
        pop();
        top();
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop();
        if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage') return fail('unknown persistent id');
        const type = pid[1];
        const dtype = type instanceof Global && Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, type.name) ? STORAGE_DTYPES[type.name] : undefined;
        if (!dtype) return fail(`unsupported storage type ${type instanceof Global ? type.name : describe(type)}`);
        if (typeof pid[2] !== 'string' || !isInt(pid[4]) || pid[4] < 0) return fail('storage reference without a key and an element count');
        stack.push(storage(new StorageRef(dtype, pid[2], pid[4])));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

/** A value, briefly, for a message. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Tensor) return 'a tensor';
  if (v instanceof Global) return `${v.module}.${v.name}`;
  if (typeof v === 'symbol') return 'a mark';
  if (v && typeof v === 'object') return 'a dict';
  return typeof v === 'bigint' ? `${v}` : JSON.stringify(v) ?? String(v);
}

// ---------------------------------------------------------------- torch.load

export interface ReadOptions {
  /** The most bytes compressed (deflate) records may inflate to, in total (default 1 GiB). */
  maxInflatedBytes?: number;
}

/** Reads a torch.save zip file's object; tensors share storage as they did when saved. */
export function readTorchFile(src: ByteSource | Uint8Array, file: string, options: ReadOptions = {}): unknown {
  const source = src instanceof Uint8Array ? bufferSource(src) : src;
  const zip = readZip(source, file);
  const { entries } = zip;
  const limit = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  const budget: InflateBudget = { remaining: limit, limit };
  const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
  if (!pkl) throw new TorchFileError(file, 'has no data.pkl: not a file written by torch.save');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order) {
    if (order.size > 16) throw new TorchFileError(file, `its byteorder record is ${order.size} bytes long`);
    if (readEntry(source, zip, order, file, budget).toString() !== 'little') throw new TorchFileError(file, 'is big-endian');
  }
  const storages = new Map<string, Tensor>();
  return unpickle(readEntry(source, zip, entries.get(pkl)!, file, budget), file, (ref) => {
    let t = storages.get(ref.key);
    if (!t) {
      const entry = entries.get(`${prefix}data/${ref.key}`);
      if (!entry) throw new TorchFileError(file, `storage ${ref.key} is missing`);
      const itemSize = ITEM_SIZE[ref.dtype];
      const numel = entry.size / itemSize;
      if (!Number.isInteger(numel) || numel < ref.numel) throw new TorchFileError(file, `storage ${ref.key} has ${entry.size} bytes, too few for ${ref.numel} ${ref.dtype}`);
      if (entry.method === 0) {
        t = tensorFromSource(source, dataStart(source, zip, entry, file), entry.size, ref.dtype);
      } else {
        t = new Tensor(native.fromBuffer(readEntry(source, zip, entry, file, budget), [numel], ref.dtype));
      }
      storages.set(ref.key, t);
    }
    return t;
  });
}

// ---------------------------------------------------------------- writing

const STORAGE_NAMES = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([name, dtype]) => [dtype, name])) as Record<DType, string>;

/** Pickles `obj` (protocol 2) the way Python's torch.save does, collecting the tensors whose storages follow. */
function pickle(obj: unknown, storages: Tensor[]): Buffer {
  const out: Buffer[] = [Buffer.from([0x80, 0x02])];
  const op = (...bytes: number[]): void => {
    out.push(Buffer.from(bytes));
  };
  const global = (module: string, name: string): void => {
    out.push(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
  };
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58; // BINUNICODE
    h.writeUInt32LE(b.length, 1);
    out.push(h, b);
  };
  const int = (n: number | bigint) => {
    if (typeof n === 'number' && n >= -(2 ** 31) && n < 2 ** 31) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a; // BININT
      b.writeInt32LE(n, 1);
      out.push(b);
    } else {
      // LONG1 (LONG4 past 255 bytes): little-endian two's complement
      let v = BigInt(n);
      const bytes: number[] = [];
      do {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      } while (!(v === 0n && (bytes[bytes.length - 1] & 0x80) === 0) && !(v === -1n && (bytes[bytes.length - 1] & 0x80) !== 0));
      if (bytes.length < 256) return op(0x8a, bytes.length, ...bytes);
      const h = Buffer.alloc(5);
      h[0] = 0x8b;
      h.writeUInt32LE(bytes.length, 1);
      out.push(h, Buffer.from(bytes));
    }
  };
  const float = (x: number) => {
    const b = Buffer.alloc(9);
    b[0] = 0x47; // BINFLOAT
    b.writeDoubleBE(x, 1);
    out.push(b);
  };
  const tuple = (items: (() => void)[]) => {
    op(0x28); // MARK
    items.forEach((f) => f());
    op(0x74); // TUPLE
  };
  const value = (v: unknown): void => {
    if (v === null || v === undefined) return op(0x4e);
    if (v === true) return op(0x88);
    if (v === false) return op(0x89);
    if (typeof v === 'number') return Number.isInteger(v) ? int(v) : float(v);
    if (typeof v === 'bigint') return int(v);
    if (typeof v === 'string') return str(v);
    if (v instanceof Tensor) {
      // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())
      const key = String(storages.length);
      storages.push(v); // written later as a contiguous copy: offset 0, row-major strides
      const shape = v.shape;
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
      global('torch._utils', '_rebuild_tensor_v2');
      tuple([
        () => {
          tuple([() => str('storage'), () => global('torch', STORAGE_NAMES[v.dtype]), () => str(key), () => str('cpu'), () => int(v.numel())]);
          op(0x51); // BINPERSID
        },
        () => int(0),
        () => tuple(shape.map((d) => () => int(d))),
        () => tuple(strides.map((d) => () => int(d))),
        () => value(v.requiresGrad && v.isLeaf),
        () => {
          global('collections', 'OrderedDict');
          op(0x29, 0x52); // EMPTY_TUPLE, REDUCE
        },
      ]);
      return op(0x52); // REDUCE
    }
    if (Array.isArray(v)) {
      op(0x5d); // EMPTY_LIST
      if (v.length) {
        op(0x28);
        v.forEach(value);
        op(0x65); // APPENDS
      }
      return;
    }
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      // Integer keys (an optimizer's per-parameter state) stay integers, as Python has them.
      const intKeys = entries.length > 0 && entries.every(([k]) => /^(0|[1-9]\d{0,14})$/.test(k));
      op(0x7d); // EMPTY_DICT
      if (entries.length) {
        op(0x28);
        for (const [k, x] of entries) {
          if (intKeys) int(Number(k));
          else str(k);
          value(x);
        }
        op(0x75); // SETITEMS
      }
      return;
    }
    throw new TypeError(`torch.save cannot store a ${typeof v}`);
  };
  value(obj);
  op(0x2e); // STOP
  return Buffer.concat(out);
}

/** Where a writer's bytes go: appended in order, with earlier bytes rewritten in place. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  /** Overwrites bytes already written, at `position`. */
  writeAt(chunk: Uint8Array, position: number): void;
}

/** Collects what is written, for a Buffer result (small files, tests). */
export class MemorySink implements ByteSink {
  private parts: Buffer[] = [];
  private size = 0;
  write(chunk: Uint8Array): void {
    this.parts.push(Buffer.from(chunk));
    this.size += chunk.length;
  }
  writeAt(chunk: Uint8Array, position: number): void {
    if (position < 0 || position + chunk.length > this.size) throw new RangeError('writeAt outside what was written');
    // Backwards from the end: rewrites are of recent bytes (a record's header).
    let end = this.size;
    for (let i = this.parts.length - 1; i >= 0 && end > position; i--) {
      const part = this.parts[i];
      const start = end - part.length;
      const from = Math.max(position, start);
      const to = Math.min(position + chunk.length, end);
      if (from < to) part.set(chunk.subarray(from - position, to - position), from - start);
      end = start;
    }
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** Writes to an open file descriptor from its start. */
export class FileSink implements ByteSink {
  position = 0;
  constructor(readonly fd: number) {}
  write(chunk: Uint8Array): void {
    this.writeAt(chunk, this.position);
    this.position += chunk.length;
  }
  writeAt(chunk: Uint8Array, position: number): void {
    for (let off = 0; off < chunk.length; ) off += fs.writeSync(this.fd, chunk, off, chunk.length - off, position + off);
  }
  /** Leaves a hole of `n` bytes (a sparse region; tests make large files this way). @internal */
  skip(n: number): void {
    this.position += n;
  }
}

const u32Field = (v: number) => (v >= fileLimits.zip64Threshold ? 0xffffffff : v);

/**
 * A zip of stored (uncompressed) records, each aligned to 64 bytes as PyTorch's writer
 * does, written record by record to a sink. Sizes and offsets from 4 GiB on get ZIP64
 * extra fields and the ZIP64 end records.
 */
export class ZipWriter {
  private offset = 0;
  private central: Buffer[] = [];
  private count = 0;
  private zip64 = false;
  constructor(private readonly sink: ByteSink & { skip?: (n: number) => void }) {}

  /** Adds a record of `size` bytes, which `fill` hands to `write` in chunks. */
  add(name: string, size: number, fill: (write: (chunk: Uint8Array) => void) => void): void {
    const threshold = fileLimits.zip64Threshold;
    const n = Buffer.from(name, 'utf8');
    const bigSize = size >= threshold;
    const farOffset = this.offset >= threshold;
    // The local header's ZIP64 field holds both sizes; the offset lives only in the directory.
    const local64 = bigSize ? Buffer.alloc(20) : Buffer.alloc(0);
    if (bigSize) {
      local64.writeUInt16LE(0x0001, 0);
      local64.writeUInt16LE(16, 2);
      local64.writeBigUInt64LE(BigInt(size), 4);
      local64.writeBigUInt64LE(BigInt(size), 12);
    }
    // Pad with an extra field so the data starts on a 64-byte boundary.
    const headerEnd = this.offset + 30 + n.length + local64.length + 4;
    const pad = (64 - (headerEnd % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x4246, 0); // 'FB', PyTorch's padding record
    extra.writeUInt16LE(pad, 2);
    const version = bigSize || farOffset ? 45 : 20;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4); // version needed
    local.writeUInt32LE(0, 14); // CRC-32, filled in after the data
    local.writeUInt32LE(u32Field(size), 18);
    local.writeUInt32LE(u32Field(size), 22);
    local.writeUInt16LE(n.length, 26);
    local.writeUInt16LE(local64.length + extra.length, 28);
    const localOffset = this.offset;
    this.sink.write(Buffer.concat([local, n, local64, extra]));
    let crc = 0;
    let written = 0;
    fill((chunk) => {
      crc = zlib.crc32(chunk, crc);
      written += chunk.length;
      if (written > size) throw new Error(`zip record ${name}: more than the ${size} bytes announced`);
      this.sink.write(chunk);
    });
    if (written !== size) throw new Error(`zip record ${name}: ${written} bytes written, ${size} announced`);
    const crcField = Buffer.alloc(4);
    crcField.writeUInt32LE(crc, 0);
    this.sink.writeAt(crcField, localOffset + 14);
    const fields = [...(bigSize ? [size, size] : []), ...(farOffset ? [localOffset] : [])];
    const central64 = Buffer.alloc(fields.length ? 4 + 8 * fields.length : 0);
    if (fields.length) {
      central64.writeUInt16LE(0x0001, 0);
      central64.writeUInt16LE(8 * fields.length, 2);
      fields.forEach((v, i) => central64.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
      this.zip64 = true;
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(version, 4); // version made by
    c.writeUInt16LE(version, 6); // version needed
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(u32Field(size), 20);
    c.writeUInt32LE(u32Field(size), 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt16LE(central64.length, 30);
    c.writeUInt32LE(u32Field(localOffset), 42);
    this.central.push(c, n, central64);
    this.count++;
    this.offset += 30 + n.length + local64.length + extra.length + size;
  }

  /** A hole of `n` bytes before the next record (a sparse file). @internal (tests of large offsets) */
  skip(n: number): void {
    if (!this.sink.skip) throw new Error('this sink cannot skip');
    this.sink.skip(n);
    this.offset += n;
  }

  /** Writes the zip directory and the end records. */
  finish(): void {
    const threshold = fileLimits.zip64Threshold;
    const cd = Buffer.concat(this.central);
    const cdOffset = this.offset;
    const manyRecords = this.count >= Math.min(0xffff, threshold);
    const zip64 = this.zip64 || manyRecords || cdOffset >= threshold || cd.length >= threshold;
    const tail: Buffer[] = [cd];
    if (zip64) {
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4); // size of the rest of the record
      rec.writeUInt16LE(45, 12); // version made by
      rec.writeUInt16LE(45, 14); // version needed
      rec.writeBigUInt64LE(BigInt(this.count), 24);
      rec.writeBigUInt64LE(BigInt(this.count), 32);
      rec.writeBigUInt64LE(BigInt(cd.length), 40);
      rec.writeBigUInt64LE(BigInt(cdOffset), 48);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
      loc.writeUInt32LE(1, 16); // total disks
      tail.push(rec, loc);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(manyRecords ? 0xffff : this.count, 8);
    end.writeUInt16LE(manyRecords ? 0xffff : this.count, 10);
    end.writeUInt32LE(zip64 ? u32Field(cd.length) : cd.length, 12);
    end.writeUInt32LE(zip64 ? u32Field(cdOffset) : cdOffset, 16);
    tail.push(end);
    for (const b of tail) this.sink.write(b);
  }
}

/** A zip of stored records, as one Buffer. */
export function writeZip(records: [string, Uint8Array][]): Buffer {
  const sink = new MemorySink();
  const zip = new ZipWriter(sink);
  for (const [name, data] of records) zip.add(name, data.length, (write) => write(data));
  zip.finish();
  return sink.toBuffer();
}

/** Writes a torch.save file (zip format) holding `obj` to `sink`, each tensor's bytes in chunks. */
export function writeTorchFileTo(sink: ByteSink, obj: unknown, name = 'archive'): void {
  const storages: Tensor[] = [];
  const pkl = pickle(obj, storages);
  const zip = new ZipWriter(sink);
  const small = (record: string, data: Buffer) => zip.add(`${name}/${record}`, data.length, (write) => write(data));
  small('data.pkl', pkl);
  small('byteorder', Buffer.from('little'));
  storages.forEach((t, i) => zip.add(`${name}/data/${i}`, t.numel() * ITEM_SIZE[t.dtype], (write) => writeTensorBytes(t, write)));
  small('version', Buffer.from('3\n'));
  zip.finish();
}

/** The bytes of a torch.save file (zip format) holding `obj`. */
export function writeTorchFile(obj: unknown, name = 'archive'): Buffer {
  const sink = new MemorySink();
  writeTorchFileTo(sink, obj, name);
  return sink.toBuffer();
}
