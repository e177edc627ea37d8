// The IDX format of MNIST-style data sets: a magic number (0, 0, type, ndim),
// ndim big-endian uint32 sizes, then the elements. Everything is checked
// before anything is allocated.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { native } from '../native';
import { Tensor } from '../tensor';

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** The largest element count accepted (well above any real IDX file; guards against absurd headers). */
const MAX_ELEMENTS = 2 ** 34;

export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'IdxFormatError';
  }
}

function readBytes(file: string): Buffer {
  const raw = fs.readFileSync(file);
  const gzipped = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (file.endsWith('.gz')) {
    if (!gzipped) throw new IdxFormatError(file, 'named .gz but is not gzip data');
    try {
      return zlib.gunzipSync(raw);
    } catch (e) {
      throw new IdxFormatError(file, `gzip data is corrupt (${(e as Error).message})`);
    }
  }
  if (gzipped) throw new IdxFormatError(file, 'is gzip data but not named .gz; rename it to end in .gz');
  return raw;
}

/** Reads an IDX file (raw or .gz) of uint8 elements into a uint8 tensor of its shape. */
export function readIdx(file: string, { expectDims }: { expectDims?: number } = {}): Tensor {
  const buf = readBytes(file);
  if (buf.length < 4) throw new IdxFormatError(file, `is ${buf.length} bytes long, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new IdxFormatError(file, `bad magic number (first bytes ${buf[0]}, ${buf[1]}; expected 0, 0): not an IDX file`);
  const type = TYPES[buf[2]];
  if (!type) throw new IdxFormatError(file, `unknown IDX type code 0x${buf[2].toString(16)}`);
  const ndim = buf[3];
  if (ndim < 1 || ndim > 4) throw new IdxFormatError(file, `has ${ndim} dimensions; expected 1 to 4`);
  if (expectDims !== undefined && ndim !== expectDims) throw new IdxFormatError(file, `has ${ndim} dimensions; expected ${expectDims}`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new IdxFormatError(file, `is truncated inside its header (${buf.length} of ${headerBytes} bytes)`);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = buf.readUInt32BE(4 + 4 * i);
    shape.push(d);
    count *= d;
    if (count > MAX_ELEMENTS) throw new IdxFormatError(file, `dimensions ${shape.join('×')}… are absurdly large`);
  }
  const expected = headerBytes + count * type.size;
  if (buf.length < expected) throw new IdxFormatError(file, `is truncated: ${buf.length} bytes, but its header (${shape.join('×')} ${type.name}) needs ${expected}`);
  if (buf.length > expected) throw new IdxFormatError(file, `has ${buf.length - expected} unexpected bytes after the ${shape.join('×')} ${type.name} data`);
  if (type.name !== 'uint8') throw new IdxFormatError(file, `holds ${type.name} elements; only uint8 IDX files are supported`);
  return new Tensor(native.fromBuffer(buf.subarray(headerBytes), shape, 'uint8'));
}
