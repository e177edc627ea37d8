// Reads files written by Python's torch.save (the zip format of PyTorch ≥ 1.6):
// a zip holding `<name>/data.pkl` (a pickle) and `<name>/data/<key>` (the raw
// bytes of each storage). The unpickler is restricted like
// torch.load(weights_only=True): it knows tensors, storages, OrderedDict and
// Python's plain values, and refuses any other global, so a file can never run code.
import * as zlib from 'zlib';
import { native } from './native';
import { DType, ITEM_SIZE } from './dtype';
import { callT } from './ops';
import { Tensor } from './tensor';

export class TorchFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TorchFileError';
  }
}

// ---------------------------------------------------------------- zip

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function readZip(buf: Buffer, file: string): Map<string, ZipEntry> {
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new TorchFileError(file, 'is not a complete zip file (no end of central directory; truncated?)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // ZIP64: the locator just before the EOCD points at the ZIP64 EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== 0x07064b50) throw new TorchFileError(file, 'has a damaged ZIP64 directory');
    const z = Number(buf.readBigUInt64LE(loc + 8));
    if (z + 56 > buf.length || buf.readUInt32LE(z) !== 0x06064b50) throw new TorchFileError(file, 'has a damaged ZIP64 directory');
    count = Number(buf.readBigUInt64LE(z + 32));
    cdSize = Number(buf.readBigUInt64LE(z + 40));
    cdOffset = Number(buf.readBigUInt64LE(z + 48));
  }
  if (cdOffset + cdSize > buf.length) throw new TorchFileError(file, 'zip directory points past the end of the file (truncated?)');
  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new TorchFileError(file, 'zip directory is damaged');
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extra field: the 64-bit values replace the ones set to 0xffffffff, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = Number(buf.readBigUInt64LE(q))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(buf.readBigUInt64LE(q))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** The names of a zip's records, or null when it is not a readable zip. */
export function zipEntryNames(buf: Buffer): string[] | null {
  try {
    return [...readZip(buf, '').keys()];
  } catch {
    return null;
  }
}

function readEntry(buf: Buffer, entry: ZipEntry, file: string): Buffer {
  const h = entry.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50) throw new TorchFileError(file, `zip entry ${entry.name} is damaged`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new TorchFileError(file, `zip entry ${entry.name} runs past the end of the file (truncated?)`);
  const raw = buf.subarray(start, end);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return zlib.inflateRawSync(raw);
  throw new TorchFileError(file, `zip entry ${entry.name} uses compression method ${entry.method}`);
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
class StorageRef {
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
  ) {}
}
const MARK = Symbol('mark');

/** An OrderedDict, as a plain object (keys in order); BUILD state such as `_metadata` is dropped. */
type PyDict = Record<string, unknown>;

function unpickle(data: Buffer, file: string, storage: (ref: StorageRef) => Tensor): unknown {
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
  const pop = () => (stack.length ? stack.pop() : fail('stack underflow'));
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('no mark');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const setItem = (d: unknown, k: unknown, v: unknown) => {
    if (!d || typeof d !== 'object' || Array.isArray(d)) fail('SETITEM on a non-dict');
    (d as PyDict)[String(k)] = v;
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof Global)) return fail('call of a non-global');
    const a = args as unknown[];
    const id = `${fn.module}.${fn.name}`;
    switch (id) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
        return {};
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor': {
        const [st, offset, size, stride, requiresGrad] = a as [Tensor, number, number[], number[], boolean];
        if (!(st instanceof Tensor)) fail('tensor without storage');
        const t = callT('aten::as_strided', st, size, stride, offset);
        if (requiresGrad) t.requiresGrad_(true);
        return t;
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        const [t, requiresGrad] = a as [Tensor, boolean];
        if (requiresGrad && t.isLeaf) t.requiresGrad_(true);
        return t;
      }
      case 'torch._tensor._rebuild_from_type_v2':
        return call(a[0], a[2]);
      case 'torch.device':
        return String(a[0]) + (a.length > 1 && a[1] !== null ? `:${a[1]}` : '');
      case 'builtins.set':
      case 'builtins.frozenset':
        return [...((a[0] as unknown[]) ?? [])];
      case 'torch.Size':
        return [...(a[0] as number[])];
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
        // LONG4
        const n = op === 0x8a ? u8() : u32();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]);
        if (n && data[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
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
      case 0x8d: // BINUNICODE8
        need(8);
        p += 8;
        stack.push(str(Number(data.readBigUInt64LE(p - 8))));
        break;
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
        const name = pop() as string;
        stack.push(new Global(pop() as string, name));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1]);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
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
        (stack[stack.length - 1] as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) fail('APPENDS on a non-list');
        (list as unknown[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(stack[stack.length - 1], k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = stack[stack.length - 1];
        for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: // BUILD: state of an OrderedDict (e.g. _metadata) or a Parameter; not needed
        pop();
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage_type, key, location, numel)
        const pid = pop() as unknown[];
        if (!Array.isArray(pid) || pid[0] !== 'storage') fail('unknown persistent id');
        const type = pid[1] as Global;
        const dtype = type instanceof Global ? STORAGE_DTYPES[type.name] : undefined;
        if (!dtype) fail(`unsupported storage type ${type instanceof Global ? type.name : String(type)}`);
        stack.push(storage(new StorageRef(dtype as DType, String(pid[2]), Number(pid[4]))));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

/** Reads a torch.save zip file's object; tensors share storage as they did when saved. */
export function readTorchFile(buf: Buffer, file: string): unknown {
  const entries = readZip(buf, file);
  const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
  if (!pkl) throw new TorchFileError(file, 'has no data.pkl: not a file written by torch.save');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && readEntry(buf, order, file).toString() !== 'little') throw new TorchFileError(file, 'is big-endian');
  const storages = new Map<string, Tensor>();
  return unpickle(readEntry(buf, entries.get(pkl)!, file), file, (ref) => {
    let t = storages.get(ref.key);
    if (!t) {
      const entry = entries.get(`${prefix}data/${ref.key}`);
      if (!entry) throw new TorchFileError(file, `storage ${ref.key} is missing`);
      const bytes = readEntry(buf, entry, file);
      const numel = bytes.length / ITEM_SIZE[ref.dtype];
      if (!Number.isInteger(numel) || numel < ref.numel) throw new TorchFileError(file, `storage ${ref.key} has ${bytes.length} bytes, too few for ${ref.numel} ${ref.dtype}`);
      t = new Tensor(native.fromBuffer(bytes, [numel], ref.dtype));
      storages.set(ref.key, t);
    }
    return t;
  });
}

// ---------------------------------------------------------------- writing

const STORAGE_NAMES = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([name, dtype]) => [dtype, name])) as Record<DType, string>;

