// torchvision.utils: makeGrid and saveImage (PNG).
import * as path from 'path';
import { PNG } from 'pngjs';
import { noGrad } from '../autograd';
import { argError, checkBool, checkInt, checkNumber } from '../errors';
import { cat, full, stack, tensor } from '../creation';
import { isFloatingDtype } from '../dtype';
import { writeFileAtomic } from '../serialization';
import { Tensor } from '../tensor';

export interface MakeGridOptions {
  /** Images per row of the grid (default 8). */
  nrow?: number;
  /** Pixels of padding around each image (default 2). */
  padding?: number;
  /** Shift the values to [0, 1]: by valueRange when given, else by the min and max (default false). */
  normalize?: boolean;
  /** [low, high] mapped to [0, 1] when normalizing (values outside are clamped). */
  valueRange?: [number, number];
  /** Normalize each image by its own min and max instead of the whole batch's (default false). */
  scaleEach?: boolean;
  /** The value of the padding (default 0). */
  padValue?: number;
}

const GRID_OPTIONS = ['nrow', 'padding', 'normalize', 'valueRange', 'scaleEach', 'padValue'];

function checkOptions(opts: unknown, known: string[], fn: string): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) argError(`${fn} options`, `an object { ${known.join(', ')} }`, opts);
  for (const k of Object.keys(opts as object)) {
    if (!known.includes(k)) throw new TypeError(`${fn}: unknown option '${k}' (expected ${known.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}

/** The images as B×C×H×W (a list stacked, H×W and C×H×W made a batch of one); channels not yet repeated. */
function asBatch(input: Tensor | Tensor[], fn: string): Tensor {
  let x: Tensor;
  if (Array.isArray(input)) {
    if (input.length === 0) throw new RangeError(`${fn}: the list of images is empty`);
    input.forEach((t, i) => !(t instanceof Tensor) && argError(`${fn} input[${i}]`, 'a Tensor', t));
    x = stack(input, 0);
  } else if (input instanceof Tensor) {
    x = input;
  } else {
    return argError(`${fn} input`, 'a Tensor or an array of Tensors', input);
  }
  if (x.dim() === 2) x = x.unsqueeze(0);
  if (x.dim() === 3) x = x.unsqueeze(0);
  if (x.dim() !== 4) throw new RangeError(`${fn}: expected images of H×W, C×H×W or B×C×H×W, got shape [${x.shape.join(', ')}]`);
  if (x.shape[0] === 0) throw new RangeError(`${fn}: no images (shape [${x.shape.join(', ')}])`);
  return x;
}

/** PyTorch's norm_ip on (a clone of) x: clamp to [low, high], then (x − low) / max(high − low, 1e-5). */
function normRange(x: Tensor, low: number, high: number): Tensor {
  return x.clamp(low, high).sub(low).div(Math.max(high - low, 1e-5));
}

/**
 * Arranges a batch of images in a grid (torchvision.utils.make_grid): rows of
 * `nrow` images, `padding` pixels of `padValue` around each. Input B×C×H×W,
 * C×H×W, H×W or an array of C×H×W; one-channel images are repeated to three
 * channels, as torchvision does. Returns C×H'×W' with
 * H' = rows × (H + padding) + padding and W' = min(nrow, B) × (W + padding) + padding
 * (a single image comes back unpadded). The dtype is the input's, except that
 * normalizing integer images gives float32 (torchvision cannot normalize them).
 */
export function makeGrid(input: Tensor | Tensor[], options?: MakeGridOptions): Tensor {
  const o = checkOptions(options, GRID_OPTIONS, 'makeGrid') as MakeGridOptions;
  const nrow = checkInt('nrow', o.nrow ?? 8, { min: 1 });
  const padding = checkInt('padding', o.padding ?? 2, { min: 0 });
  const normalize = checkBool('normalize', o.normalize ?? false);
  const scaleEach = checkBool('scaleEach', o.scaleEach ?? false);
  const padValue = checkNumber('padValue', o.padValue ?? 0);
  const range = o.valueRange;
  if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || range.some((v) => typeof v !== 'number' || Number.isNaN(v)))) {
    argError('valueRange', 'a pair [low, high] of numbers', range);
  }
  return noGrad(() => {
    let x = asBatch(input, 'makeGrid');
    if (x.shape[1] === 1) x = cat([x, x, x], 1);

    if (normalize) {
      if (!isFloatingDtype(x.dtype)) x = x.to('float32');
      if (range) {
        // With one range for all, scaling each image is the same as scaling the batch.
        x = normRange(x, range[0], range[1]);
      } else if (scaleEach && x.shape[0] > 1) {
        // Each image by its own min and max: the bounds as numbers (as torchvision's
        // float(t.min())), the divisor computed in double, then cast to the dtype.
        const flat = x.flatten(1);
        const lows = flat.min(1).values.tolist() as number[];
        const highs = flat.max(1).values.tolist() as number[];
        const shape = [x.shape[0], 1, 1, 1];
        const low = tensor(Float64Array.from(lows), { shape }).to(x.dtype);
        const scale = tensor(Float64Array.from(lows, (l, i) => Math.max(highs[i] - l, 1e-5)), { shape }).to(x.dtype);
        x = x.sub(low).div(scale);
      } else {
        x = normRange(x, x.min().item(), x.max().item());
      }
    }

    if (x.shape[0] === 1) return x.squeeze(0);

    const [nmaps, channels, h, w] = x.shape;
    const xmaps = Math.min(nrow, nmaps);
    const ymaps = Math.ceil(nmaps / xmaps);
    const height = h + padding;
    const width = w + padding;
    // Every cell is (padding rows, then the image) × (padding columns, then the image).
    const cells = full([ymaps * xmaps, channels, height, width], padValue, { dtype: x.dtype, device: x.device });
    cells.narrow(0, 0, nmaps).narrow(2, padding, h).narrow(3, padding, w).copy_(x);
    const tiled = cells.view(ymaps, xmaps, channels, height, width).permute(2, 0, 3, 1, 4).reshape(channels, ymaps * height, xmaps * width);
    const grid = full([channels, ymaps * height + padding, xmaps * width + padding], padValue, { dtype: x.dtype, device: x.device });
    grid.narrow(1, 0, ymaps * height).narrow(2, 0, xmaps * width).copy_(tiled);
    return grid;
  });
}

export interface SaveImageOptions extends MakeGridOptions {
  /** 'png' (the only format written); by default taken from the file's extension, which must then be .png. */
  format?: string;
}

/**
 * Writes images as a PNG (torchvision.utils.save_image): makeGrid, then
 * `grid × 255 + 0.5` clamped to [0, 255] and truncated to uint8, so the
 * values are expected in [0, 1] (or normalized). One-channel images are
 * written as 8-bit grayscale, 2 channels as grayscale + alpha, 3 as RGB and
 * 4 as RGBA. The encoder is built in (Node's zlib, no image library), and the
 * file is written atomically (a temporary file, then a rename).
 */
export function saveImage(input: Tensor | Tensor[], file: string, options?: SaveImageOptions): void {
  const o = checkOptions(options, [...GRID_OPTIONS, 'format'], 'saveImage') as SaveImageOptions;
  if (typeof file !== 'string' || file === '') argError('file', 'a file path', file);
  const { format, ...gridOptions } = o;
  if (format !== undefined) {
    if (typeof format !== 'string' || format.toLowerCase() !== 'png') throw new RangeError(`saveImage: only the 'png' format is supported, got ${JSON.stringify(format)}`);
  } else if (path.extname(file).toLowerCase() !== '.png') {
    throw new RangeError(`saveImage: only PNG is written; name the file *.png or pass { format: 'png' } (got ${JSON.stringify(file)})`);
  }
  const png = noGrad(() => {
    const channels = asBatch(input, 'saveImage').shape[1];
    if (channels < 1 || channels > 4) throw new RangeError(`saveImage: images must have 1 to 4 channels, got ${channels}`);
    let grid = makeGrid(input, gridOptions);
    if (channels === 1) grid = grid.narrow(0, 0, 1); // makeGrid repeated it to 3 identical channels
    const pixels = grid.mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0).to({ device: 'cpu', dtype: 'uint8' });
    return encodePng(pixels);
  });
  writeFileAtomic(file, png);
}

const COLOUR_TYPE = [0, 0, 4, 2, 6]; // by channels: gray, gray + alpha, RGB, RGBA

/** A PNG file of an H×W×C uint8 image (C = 1 to 4), 8 bits per sample (encoded by pngjs). */
export function encodePng(pixels: Tensor): Buffer {
  if (!(pixels instanceof Tensor) || pixels.dtype !== 'uint8' || pixels.dim() !== 3) argError('pixels', 'an H×W×C uint8 Tensor', pixels);
  const [height, width, channels] = pixels.shape;
  if (channels < 1 || channels > 4) throw new RangeError(`encodePng: 1 to 4 channels, got ${channels}`);
  if (height < 1 || width < 1 || height > 0x7fffffff || width > 0x7fffffff) throw new RangeError(`encodePng: cannot write an image of ${width}×${height}`);
  // pngjs takes RGBA and writes the colour type asked for.
  const rgba = noGrad(() => {
    const p = pixels.cpu();
    const opaque = full([height, width, 1], 255, { dtype: 'uint8' });
    if (channels === 4) return p;
    if (channels === 3) return cat([p, opaque], 2);
    const gray = p.narrow(2, 0, 1);
    return cat([gray, gray, gray, channels === 2 ? p.narrow(2, 1, 1) : opaque], 2);
  });
  const png = new PNG({ width, height });
  png.data = Buffer.from((rgba.contiguous().toTypedArray() as Uint8Array).buffer);
  return PNG.sync.write(png, { colorType: COLOUR_TYPE[channels] as 0 | 2 | 4 | 6 });
}
