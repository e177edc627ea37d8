// torch.save / torch.load in PyTorch's own zip format, safetensors, and atomic writes.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { argError } from './errors';
import { DType } from './dtype';
import { native } from './native';
import { Tensor } from './tensor';
import { ByteSink, ByteSource, bufferSource, DEFAULT_MAX_INFLATED_BYTES, FileSink, ReadOptions, readTorchFile, tensorFromSource, withFileSource, writeTensorBytes, writeTorchFileTo, zipEntryNames } from './torchfile';

/** What torch.save accepts: tensors, numbers, strings, booleans, null, arrays and plain objects of these. */
export type Saveable = Tensor | number | bigint | boolean | string | null | Saveable[] | { [key: string]: Saveable };

/**
 * Writes `data` to `file` atomically: to a temporary file in the same folder,
 * flushed, then renamed over `file`. A crash mid-save leaves the previous file.
 * `data` is the bytes, or a function that writes them to a sink (chunk by chunk,
 * so that a large file never exists as one Buffer).
 */
export function writeFileAtomic(file: string, data: Uint8Array | ((sink: FileSink) => void)): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof data === 'function') data(new FileSink(fd));
    else for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Checks that `v` holds only what torch.save can store, naming the first part that is not. */
function checkSaveable(v: unknown, where: string, seen: Set<unknown>): void {
  if (v instanceof Tensor || v === null || v === undefined || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string') return;
  if (typeof v === 'object') {
    if (seen.has(v)) throw new TypeError(`torch.save: ${where} refers to itself`);
    seen.add(v);
    if (Array.isArray(v)) return v.forEach((x, i) => checkSaveable(x, `${where}[${i}]`, seen));
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`torch.save: ${where} is a ${v.constructor?.name ?? 'class instance'}; save plain objects (e.g. model.stateDict())`);
    }
    for (const [k, x] of Object.entries(v)) checkSaveable(x, `${where}.${k}`, seen);
    seen.delete(v);
    return;
  }
  argError(`torch.save: ${where}`, 'a tensor, number, bigint, string, boolean, null, array or plain object', v);
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);

type FileFormat = 'pytorch-zip' | 'torchscript' | 'safetensors' | 'legacy-pickle' | 'unknown';

/** What kind of file `bytes` (a whole file, or a ByteSource over one) holds, by its first bytes. */
export function detectFormat(bytes: Uint8Array | ByteSource): FileFormat {
  const src = bytes instanceof Uint8Array ? bufferSource(bytes) : bytes;
  const head = src.read(0, Math.min(src.size, 16));
  if (startsWith(head, ZIP_MAGIC)) {
    // A TorchScript archive carries its code and constants; torch.save's zip has data.pkl and data/ only.
    // (A damaged zip counts as torch.save's, so that torch.load reports what is wrong with it.)
    const names = zipEntryNames(src) ?? [];
    return names.some((n) => /^[^/]+\/(code\/|constants\.pkl$)/.test(n)) ? 'torchscript' : 'pytorch-zip';
  }
  if (head.length >= 10 && head[8] === 0x7b /* { */) {
    const n = head.readBigUInt64LE(0);
    if (n > 0n && n <= BigInt(src.size - 8)) return 'safetensors';
  }
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'legacy-pickle';
  return 'unknown';
}

/**
 * Saves tensors, state dicts and plain data. The format is PyTorch's zip
 * (`torch.load(path, weights_only=True)` reads it in Python), or safetensors
 * when `file` ends in `.safetensors`. The write is atomic, and streams: tensors
 * go to the file in chunks, with ZIP64 records past 4 GiB.
 */
export function save(obj: Saveable, file: string): void {
  if (typeof file !== 'string') argError('path', 'a file path', file);
  if (file.endsWith('.safetensors')) {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj) || obj instanceof Tensor) {
      argError('obj', 'an object of name → Tensor for a .safetensors file', obj);
    }
    return saveFile(obj as Record<string, Tensor>, file);
  }
  checkSaveable(obj, 'obj', new Set());
  writeFileAtomic(file, (sink) => writeTorchFileTo(sink, obj));
}

/** Options of torch.load. */
export interface LoadOptions extends ReadOptions {
  /** The most bytes compressed (deflate) zip records may inflate to, in total (default 1 GiB). */
  maxInflatedBytes?: number;
}

const LOAD_OPTIONS = ['maxInflatedBytes'];

