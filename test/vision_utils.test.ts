// vision.utils: makeGrid and saveImage (torchvision.utils semantics), PNG decoded here independently.
import * as fs from 'fs';
import { PNG } from 'pngjs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { makeGrid, saveImage } from '../lib/vision/utils';

const flat = (t: torch.Tensor) => Array.from(t.toTypedArray() as ArrayLike<number>);
const close = (t: torch.Tensor, want: number[][][]) => {
  expect(t.shape).toEqual([want.length, want[0].length, want[0][0].length]);
  const got = t.tolist() as number[][][];
  got.forEach((plane, c) => plane.forEach((row, y) => row.forEach((v, x) => expect(v).toBeCloseTo(want[c][y][x], 6))));
};

describe('makeGrid', () => {
  test('two 1-channel 2×2 images, padding 1: layout, padding, 3 channels', () => {
    const a = torch.tensor([[[0.25, 0.5], [0.75, 1]]]);
    const b = torch.tensor([[[0.1, 0.2], [0.3, 0.4]]]);
    const grid = makeGrid(torch.stack([a, b]), { padding: 1 });
    // xmaps = 2, ymaps = 1; height = width = 3; grid 3 × (3 + 1) × (2·3 + 1).
    const plane = [
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0.25, 0.5, 0, 0.1, 0.2, 0],
      [0, 0.75, 1, 0, 0.3, 0.4, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ];
    expect(grid.dtype).toBe('float32');
    close(grid, [plane, plane, plane]);
    // The same from a list of C×H×W images.
    expect(makeGrid([a, b], { padding: 1 }).equal(grid)).toBe(true);
  });

  test('nrow, padValue, empty cells: 3 RGB images of 1×2, nrow 2, padding 2', () => {
    const imgs = torch.arange(18, { dtype: 'float32' }).add(1).reshape(3, 3, 1, 2); // image k, channel c, pixel x: 6k + 2c + x + 1
    const grid = makeGrid(imgs, { nrow: 2, padding: 2, padValue: 0.5 });
    // xmaps = 2, ymaps = 2; height = 3, width = 4 → 3 × (2·3 + 2) × (2·4 + 2).
    expect(grid.shape).toEqual([3, 8, 10]);
    const g = grid.tolist() as number[][][];
    for (let c = 0; c < 3; c++) {
      // image k at row y·3 + 2, columns x·4 + 2 … x·4 + 3
      [[0, 0, 0], [1, 0, 1], [2, 1, 0]].forEach(([k, y, x]) => {
        expect(g[c][y * 3 + 2][x * 4 + 2]).toBe(6 * k + 2 * c + 1);
        expect(g[c][y * 3 + 2][x * 4 + 3]).toBe(6 * k + 2 * c + 2);
      });
      // the rest (padding and the empty fourth cell) is padValue
      const images = new Set(['2,2', '2,3', '2,6', '2,7', '5,2', '5,3']);
      g[c].forEach((row, r) => row.forEach((v, col) => !images.has(`${r},${col}`) && expect(v).toBe(0.5)));
    }
    // nrow 1: one column, three rows → 3 × (3·3 + 2) × (4 + 2)
    expect(makeGrid(imgs, { nrow: 1, padding: 2 }).shape).toEqual([3, 11, 6]);
    // no padding: the images side by side
    expect(makeGrid(imgs, { nrow: 3, padding: 0 }).equal(imgs.permute(1, 2, 0, 3).reshape(3, 1, 6))).toBe(true);
  });

  test('a single image comes back unpadded (H×W and 1×H×W made RGB)', () => {
    const hw = torch.tensor([[0.1, 0.9]]);
    const g = makeGrid(hw);
    expect(g.shape).toEqual([3, 1, 2]);
    expect(g.equal(hw.unsqueeze(0).expand(3, 1, 2))).toBe(true);
    const rgb = torch.rand(3, 4, 5);
    expect(makeGrid(rgb).equal(rgb)).toBe(true);
    expect(makeGrid(rgb.unsqueeze(0), { padding: 7 }).equal(rgb)).toBe(true);
    // integer images keep their dtype
    const u8 = torch.full([2, 3, 2, 2], 200, { dtype: 'uint8' });
    const gu = makeGrid(u8, { padding: 1, padValue: 7 });
    expect(gu.dtype).toBe('uint8');
    expect(gu.shape).toEqual([3, 4, 7]);
    expect(flat(gu.select(0, 0).select(0, 0))).toEqual([7, 7, 7, 7, 7, 7, 7]);
  });

  test('normalize: by valueRange (clamped), by the batch min/max, or each image by its own', () => {
    const x = torch.tensor([[[-1, 0], [1, 2]]], { dtype: 'float32' }); // 1×2×2, values −1 … 2
    close(makeGrid(x, { normalize: true, valueRange: [-1, 1] }), Array(3).fill([[0, 0.5], [1, 1]]));
    close(makeGrid(x, { normalize: true }), Array(3).fill([[0, 1 / 3], [2 / 3, 1]]));
    // the input is not changed
    expect(flat(x)).toEqual([-1, 0, 1, 2]);

    const two = torch.tensor([[[[0, 2]]], [[[10, 30]]]], { dtype: 'float32' }); // 2 images 1×1×2
    const batch = makeGrid(two, { normalize: true, padding: 0 }).select(0, 0);
    close(batch.unsqueeze(0), [[[0, 2 / 30, 1 / 3, 1]]]);
    const each = makeGrid(two, { normalize: true, scaleEach: true, padding: 0 }).select(0, 0);
    close(each.unsqueeze(0), [[[0, 1, 0, 1]]]);
    // scaleEach with a range: the same as without
    expect(makeGrid(two, { normalize: true, scaleEach: true, valueRange: [0, 20] }).equal(makeGrid(two, { normalize: true, valueRange: [0, 20] }))).toBe(true);
    // a constant image: divided by 1e-5, so 0
    close(makeGrid(torch.full([1, 1, 2], 3, { dtype: 'float32' }), { normalize: true }), Array(3).fill([[0, 0]]));
    // integer images normalize as float32
    const gi = makeGrid(torch.tensor([[[0, 5, 10]]], { dtype: 'uint8' }), { normalize: true });
    expect(gi.dtype).toBe('float32');
    close(gi, Array(3).fill([[0, 0.5, 1]]));
  });

  test('validation', () => {
    expect(() => makeGrid(torch.zeros(1, 1, 1, 1, 1))).toThrow(RangeError);
    expect(() => makeGrid(torch.zeros(0, 3, 2, 2))).toThrow(/no images/);
    expect(() => makeGrid([])).toThrow(RangeError);
    expect(() => makeGrid([torch.zeros(3, 2, 2), 5 as never])).toThrow(TypeError);
    expect(() => makeGrid('x' as never)).toThrow(TypeError);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { nrow: 0 })).toThrow(RangeError);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { padding: -1 })).toThrow(RangeError);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { valueRange: [0] as never })).toThrow(TypeError);
    expect(() => makeGrid(torch.zeros(2, 3, 2, 2), { colour: 1 } as never)).toThrow(/unknown option 'colour'/);
  });
});

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  channels: number;
  pixels: number[][][]; // [y][x][channel]
}