/** Pickles `obj` (protocol 2) the way Python's torch.save does, collecting tensor storages. */
function pickle(obj: unknown, storages: Buffer[]): Buffer {
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
  const int = (n: number) => {
    if (Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a; // BININT
      b.writeInt32LE(n, 1);
      out.push(b);
    } else {
      // LONG1: little-endian two's complement
      let v = BigInt(n);
      const bytes: number[] = [];
      do {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      } while (!(v === 0n && (bytes[bytes.length - 1] & 0x80) === 0) && !(v === -1n && (bytes[bytes.length - 1] & 0x80) !== 0));
      op(0x8a, bytes.length, ...bytes);
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
    if (typeof v === 'string') return str(v);
    if (v instanceof Tensor) {
      // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())
      const key = String(storages.length);
      storages.push(v.handle.bytes()); // a contiguous copy: offset 0, row-major strides
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

/** A zip of stored (uncompressed) records, each aligned to 64 bytes as PyTorch's writer does. */
export function writeZip(records: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of records) {
    const n = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    if (data.length >= 0xffffffff || offset >= 0xffffffff) throw new RangeError('torch.save: files over 4 GiB are not supported yet');
    // Pad with an extra field so the data starts on a 64-byte boundary.
    const headerEnd = offset + 30 + n.length + 4;
    const pad = (64 - (headerEnd % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x4246, 0); // 'FB', PyTorch's padding record
    extra.writeUInt16LE(pad, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, n, extra, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + extra.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** The bytes of a torch.save file (zip format) holding `obj`. */
export function writeTorchFile(obj: unknown, name = 'archive'): Buffer {
  const storages: Buffer[] = [];
  const pkl = pickle(obj, storages);
  return writeZip([
    [`${name}/data.pkl`, pkl],
    [`${name}/byteorder`, Buffer.from('little')],
    ...storages.map((s, i) => [`${name}/data/${i}`, s] as [string, Buffer]),
    [`${name}/version`, Buffer.from('3\n')],
  ]);
}