function checkLoadOptions(options: unknown): LoadOptions {
  if (options === undefined) return {};
  if (!options || typeof options !== 'object' || Array.isArray(options)) argError('options', 'an object', options);
  for (const k of Object.keys(options as object)) {
    if (!LOAD_OPTIONS.includes(k)) {
      const hint = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      throw new TypeError(`torch.load: unknown option "${k}"${LOAD_OPTIONS.includes(hint) ? ` (did you mean "${hint}"?)` : ` (known: ${LOAD_OPTIONS.join(', ')})`}`);
    }
  }
  const m = (options as LoadOptions).maxInflatedBytes;
  if (m !== undefined && !(typeof m === 'number' && m >= 0 && (Number.isSafeInteger(m) || m === Infinity))) {
    argError('maxInflatedBytes', 'a number of bytes (an integer >= 0, or Infinity)', m);
  }
  return options as LoadOptions;
}

/**
 * Loads what torch.save wrote (here or in Python), or a safetensors file, recognised by its bytes.
 * The file is read by position, never whole, so files larger than a Buffer load; compressed zip
 * records may inflate to `maxInflatedBytes` in total (default 1 GiB), and no more than they declare.
 */
export function load(file: string, options?: LoadOptions): unknown {
  if (typeof file !== 'string') argError('path', 'a file path', file);
  const opts = checkLoadOptions(options);
  return withFileSource(file, (src) => {
    switch (detectFormat(src)) {
      case 'pytorch-zip':
        return readTorchFile(src, file, opts);
      case 'safetensors':
        return readSafetensors(src, file).tensors;
      case 'torchscript':
        throw new Error(`${file} is a TorchScript module; load it with torch.jit.load()`);
      case 'legacy-pickle':
        throw new Error(`${file} uses PyTorch's legacy (pre-1.6) format; re-save it in Python with torch.save(obj, path) (the zip format)`);
      default:
        throw new Error(`${file} is neither a PyTorch file (zip) nor a safetensors file (first bytes: ${src.read(0, Math.min(8, src.size)).toString('hex')})`);
    }
  });
}

export { DEFAULT_MAX_INFLATED_BYTES };

// ---------------------------------------------------------------- safetensors

const ST_DTYPES: Record<string, { dtype: DType; size: number }> = {
  F64: { dtype: 'float64', size: 8 },
  F32: { dtype: 'float32', size: 4 },
  F16: { dtype: 'float16', size: 2 },
  BF16: { dtype: 'bfloat16', size: 2 },
  I64: { dtype: 'int64', size: 8 },
  I32: { dtype: 'int32', size: 4 },
  I16: { dtype: 'int16', size: 2 },
  I8: { dtype: 'int8', size: 1 },
  U8: { dtype: 'uint8', size: 1 },
  BOOL: { dtype: 'bool', size: 1 },
};
const ST_NAMES = Object.fromEntries(Object.entries(ST_DTYPES).map(([k, v]) => [v.dtype, k])) as Record<DType, string>;
const MAX_HEADER = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

/** The keys of the top-level JSON object, in order, duplicates included. */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, j + 1)));
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses and checks a safetensors file completely before any tensor is made. */
export function parseSafetensors(bytes: Uint8Array, file = '<bytes>'): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  return readSafetensors(bufferSource(bytes), file);
}