/** Reads a PNG with pngjs (a decoder independent of the encoder's framing): the header, and the pixels in the file's own channels. */
function readPng(file: string): Png {
  const buf = fs.readFileSync(file);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = PNG.sync.read(buf); // checks every chunk's CRC
  const { width, height } = png;
  const colourType = buf[8 + 8 + 9]; // IHDR's colour type
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType] as number;
  const pick = [[0], [0, 1, 2], [0, 3], [0, 1, 2, 3]][[0, 2, 4, 6].indexOf(colourType)];
  const pixels: number[][][] = [];
  for (let y = 0; y < height; y++) pixels.push(Array.from({ length: width }, (_, x) => pick.map((c) => png.data[(y * width + x) * 4 + c])));
  return { width, height, bitDepth: buf[8 + 8 + 8], colourType, channels, pixels };
}

describe('saveImage', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-vision-utils-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('1-channel images: an 8-bit grayscale PNG of the grid, values ×255 + 0.5 truncated', () => {
    const a = torch.tensor([[[0, 0.5], [1, 0.25]]]);
    const b = torch.tensor([[[1.5, -0.2], [0.1, 0.998]]]);
    const file = path.join(dir, 'gray.png');
    saveImage(torch.stack([a, b]), file, { padding: 1 });
    const png = readPng(file);
    expect([png.width, png.height, png.bitDepth, png.colourType]).toEqual([7, 4, 8, 0]);
    // 0 → 0, 0.5 → 128, 1 → 255, 0.25 → 64 (64.25), 1.5 → 255 (clamped), −0.2 → 0, 0.1 → 26 (26.0), 0.998 → 254 (254.99)
    expect(png.pixels.map((row) => row.map((p) => p[0]))).toEqual([
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 128, 0, 255, 0, 0],
      [0, 255, 64, 0, 26, 254, 0],
      [0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('RGB images: an RGB PNG, with padValue and normalize passed to makeGrid', () => {
    const img = torch.tensor([
      [[0, 1]],
      [[0.5, 0]],
      [[1, 0.2]],
    ]); // 3×1×2
    const file = path.join(dir, 'rgb.png');
    saveImage([img, img], file, { padding: 1, padValue: 1, nrow: 1 });
    const png = readPng(file);
    expect([png.width, png.height, png.colourType, png.channels]).toEqual([4, 5, 2, 3]);
    const W = [255, 255, 255];
    expect(png.pixels).toEqual([
      [W, W, W, W],
      [W, [0, 128, 255], [255, 0, 51], W],
      [W, W, W, W],
      [W, [0, 128, 255], [255, 0, 51], W],
      [W, W, W, W],
    ]);
    // a single image, normalized by a range, explicit format with another extension
    const other = path.join(dir, 'single.img');
    saveImage(torch.tensor([[[-1, 1], [0, 3]]], { dtype: 'float32' }), other, { normalize: true, valueRange: [-1, 1], format: 'png' });
    const single = readPng(other);
    expect([single.width, single.height, single.colourType]).toEqual([2, 2, 0]);
    expect(single.pixels.map((row) => row.map((p) => p[0]))).toEqual([
      [0, 255],
      [128, 255],
    ]);
  });

  test('RGBA and grayscale + alpha', () => {
    const rgba = path.join(dir, 'rgba.png');
    saveImage(torch.ones(4, 2, 3), rgba);
    const p4 = readPng(rgba);
    expect([p4.width, p4.height, p4.colourType]).toEqual([3, 2, 6]);
    expect(p4.pixels[1][2]).toEqual([255, 255, 255, 255]);
    const la = path.join(dir, 'la.png');
    saveImage(torch.zeros(2, 1, 1), la);
    expect(readPng(la).colourType).toBe(4);
  });

  test('errors: other formats, bad paths, too many channels', () => {
    const x = torch.rand(3, 2, 2);
    expect(() => saveImage(x, path.join(dir, 'a.jpg'))).toThrow(/only PNG/);
    expect(() => saveImage(x, path.join(dir, 'a.png'), { format: 'jpeg' })).toThrow(/only the 'png' format/);
    expect(() => saveImage(x, 5 as never)).toThrow(TypeError);
    expect(() => saveImage(torch.rand(5, 2, 2), path.join(dir, 'five.png'))).toThrow(/1 to 4 channels/);
    expect(() => saveImage(x, path.join(dir, 'missing-dir', 'a.png'))).toThrow();
    expect(fs.existsSync(path.join(dir, 'a.jpg'))).toBe(false);
  });
});
