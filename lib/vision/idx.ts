// The IDX format of MNIST-style data sets: a magic number (0, 0, type, ndim),
// ndim big-endian uint32 sizes, then the elements, big-endian. Everything is
// checked — magic, type code, dimensions, sizes and the exact length — before
// the data is allocated; a .gz file's header is read from the first few
// kilobytes, and the whole stream is then inflated with a cap at the size that
// header declares, so neither a lying header nor a gzip bomb can allocate more.
import * as fs from 'fs';
import * as os from 'os';
import { constants as bufferConstants } from 'buffer';
import * as zlib from 'zlib';
import { native } from '../native';
import { Tensor } from '../tensor';
import { argError, checkInt } from '../errors';

/** The element types of IDX, by their type code. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { name: IdxDType; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** The most dimensions accepted (torchvision reads 1 to 3; QMNIST's label files have 2). */
export const IDX_MAX_DIMS = 8;
/** The largest element count accepted (well above any real IDX file; guards against absurd headers). */
const MAX_ELEMENTS = 2 ** 34;
/**
 * The largest decompressed size accepted by default: 4 GiB, or the largest
 * Buffer Node can make if that is smaller (the same on every Node: Node 22+
 * would otherwise allow 2^53 − 1 bytes, so a .gz claiming 16 GiB would inflate).
 */
export const IDX_MAX_BYTES: number = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'IdxFormatError';
  }
}

/** What an IDX header says. */
export interface IdxHeader {
  dtype: IdxDType;
  shape: number[];
  /** Bytes of the header (4 + 4 × ndim). */
  headerBytes: number;
  /** Bytes of the whole (decompressed) file the header implies. */
  totalBytes: number;
  /** Whether the file is gzip-compressed (named .gz). */
  gzipped: boolean;
}