/** parseSafetensors over a ByteSource: the header, then each tensor's bytes by position. */
function readSafetensors(src: ByteSource, file: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (src.size < 8) throw new SafetensorsError(file, `is ${src.size} bytes long, too short for a safetensors header`);
  const n64 = src.read(0, 8).readBigUInt64LE(0);
  if (n64 > BigInt(src.size - 8)) throw new SafetensorsError(file, `header length ${n64} is larger than the file (${src.size} bytes)`);
  const n = Number(n64);
  if (n > MAX_HEADER) throw new SafetensorsError(file, `header length ${n} exceeds ${MAX_HEADER} bytes`);
  if (n < 2) throw new SafetensorsError(file, `header length ${n} is too small`);
  let text: string;
  try {
    text = utf8.decode(src.read(8, n));
  } catch {
    throw new SafetensorsError(file, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) throw new SafetensorsError(file, 'header is not a JSON object');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError(file, 'header is not a JSON object');
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new SafetensorsError(file, `tensor name "${k}" appears twice`);
    seen.add(k);
  }
  const dataStart = 8 + n;
  const dataLength = src.size - dataStart;
  let metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!info || typeof info !== 'object' || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
        throw new SafetensorsError(file, '__metadata__ must map strings to strings');
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== 'object') throw new SafetensorsError(file, `entry "${name}" is not an object`);
    const dt = typeof e.dtype === 'string' && Object.prototype.hasOwnProperty.call(ST_DTYPES, e.dtype) ? ST_DTYPES[e.dtype] : undefined;
    if (!dt) throw new SafetensorsError(file, `tensor "${name}" has unsupported dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new SafetensorsError(file, `tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((o) => !Number.isSafeInteger(o) || o < 0) || off[0] > off[1]) {
      throw new SafetensorsError(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    }
    if (off[1] > dataLength) throw new SafetensorsError(file, `tensor "${name}" ends at byte ${off[1]} of the data, which has ${dataLength} bytes`);
    const numel = (e.shape as number[]).reduce((a, b) => a * b, 1);
    // The product of the non-zero sizes bounds the strides: [0, 2^40, 2^40] holds nothing but cannot be a tensor.
    if ((e.shape as number[]).reduce((a, b) => a * Math.max(b, 1), 1) > Number.MAX_SAFE_INTEGER) {
      throw new SafetensorsError(file, `tensor "${name}" has an impossibly large shape [${e.shape}]`);
    }
    if (numel * dt.size !== off[1] - off[0]) {
      throw new SafetensorsError(file, `tensor "${name}" (${dt.dtype}, shape [${e.shape}]) needs ${numel * dt.size} bytes but its data_offsets span ${off[1] - off[0]}`);
    }
    entries.push({ name, dtype: dt.dtype, shape: e.shape as number[], begin: off[0], end: off[1] });
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of byOffset) {
    if (e.begin < pos) throw new SafetensorsError(file, `tensor "${e.name}" overlaps the data of another tensor (bytes ${e.begin}-${e.end})`);
    if (e.begin > pos) throw new SafetensorsError(file, `a gap of ${e.begin - pos} unused bytes precedes tensor "${e.name}"`);
    pos = e.end;
  }
  if (pos !== dataLength) throw new SafetensorsError(file, `${dataLength - pos} bytes after the last tensor belong to no tensor`);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const t = tensorFromSource(src, dataStart + e.begin, e.end - e.begin, e.dtype, e.shape);
    // defineProperty: a tensor named "__proto__" stays a key.
    Object.defineProperty(tensors, e.name, { value: t, enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

/** safetensors.torch.load_file: name → tensor. The file is read by position, never whole. */
export function loadFile(file: string): Record<string, Tensor> {
  if (typeof file !== 'string') argError('path', 'a file path', file);
  return withFileSource(file, (src) => readSafetensors(src, file).tensors);
}

/** Writes a safetensors file to `sink`: the header (padded with spaces to 8 bytes), then each tensor in chunks. */
export function writeSafetensorsTo(sink: Pick<ByteSink, 'write'>, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  if (!tensors || typeof tensors !== 'object') argError('tensors', 'an object of name → Tensor', tensors);
  const header: Record<string, unknown> = {};
  if (metadata) {
    if (Object.values(metadata).some((v) => typeof v !== 'string')) argError('metadata', 'an object of string → string', metadata);
    header.__metadata__ = metadata;
  }
  const list: Tensor[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) argError(`tensors.${name}`, 'a Tensor', t);
    if (name === '__metadata__') throw new TypeError('"__metadata__" cannot be a tensor name');
    const st = ST_NAMES[t.dtype];
    if (!st) throw new TypeError(`tensors.${name}: dtype ${t.dtype} cannot be stored in safetensors`);
    const nbytes = t.numel() * ST_DTYPES[st].size;
    Object.defineProperty(header, name, { value: { dtype: st, shape: t.shape, data_offsets: [offset, offset + nbytes] }, enumerable: true, writable: true, configurable: true });
    list.push(t);
    offset += nbytes;
  }
  // The data starts 8-byte aligned: the header is padded in bytes (a name may be several bytes per character).
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(padded.length));
  sink.write(Buffer.concat([head, padded]));
  for (const t of list) writeTensorBytes(t, (chunk) => sink.write(chunk));
}

/** safetensors.torch.save_file: writes name → tensor (and string metadata), atomically, streaming the tensors. */
export function saveFile(tensors: Record<string, Tensor>, file: string, metadata?: Record<string, string>): void {
  if (typeof file !== 'string') argError('path', 'a file path', file);
  if (!tensors || typeof tensors !== 'object') argError('tensors', 'an object of name → Tensor', tensors);
  writeFileAtomic(file, (sink) => writeSafetensorsTo(sink, tensors, metadata));
}

export const safetensors = { loadFile, saveFile, load: (bytes: Uint8Array) => parseSafetensors(bytes).tensors };
