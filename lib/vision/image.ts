// Reading images, as torchvision.io.read_image: PNG (pngjs) and JPEG (jpeg-js)
// decoded into a [C, H, W] uint8 tensor.
import * as fs from 'fs';
import jpeg = require('jpeg-js');
import { PNG } from 'pngjs';
import { argError } from '../errors';
import { noGrad } from '../autograd';
import { cat, tensor } from '../creation';
import { Tensor } from '../tensor';

/** torchvision's ImageReadMode: the file's own channels, gray, gray with alpha, RGB or RGBA. */
export type ImageReadMode = 'unchanged' | 'gray' | 'grayAlpha' | 'rgb' | 'rgba';
const MODES: ImageReadMode[] = ['unchanged', 'gray', 'grayAlpha', 'rgb', 'rgba'];

/** Decodes a PNG or JPEG file's bytes to RGBA, with the channels the file itself has. */
function decode(bytes: Buffer, file: string): { width: number; height: number; rgba: Uint8Array; channels: number } {
  if (bytes.length >= 8 && bytes.subarray(1, 4).toString('latin1') === 'PNG') {
    const png = PNG.sync.read(bytes);
    const colorType = bytes[25];
    const channels = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }[colorType] ?? 4;
    return { width: png.width, height: png.height, rgba: png.data, channels: colorType === 3 && png.alpha ? 4 : channels };
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    // jpeg-js gives RGB for every JPEG; a grayscale JPEG has R = G = B
    let gray = true;
    for (let i = 0; i < j.data.length && gray; i += 4) gray = j.data[i] === j.data[i + 1] && j.data[i] === j.data[i + 2];
    return { width: j.width, height: j.height, rgba: j.data, channels: gray ? 1 : 3 };
  }
  throw new TypeError(`readImage: ${file} is neither a PNG nor a JPEG file`);
}

/**
 * An image file (PNG or JPEG) as a [C, H, W] uint8 tensor, as
 * torchvision.io.read_image. `mode` converts: 'gray' uses ITU-R 601 luma
 * (PIL's `L`: (299 R + 587 G + 114 B) / 1000, rounded).
 */
export function readImage(file: string, { mode = 'unchanged' }: { mode?: ImageReadMode } = {}): Tensor {
  if (typeof file !== 'string' || !file) argError('file', 'an image file path', file);
  if (!MODES.includes(mode)) argError('mode', MODES.map((m) => `'${m}'`).join(', '), mode);
  const { width, height, rgba, channels } = decode(fs.readFileSync(file), file);
  const want = mode === 'unchanged' ? channels : { gray: 1, grayAlpha: 2, rgb: 3, rgba: 4 }[mode];
  return noGrad(() => {
    const hwc = tensor(rgba, { dtype: 'uint8' }).view(height, width, 4);
    const rgb = hwc.narrow(2, 0, 3);
    const alpha = hwc.narrow(2, 3, 1);
    let out: Tensor;
    if (want >= 3) {
      out = want === 4 ? hwc : rgb;
    } else {
      // PIL's L: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16
      const l = rgb.to({ dtype: 'int64' }).mul(tensor([19595, 38470, 7471])).sum(2, true).add(0x8000).div(65536, { roundingMode: 'floor' }).to({ dtype: 'uint8' });
      out = want === 2 ? cat([l, alpha], 2) : l;
    }
    return out.permute(2, 0, 1).contiguous();
  });
}