export interface ReadIdxOptions {
  /** The number of dimensions the file must have. */
  expectDims?: number;
  /** The element type(s) the file may hold. */
  expectDtype?: IdxDType | IdxDType[];
  /** Refuse files whose (decompressed) size is larger; default and upper bound IDX_MAX_BYTES. */
  maxBytes?: number;
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const describeShape = (shape: number[], dtype: string) => `${shape.join('×')} ${dtype}`;

/** Parses and checks the header at the start of `buf` (the whole length is checked by the caller). */
function parseHeader(file: string, buf: Buffer, gzipped: boolean, options: ReadIdxOptions): IdxHeader {
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  if (buf.length < 4) throw new IdxFormatError(file, `is ${buf.length} bytes long, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new IdxFormatError(file, `bad magic number (first bytes ${buf[0]}, ${buf[1]}; expected 0, 0): not an IDX file`);
  const type = TYPES[buf[2]];
  if (!type) {
    const known = Object.entries(TYPES).map(([c, t]) => `0x${Number(c).toString(16).padStart(2, '0')} ${t.name}`);
    throw new IdxFormatError(file, `unknown IDX type code 0x${buf[2].toString(16)} (known: ${known.join(', ')})`);
  }
  const ndim = buf[3];
  if (ndim < 1 || ndim > IDX_MAX_DIMS) throw new IdxFormatError(file, `has ${ndim} dimensions; expected 1 to ${IDX_MAX_DIMS}`);
  if (options.expectDims !== undefined && ndim !== options.expectDims) {
    throw new IdxFormatError(file, `has ${ndim} dimensions; expected ${options.expectDims}`);
  }
  const allowed = options.expectDtype === undefined ? undefined : ([] as IdxDType[]).concat(options.expectDtype);
  if (allowed && !allowed.includes(type.name)) throw new IdxFormatError(file, `holds ${type.name} elements; expected ${allowed.join(' or ')}`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new IdxFormatError(file, `is truncated inside its header (${buf.length} of ${headerBytes} bytes)`);
  const shape: number[] = [];
  let count = 1;
  // The product of the non-zero sizes bounds the strides: [0, 2^31, 2^31, …] holds no element
  // but its strides overflow int64 (LibTorch refuses such a shape).
  let span = 1;
  for (let i = 0; i < ndim; i++) {
    const d = buf.readUInt32BE(4 + 4 * i);
    shape.push(d);
    count *= d;
    span *= Math.max(d, 1);
    // Checked after every factor, so the products never leave the exact range of a double (2^53).
    if (count > MAX_ELEMENTS || span > MAX_ELEMENTS) {
      throw new IdxFormatError(file, `dimensions ${shape.join('×')}${i < ndim - 1 ? '×…' : ''} are absurdly large (more than 2^34 elements${count > MAX_ELEMENTS ? '' : ', not counting the empty dimensions'})`);
    }
  }
  const totalBytes = headerBytes + count * type.size;
  if (totalBytes > maxBytes) {
    throw new IdxFormatError(file, `its header (${describeShape(shape, type.name)}) needs ${totalBytes} bytes, more than the limit of ${maxBytes} bytes`);
  }
  return { dtype: type.name, shape, headerBytes, totalBytes, gzipped };
}

function checkOptions(options: unknown): ReadIdxOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) argError('options', 'an object', options);
  const o = options as ReadIdxOptions;
  if (o.expectDims !== undefined) checkInt('expectDims', o.expectDims, { min: 1 });
  if (o.maxBytes !== undefined) {
    checkInt('maxBytes', o.maxBytes, { min: 1 });
    if (o.maxBytes > IDX_MAX_BYTES) throw new RangeError(`maxBytes must be <= ${IDX_MAX_BYTES} (IDX_MAX_BYTES), got ${o.maxBytes}`);
  }
  if (o.expectDtype !== undefined) {
    const names = Object.values(TYPES).map((t) => t.name as string);
    for (const d of ([] as unknown[]).concat(o.expectDtype)) if (typeof d !== 'string' || !names.includes(d)) argError('expectDtype', `one of ${names.join(', ')}`, d);
  }
  return o;
}

function gunzipError(file: string, e: unknown): IdxFormatError {
  return new IdxFormatError(file, `gzip data is corrupt or truncated (${(e as Error).message})`);
}

/** Inflates the start of a gzip stream: enough for an IDX header, never more than a few megabytes. */
function gzipPrefix(file: string, raw: Buffer): Buffer {
  for (const n of [4096, 65536]) {
    const whole = raw.length <= n;
    // Deflate expands at most ~1032:1, so the output of n bytes stays under this cap.
    const opts: zlib.ZlibOptions = { maxOutputLength: 1032 * n + 65536 };
    if (!whole) opts.finishFlush = zlib.constants.Z_SYNC_FLUSH;
    let out: Buffer;
    try {
      out = zlib.gunzipSync(raw.subarray(0, n), opts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') break;
      throw gunzipError(file, e);
    }
    if (whole || (out.length >= 4 && out.length >= 4 + 4 * out[3])) return out;
  }
  throw new IdxFormatError(file, 'its gzip stream yields no complete IDX header in its first 64 KiB');
}

/** Fills `buf` from the file at `position`. */
function readAt(file: string, fd: number, buf: Buffer, position: number): Buffer {
  for (let off = 0; off < buf.length; ) {
    const n = fs.readSync(fd, buf, off, Math.min(buf.length - off, 1 << 30), position + off);
    if (n === 0) throw new IdxFormatError(file, `is truncated: it ended while being read (at byte ${position + off})`);
    off += n;
  }
  return buf;
}

function openError(file: string, e: unknown): never {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') throw new IdxFormatError(file, 'does not exist');
  if (err.code === 'EISDIR') throw new IdxFormatError(file, 'is a folder, not an IDX file');
  throw new IdxFormatError(file, `cannot be read (${err.message})`);
}

/** Reads a whole plain IDX file or .gz after checking its header; returns the header and the element bytes. */
function load(file: string, options: ReadIdxOptions, headerOnly: boolean): { header: IdxHeader; data?: Buffer } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    openError(file, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new IdxFormatError(file, stat.isDirectory() ? 'is a folder, not an IDX file' : 'is not a regular file');
    const size = stat.size;
    if (file.endsWith('.gz')) {
      const magic = Buffer.alloc(2);
      fs.readSync(fd, magic, 0, 2, 0);
      if (size < 2 || !isGzip(magic)) throw new IdxFormatError(file, 'named .gz but is not gzip data');
      // The compressed file is read whole: one larger than the limit cannot hold a file under it.
      const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
      if (size > maxBytes) throw new IdxFormatError(file, `is ${size} bytes compressed, more than the limit of ${maxBytes} bytes`);
      const raw = readAt(file, fd, Buffer.allocUnsafe(size), 0);
      const header = parseHeader(file, gzipPrefix(file, raw), true, options);
      if (headerOnly) return { header };
      let buf: Buffer;
      try {
        buf = zlib.gunzipSync(raw, { maxOutputLength: header.totalBytes });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new IdxFormatError(
            file,
            `has unexpected bytes after the ${describeShape(header.shape, header.dtype)} data: it inflates to more than the ${header.totalBytes} bytes its header declares (trailing data, or a gzip bomb)`,
          );
        }
        throw gunzipError(file, e);
      }
      if (buf.length < header.totalBytes) {
        throw new IdxFormatError(file, `is truncated: ${buf.length} bytes (inflated), but its header (${describeShape(header.shape, header.dtype)}) needs ${header.totalBytes}`);
      }
      return { header, data: buf.subarray(header.headerBytes) };
    }
    const head = Buffer.alloc(Math.min(size, 4 + 4 * 255));
    fs.readSync(fd, head, 0, head.length, 0);
    if (isGzip(head)) throw new IdxFormatError(file, 'is gzip data but not named .gz; rename it to end in .gz');
    const header = parseHeader(file, head, false, options);
    const needs = `its header (${describeShape(header.shape, header.dtype)}) needs ${header.totalBytes}`;
    if (size < header.totalBytes) throw new IdxFormatError(file, `is truncated: ${size} bytes, but ${needs}`);
    if (size > header.totalBytes) throw new IdxFormatError(file, `has ${size - header.totalBytes} unexpected bytes after the ${describeShape(header.shape, header.dtype)} data`);
    if (headerOnly) return { header };
    return { header, data: readAt(file, fd, Buffer.allocUnsafe(header.totalBytes - header.headerBytes), header.headerBytes) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads an IDX file's header only (a .gz is inflated just far enough) and checks it against the
 * file's length (for a plain file; a .gz's length is only known once inflated).
 */
export function readIdxHeader(file: string, options?: ReadIdxOptions): IdxHeader {
  if (typeof file !== 'string') argError('file', 'a file path', file);
  return load(file, checkOptions(options), true).header;
}

/**
 * Reads an IDX file (raw, or gzip-compressed when named .gz) into a tensor of its shape and element type:
 * uint8, int8, int16, int32, float32 or float64 (type codes 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E).
 * Throws IdxFormatError, naming the file and the problem, for anything malformed.
 */
export function readIdx(file: string, options?: ReadIdxOptions): Tensor {
  if (typeof file !== 'string') argError('file', 'a file path', file);
  if (os.endianness() !== 'LE') throw new Error('readIdx: big-endian machines are not supported');
  const { header, data } = load(file, checkOptions(options), false);
  const bytes = data!;
  // IDX is big-endian; the native layer takes the machine's (little-endian) order.
  const size = Object.values(TYPES).find((t) => t.name === header.dtype)!.size;
  if (size === 2) bytes.swap16();
  else if (size === 4) bytes.swap32();
  else if (size === 8) bytes.swap64();
  return new Tensor(native.fromBuffer(bytes, header.shape, header.dtype));
}

// torchvision.io.read_image (PNG, JPEG), beside the IDX readers: vision.io.readImage.
export { readImage } from './image';
export type { ImageReadMode } from './image';
