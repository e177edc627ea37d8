// torchvision.transforms, written once as operator calls on a batch of images
// (N×C×H×W, uint8 "images" before ToTensor, float after), so the same code
// runs per item from JavaScript (`transform(img)`, randomness from the global
// generator) and per batch natively inside the DataLoader's recorded batch
// program (randomness from the loader's generator, vectorised over the batch:
// one draw per image). The geometry follows torchvision's tensor functional
// (`torchvision.transforms.functional` on tensors) formula for formula, and is
// checked against it in test/transforms.test.ts.
import { bind, Signature } from '../signature';
import { SIGNATURES } from '../signatures';
import { argError, checkBool, checkInt, checkNumber } from '../errors';
import { linspace, stack, tensor, zeros } from '../creation';
import type { Device, DType } from '../dtype';
import { Tensor } from '../tensor';
import { eager, EmitArg, Emitter, Val } from '../program';

/** What a transform knows about the batch it gets: the per-image shape (static) and dtype, where randomness comes from, the device. */
export interface BatchContext {
  shape: [number, number, number];
  dtype: DType;
  /** A torch.Generator (eager), a program register holding one (recorded), or null for the global generator. */
  generator: EmitArg;
  device: Device;
}

export interface Transform {
  /** Applies the transform to one image: H×W (a uint8 image, as a PIL "L" image) or C×H×W. */
  (input: Tensor): Tensor;
  /** Emits the transform over a batch `x` (N×C×H×W); updates `ctx.shape` / `ctx.dtype`. Absent for `Lambda`. */
  emitBatch?: (b: Emitter, x: Val, ctx: BatchContext) => Val;
  readonly transformName: string;
}

type Interpolation = 'nearest' | 'bilinear';
type Fill = number | number[];

function checkTensorInput(name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) argError(`${name} input`, 'a Tensor image (H×W or C×H×W)', x);
  return x as Tensor;
}

/** A transform from its batch form: one image runs as a batch of one, eagerly. */
function make(name: string, emitBatch: ((b: Emitter, x: Val, ctx: BatchContext) => Val) | undefined, one?: (x: Tensor) => Tensor): Transform {
  const f = ((input: Tensor) => {
    const x = checkTensorInput(name, input);
    if (one) return one(x);
    const wasHW = x.dim() === 2;
    const img = wasHW ? x.unsqueeze(0) : x;
    if (img.dim() !== 3) throw new RangeError(`${name}: expected an H×W or C×H×W image, got shape [${x.shape.join(', ')}]`);
    const ctx: BatchContext = { shape: img.shape as [number, number, number], dtype: img.dtype, generator: null, device: img.device as Device };
    eager.where = name;
    let out = (emitBatch!(eager, img.unsqueeze(0), ctx) as Tensor).squeeze(0);
    // An H×W uint8 image stays H×W while it is one uint8 channel (as a PIL image would).
    if (wasHW && ctx.dtype === 'uint8' && ctx.shape[0] === 1) out = out.squeeze(0);
    return out;
  }) as Transform & { transformName: string; emitBatch?: Transform['emitBatch'] };
  if (emitBatch) {
    f.emitBatch = (b, x, ctx) => {
      b.where = name;
      return emitBatch(b, x, ctx);
    };
  }
  f.transformName = name;
  return f;
}

// ---------------------------------------------------------------- helpers on an emitter

const isFloat = (d: DType) => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';

/** A constant tensor on the batch's device. */
function cst(ctx: BatchContext, t: Tensor): Tensor {
  return ctx.device === 'cpu' ? t : t.to(ctx.device);
}

/** A tensor made on the CPU (where the generator draws) moved to the batch's device. */
function toDevice(b: Emitter, ctx: BatchContext, t: Val): Val {
  return ctx.device === 'cpu' ? t : b.call('aten::_to_copy', t, null, null, ctx.device, null, true);
}

/** The batch size (a number when eager, a register when recorded). */
function batchSize(b: Emitter, x: Val): Val {
  return b.call('aten::size.int', x, 0);
}

/** N values of U(lo, hi) in float64 (drawn as float32, as torchvision's torch.empty(1).uniform_ is), on the CPU. */
function uniform(b: Emitter, ctx: BatchContext, n: Val, lo: number, hi: number): Val {
  const t = b.call('aten::empty.memory_format', [n], 'float32');
  return b.call('aten::to.dtype', b.call('aten::uniform_', t, lo, hi, ctx.generator), 'float64');
}

/** Integer image to float32 for sampling; back with rounding afterwards (torchvision's _cast_squeeze_in/out). */
function toFloat(b: Emitter, x: Val, ctx: BatchContext): Val {
  return isFloat(ctx.dtype) ? x : b.call('aten::to.dtype', x, 'float32');
}
function fromFloat(b: Emitter, x: Val, ctx: BatchContext): Val {
  return isFloat(ctx.dtype) ? x : b.call('aten::to.dtype', b.call('aten::round', x), ctx.dtype);
}

/** Per-image affine parameters (N-vectors, float64, degrees/pixels); a number means the same for all. */
interface AffineParams {
  angle: Val | number;
  tx: Val | number;
  ty: Val | number;
  scale: Val | number;
  shearX: Val | number;
  shearY: Val | number;
}

/**
 * torchvision's _get_inverse_affine_matrix, vectorised: N×2×3 float32 inverse
 * matrices in centred pixel coordinates (centre (cx, cy) relative to the image centre).
 */
function inverseAffine(b: Emitter, n: Val, p: AffineParams, cx: number, cy: number): Val {
  const vec = (v: Val | number) => (typeof v === 'number' ? b.call('aten::full', [n], v, 'float64') : v);
  const mul = (a: Val, c: Val | number) => b.call(typeof c === 'number' ? 'aten::mul.Scalar' : 'aten::mul.Tensor', a, c);
  const div = (a: Val, c: Val | number) => b.call(typeof c === 'number' ? 'aten::div.Scalar' : 'aten::div.Tensor', a, c);
  const add = (a: Val, c: Val | number) => b.call(typeof c === 'number' ? 'aten::add.Scalar' : 'aten::add.Tensor', a, c);
  const sub = (a: Val, c: Val) => b.call('aten::sub.Tensor', a, c);
  const f = (op: string, a: Val) => b.call(`aten::${op}`, a);
  const rad = Math.PI / 180;
  const rot = mul(vec(p.angle), rad);
  const sx = mul(vec(p.shearX), rad);
  const sy = mul(vec(p.shearY), rad);
  const rs = sub(rot, sy);
  const cosSy = f('cos', sy);
  const a = div(f('cos', rs), cosSy);
  const bb = sub(f('neg', div(mul(f('cos', rs), f('tan', sx)), cosSy)), f('sin', rot));
  const c = div(f('sin', rs), cosSy);
  const d = add(f('neg', div(mul(f('sin', rs), f('tan', sx)), cosSy)), f('cos', rot));
  const scale = vec(p.scale);
  const m0 = div(d, scale);
  const m1 = div(f('neg', bb), scale);
  const m3 = div(f('neg', c), scale);
  const m4 = div(a, scale);
  const ox = add(f('neg', vec(p.tx)), -cx); // -cx - tx
  const oy = add(f('neg', vec(p.ty)), -cy);
  const m2 = add(add(mul(m0, ox), mul(m1, oy)), cx);
  const m5 = add(add(mul(m3, ox), mul(m4, oy)), cy);
  const m = b.call('aten::stack', [m0, m1, m2, m3, m4, m5], 1);
  return b.call('aten::to.dtype', b.call('aten::view', m, [-1, 2, 3]), 'float32');
}

/** torchvision's base grid for an H×W output: pixel centres relative to the image centre, and 1 (1×HW×3). */
function baseGrid(h: number, w: number): Tensor {
  const xs = linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, w);
  const ys = linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, h);
  const g = stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w), zeros(h, w).add(1)], 2);
  return g.view(1, h * w, 3);
}

const INTERP: Record<Interpolation, number> = { bilinear: 0, nearest: 1 };

function checkInterpolation(v: unknown): Interpolation {
  if (v !== 'nearest' && v !== 'bilinear') argError('interpolation', "'nearest' or 'bilinear'", v);
  return v as Interpolation;
}
function checkFill(v: unknown): Fill {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'number')) return v as number[];
  argError('fill', 'a number or an array of numbers (one per channel)', v);
}

/** Samples every image through its inverse matrix (torchvision's _gen_affine_grid + _apply_grid_transform, fill included). */
function gridTransform(b: Emitter, x: Val, ctx: BatchContext, theta: Val, interpolation: Interpolation, fill: Fill | null): Val {
  const [C, H, W] = ctx.shape;
  const t = toDevice(b, ctx, theta);
  const rescaled = b.call('aten::div.Tensor', b.call('aten::transpose.int', t, 1, 2), cst(ctx, tensor([0.5 * W, 0.5 * H])));
  const grid = b.call('aten::view', b.call('aten::matmul', cst(ctx, baseGrid(H, W)), rescaled), [-1, H, W, 2]);
  let img = toFloat(b, x, ctx);
  if (fill !== null) img = b.call('aten::cat', [img, b.call('aten::ones_like', b.call('aten::narrow', img, 1, 0, 1))], 1);
  let out = b.call('aten::grid_sampler', img, grid, INTERP[interpolation], 0, false);
  if (fill !== null) {
    const mask = b.call('aten::narrow', out, 1, C, 1);
    out = b.call('aten::narrow', out, 1, 0, C);
    const fillT = cst(ctx, tensor(typeof fill === 'number' ? [fill] : fill, { dtype: 'float32' }).view(1, -1, 1, 1));
    if (interpolation === 'nearest') out = b.call('aten::where.self', b.call('aten::lt.Scalar', mask, 0.5), fillT, out);
    else out = b.call('aten::add.Tensor', b.call('aten::mul.Tensor', out, mask), b.call('aten::mul.Tensor', b.call('aten::rsub.Scalar', mask, 1), fillT));
  }
  return fromFloat(b, out, ctx);
}

/** Crops box (top, left) of size h×w from each image; top/left are int64 N-vectors. Exact pixels (a gather). */
function cropEach(b: Emitter, x: Val, ctx: BatchContext, top: Val, left: Val, h: number, w: number): Val {
  const rows = b.call('aten::add.Tensor', b.call('aten::view', toDevice(b, ctx, top), [-1, 1, 1]), cst(ctx, tensor(Array.from({ length: h }, (_, i) => i)).view(1, h, 1)));
  const cols = b.call('aten::add.Tensor', b.call('aten::view', toDevice(b, ctx, left), [-1, 1, 1]), cst(ctx, tensor(Array.from({ length: w }, (_, i) => i)).view(1, 1, w)));
  const n = b.call('aten::view', b.call('aten::arange', batchSize(b, x), 'int64', undefined, ctx.device), [-1, 1, 1]);
  const hwc = b.call('aten::permute', x, [0, 2, 3, 1]);
  const out = b.call('aten::index.Tensor', hwc, [n, rows, cols]);
  ctx.shape = [ctx.shape[0], h, w];
  return b.call('aten::contiguous', b.call('aten::permute', out, [0, 3, 1, 2]));
}

/** [top, bottom, left, right] paddings from torchvision's 1, 2 or 4 numbers ([left, top, right, bottom]). */
function parsePadding(padding: number | number[]): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : padding;
  if (!Array.isArray(p) || ![1, 2, 4].includes(p.length)) argError('padding', 'an integer or an array of 1, 2 or 4 integers', padding);
  p.forEach((v, i) => checkInt(`padding[${i}]`, v, { min: 0 }));
  const [l, t, r, bt] = p.length === 1 ? [p[0], p[0], p[0], p[0]] : p.length === 2 ? [p[0], p[1], p[0], p[1]] : p;
  return [t, bt, l, r];
}

type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Index vector for symmetric padding of a dimension of size n. */
function symmetricIndex(n: number, before: number, after: number): Tensor {
  const idx: number[] = [];
  for (let i = -before; i < n + after; i++) {
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
    idx.push(j);
  }
  return tensor(idx);
}

function padBatch(b: Emitter, x: Val, ctx: BatchContext, [t, bt, l, r]: [number, number, number, number], fill: number, mode: PaddingMode): Val {
  const [C, H, W] = ctx.shape;
  ctx.shape = [C, H + t + bt, W + l + r];
  if (t + bt + l + r === 0) return x;
  if (mode === 'constant') return b.call('aten::constant_pad_nd', x, [l, r, t, bt], fill);
  if (mode === 'symmetric') {
    const rows = b.call('aten::index_select', x, 2, cst(ctx, symmetricIndex(H, t, bt)));
    return b.call('aten::index_select', rows, 3, cst(ctx, symmetricIndex(W, l, r)));
  }
  const out = b.call('aten::pad', toFloat(b, x, ctx), [l, r, t, bt], mode === 'edge' ? 'replicate' : 'reflect', null);
  return isFloat(ctx.dtype) ? out : b.call('aten::to.dtype', out, ctx.dtype);
}

function sizePair(name: string, size: number | number[]): [number, number] {
  if (typeof size === 'number') return [checkInt(name, size, { min: 1 }), size];
  if (!Array.isArray(size) || size.length < 1 || size.length > 2) argError(name, 'an integer or [height, width]', size);
  return size.length === 1 ? [checkInt(name, size[0], { min: 1 }), size[0]] : [checkInt(`${name}[0]`, size[0], { min: 1 }), checkInt(`${name}[1]`, size[1], { min: 1 })];
}

function range(name: string, v: number | [number, number], { symmetric = false, min }: { symmetric?: boolean; min?: number } = {}): [number, number] {
  if (typeof v === 'number') {
    if (symmetric) {
      if (v < 0) throw new RangeError(`${name}: a single number must be non-negative, got ${v}`);
      return [-v, v];
    }
    return [v, v];
  }
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number' || Number.isNaN(x))) argError(name, 'a number or a pair [min, max]', v);
  if (v[0] > v[1]) throw new RangeError(`${name}: min (${v[0]}) must not exceed max (${v[1]})`);
  if (min !== undefined && v[0] < min) throw new RangeError(`${name} must be >= ${min}, got ${v[0]}`);
  return [v[0], v[1]];
}

function checkProbability(name: string, p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${p}`);
  return p;
}

function checkOptions(name: string, o: unknown, known: string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) argError(`${name} options`, 'an object', o);
  for (const k of Object.keys(o as object)) if (!known.includes(k)) throw new TypeError(`${name}: unknown option '${k}' (expected ${known.join(', ')})`);
  return o as Record<string, unknown>;
}

/** A transform's arguments by torchvision's signature (lib/signatures.ts); only what was given, None as absent. */
function bindTransform(name: string, args: unknown[]): Record<string, unknown> {
  const a = bind(name, SIGNATURES[`transforms.${name}` as keyof typeof SIGNATURES] as Signature, args, { fillDefaults: false });
  for (const k of Object.keys(a)) if (a[k] === null) delete a[k];
  return a;
}

// ---------------------------------------------------------------- the transforms

/** uint8 images (H×W, C×H×W with 1, 3 or 4 channels, or H×W×C) to float32 C×H×W in [0, 1]. */
export function ToTensor(): Transform {
  const emit = (b: Emitter, x: Val, ctx: BatchContext) => {
    const wasInt = !isFloat(ctx.dtype);
    ctx.dtype = 'float32';
    const f = b.call('aten::to.dtype', x, 'float32');
    return wasInt ? b.call('aten::div.Scalar', f, 255) : f;
  };
  return make('ToTensor', emit, (x) => {
    const scale = (t: Tensor) => (t.dtype === 'uint8' ? t.to('float32').div(255) : t.to('float32'));
    if (x.dim() === 2) return scale(x).unsqueeze(0);
    // C×H×W as the other transforms make it (1, 3 or 4 channels first), else H×W×C as numpy images.
    if (x.dim() === 3) return [1, 3, 4].includes(x.shape[0]) ? scale(x) : scale(x.permute(2, 0, 1)).contiguous();
    return argError('ToTensor input', 'an H×W or H×W×C image', x);
  });
}

/** (x - mean) / std per channel. */
export function Normalize(mean: number[], std: number[], inplace?: boolean): Transform;
export function Normalize(options: { mean: number[]; std: number[]; inplace?: boolean }): Transform;
export function Normalize(...args: unknown[]): Transform {
  const a = bind('Normalize', SIGNATURES['transforms.Normalize'] as Signature, args);
  const mean = a.mean as number[];
  const std = a.std as number[];
  if (!Array.isArray(mean) || !mean.length || mean.some((m) => typeof m !== 'number')) argError('mean', 'an array of numbers', mean);
  if (!Array.isArray(std) || std.length !== mean.length || std.some((s) => typeof s !== 'number')) argError('std', `an array of ${mean.length} numbers`, std);
  if (std.some((s) => s === 0)) throw new RangeError('Normalize: std must not contain 0');
  const m = tensor(mean, { dtype: 'float32' }).view(1, -1, 1, 1);
  const s = tensor(std, { dtype: 'float32' }).view(1, -1, 1, 1);
  return make('Normalize', (b, x, ctx) => {
    if (!isFloat(ctx.dtype)) throw new TypeError(`Normalize needs a float image (put ToTensor first), got ${ctx.dtype}`);
    if (mean.length !== 1 && mean.length !== ctx.shape[0]) throw new RangeError(`Normalize: ${mean.length} means for ${ctx.shape[0]} channels`);
    return b.call('aten::div.Tensor', b.call('aten::sub.Tensor', x, cst(ctx, m)), cst(ctx, s));
  });
}

/** Applies transforms in order; per batch natively when every one of them can be. */
export function Compose(transforms: Transform[]): Transform {
  if (!Array.isArray(transforms)) argError('transforms', 'an array of transforms', transforms);
  transforms.forEach((t, i) => typeof t !== 'function' && argError(`transforms[${i}]`, 'a transform (a function)', t));
  const batched = transforms.every((t) => typeof t.emitBatch === 'function');
  if (batched) return make('Compose', (b, x, ctx) => transforms.reduce((acc, t) => t.emitBatch!(b, acc, ctx), x));
  return make('Compose', undefined, (x) => transforms.reduce((acc, t) => t(acc), x));
}

/** A user's function as a transform (applied per item, in JavaScript). */
export function Lambda(fn: (x: Tensor) => Tensor): Transform {
  if (typeof fn !== 'function') argError('fn', 'a function', fn);
  return make('Lambda', undefined, fn);
}

export interface AffineOptions {
  interpolation?: Interpolation;
  fill?: Fill;
  /** Centre of rotation in pixels ([x, y]); the image centre by default. */
  center?: [number, number] | null;
}

function centreOffset(center: [number, number] | null | undefined, [, H, W]: [number, number, number]): [number, number] {
  return center ? [center[0] - W * 0.5, center[1] - H * 0.5] : [0, 0];
}

/** Rotates each image by a random angle in `degrees` (a number d means [-d, d]), counter-clockwise. */
export function RandomRotation(degrees: number | [number, number], options?: AffineOptions & { expand?: boolean }): Transform;
export function RandomRotation(options: AffineOptions & { degrees: number | [number, number]; expand?: boolean }): Transform;
export function RandomRotation(...args: unknown[]): Transform {
  const o = bind('RandomRotation', SIGNATURES['transforms.RandomRotation'] as Signature, args, { fillDefaults: false });
  const degrees = o.degrees as number | [number, number];
  if (o.expand) throw new RangeError('RandomRotation: expand is not supported');
  const [d0, d1] = range('degrees', degrees, { symmetric: true });
  const interpolation = checkInterpolation(o.interpolation ?? 'nearest');
  const fill = checkFill(o.fill ?? 0);
  return make('RandomRotation', (b, x, ctx) => {
    const n = batchSize(b, x);
    const angle = b.call('aten::neg', uniform(b, ctx, n, d0, d1));
    const [cx, cy] = centreOffset(o.center as [number, number] | undefined, ctx.shape);
    const theta = inverseAffine(b, n, { angle, tx: 0, ty: 0, scale: 1, shearX: 0, shearY: 0 }, cx, cy);
    return gridTransform(b, x, ctx, theta, interpolation, fill);
  });
}

export interface RandomAffineOptions extends AffineOptions {
  /** Maximum absolute fraction of the width and height to translate by. */
  translate?: [number, number];
  /** Range of the scale factor. */
  scale?: [number, number];
  /** Shear in degrees: a number s ([-s, s] along x), [min, max] along x, or [xmin, xmax, ymin, ymax]. */
  shear?: number | [number, number] | [number, number, number, number];
}

/** torchvision's RandomAffine: rotation, translation, scale and shear drawn per image. */
export function RandomAffine(degrees: number | [number, number], options?: RandomAffineOptions): Transform;
export function RandomAffine(
  degrees: number | [number, number],
  translate?: [number, number] | null,
  scale?: [number, number] | null,
  shear?: RandomAffineOptions['shear'] | null,
  options?: AffineOptions,
): Transform;
export function RandomAffine(options: RandomAffineOptions & { degrees: number | [number, number] }): Transform;
export function RandomAffine(...args: unknown[]): Transform {
  // torchvision's signature (degrees, translate, scale, shear, interpolation, fill, center); None is null.
  const bound = bind('RandomAffine', SIGNATURES['transforms.RandomAffine'] as Signature, args, { fillDefaults: false });
  for (const k of Object.keys(bound)) if (bound[k] === null) delete bound[k];
  const o = bound as unknown as RandomAffineOptions & { degrees: number | [number, number] };
  const degrees = o.degrees;
  const [d0, d1] = range('degrees', degrees, { symmetric: true });
  const interpolation = checkInterpolation(o.interpolation ?? 'nearest');
  const fill = checkFill(o.fill ?? 0);
  const translate = o.translate === undefined ? null : o.translate;
  if (translate && (!Array.isArray(translate) || translate.length !== 2 || translate.some((t) => typeof t !== 'number'))) argError('translate', 'a pair [maxX, maxY] of fractions', translate);
  if (translate && translate.some((t) => !(t >= 0 && t <= 1))) throw new RangeError('RandomAffine: translate values must be between 0 and 1');
  const scale = o.scale === undefined ? null : range('scale', o.scale, { min: 0 });
  if (scale && scale[0] <= 0) throw new RangeError('RandomAffine: scale values must be positive');
  let shear: number[] | null = null;
  if (o.shear !== undefined) {
    if (typeof o.shear === 'number') shear = range('shear', o.shear, { symmetric: true });
    else if (Array.isArray(o.shear) && o.shear.length === 4) shear = [...range('shear', [o.shear[0], o.shear[1]]), ...range('shear', [o.shear[2], o.shear[3]])];
    else shear = range('shear', o.shear as [number, number]);
  }
  return make('RandomAffine', (b, x, ctx) => {
    const [, H, W] = ctx.shape;
    const n = batchSize(b, x);
    const angle = uniform(b, ctx, n, d0, d1);
    let tx: Val | number = 0;
    let ty: Val | number = 0;
    if (translate) {
      const mx = translate[0] * W;
      const my = translate[1] * H;
      tx = b.call('aten::round', uniform(b, ctx, n, -mx, mx));
      ty = b.call('aten::round', uniform(b, ctx, n, -my, my));
    }
    const s = scale ? uniform(b, ctx, n, scale[0], scale[1]) : 1;
    const shearX = shear ? uniform(b, ctx, n, shear[0], shear[1]) : 0;
    const shearY = shear && shear.length === 4 ? uniform(b, ctx, n, shear[2], shear[3]) : 0;
    const [cx, cy] = centreOffset(o.center, ctx.shape);
    const theta = inverseAffine(b, n, { angle, tx, ty, scale: s, shearX, shearY }, cx, cy);
    return gridTransform(b, x, ctx, theta, interpolation, fill);
  });
}

/** torchvision's `Pad`, bound by its signature: positional as in Python, or any parameter by name in an options object. */
export function Pad(padding: number | number[], options?: { fill?: number; paddingMode?: PaddingMode }): Transform;
export function Pad(padding: number | number[], fill?: number, paddingMode?: PaddingMode): Transform;
export function Pad(options: { padding: number | number[]; [k: string]: unknown }): Transform;
export function Pad(...args: unknown[]): Transform {
  const { padding: first, ...rest } = bindTransform('Pad', args);
  return implPad(first as never, rest as never);
}

/** Pads each side: `padding` is p, [left/right, top/bottom] or [left, top, right, bottom]. */
function implPad(padding: number | number[], { fill = 0, paddingMode = 'constant' }: { fill?: number; paddingMode?: PaddingMode } = {}): Transform {
  const p = parsePadding(padding);
  checkNumber('fill', fill);
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(paddingMode)) argError('paddingMode', "'constant', 'edge', 'reflect' or 'symmetric'", paddingMode);
  return make('Pad', (b, x, ctx) => padBatch(b, x, ctx, p, fill, paddingMode));
}

/** torchvision's `CenterCrop`, bound by its signature: positional as in Python, or any parameter by name in an options object. */
export function CenterCrop(size: number | number[]): Transform;
export function CenterCrop(options: { size: number | number[]; [k: string]: unknown }): Transform;
export function CenterCrop(...args: unknown[]): Transform {
  const { size: first, ...rest } = bindTransform('CenterCrop', args);
  return implCenterCrop(first as never);
}

/** Crops the centre (padding with zeros first when the image is smaller), as torchvision. */
function implCenterCrop(size: number | number[]): Transform {
  const [th, tw] = sizePair('size', size);
  return make('CenterCrop', (b, x, ctx) => {
    let [, H, W] = ctx.shape;
    let out = x;
    if (tw > W || th > H) {
      const l = tw > W ? Math.floor((tw - W) / 2) : 0;
      const t = th > H ? Math.floor((th - H) / 2) : 0;
      const r = tw > W ? Math.floor((tw - W + 1) / 2) : 0;
      const bt = th > H ? Math.floor((th - H + 1) / 2) : 0;
      out = padBatch(b, out, ctx, [t, bt, l, r], 0, 'constant');
      [, H, W] = ctx.shape;
    }
    const top = Math.round((H - th) / 2);
    const left = Math.round((W - tw) / 2);
    ctx.shape = [ctx.shape[0], th, tw];
    return b.call('aten::narrow', b.call('aten::narrow', out, 2, top, th), 3, left, tw);
  });
}

/** torchvision's `RandomCrop`, bound by its signature: positional as in Python, or any parameter by name in an options object. */
export function RandomCrop(size: number | number[], options?: { padding?: number | number[] | null; padIfNeeded?: boolean; fill?: number; paddingMode?: PaddingMode }): Transform;
export function RandomCrop(size: number | number[], padding?: number | number[] | null, padIfNeeded?: boolean, fill?: number, paddingMode?: PaddingMode): Transform;
export function RandomCrop(options: { size: number | number[]; [k: string]: unknown }): Transform;
export function RandomCrop(...args: unknown[]): Transform {
  const { size: first, ...rest } = bindTransform('RandomCrop', args);
  return implRandomCrop(first as never, rest as never);
}

/** Crops a random size×size box from each image, after optional padding. */
function implRandomCrop(
  size: number | number[],
  options: { padding?: number | number[] | null; padIfNeeded?: boolean; fill?: number; paddingMode?: PaddingMode } = {},
): Transform {
  const o = checkOptions('RandomCrop', options, ['padding', 'padIfNeeded', 'fill', 'paddingMode']);
  const [th, tw] = sizePair('size', size);
  const padding = o.padding === undefined || o.padding === null ? null : parsePadding(o.padding as number | number[]);
  const padIfNeeded = checkBool('padIfNeeded', o.padIfNeeded ?? false);
  const fill = checkNumber('fill', o.fill ?? 0);
  const mode = (o.paddingMode ?? 'constant') as PaddingMode;
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) argError('paddingMode', "'constant', 'edge', 'reflect' or 'symmetric'", mode);
  return make('RandomCrop', (b, x, ctx) => {
    let out = padding ? padBatch(b, x, ctx, padding, fill, mode) : x;
    if (padIfNeeded && ctx.shape[2] < tw) out = padBatch(b, out, ctx, [0, 0, tw - ctx.shape[2], tw - ctx.shape[2]], fill, mode);
    if (padIfNeeded && ctx.shape[1] < th) out = padBatch(b, out, ctx, [th - ctx.shape[1], th - ctx.shape[1], 0, 0], fill, mode);
    const [, H, W] = ctx.shape;
    if (H < th || W < tw) throw new RangeError(`RandomCrop: crop size ${th}×${tw} is larger than the (padded) image ${H}×${W}`);
    const n = batchSize(b, x);
    const top = b.call('aten::randint.low_generator', 0, H - th + 1, [n], ctx.generator, 'int64');
    const left = b.call('aten::randint.low_generator', 0, W - tw + 1, [n], ctx.generator, 'int64');
    return cropEach(b, out, ctx, top, left, th, tw);
  });
}

/** Output size of torchvision's Resize: an int matches the smaller edge (keeping the aspect ratio), [h, w] is exact. */
function resizedSize(size: number | number[], maxSize: number | null, [, H, W]: [number, number, number]): [number, number] {
  if (Array.isArray(size) && size.length === 2) return [size[0], size[1]];
  const requested = Array.isArray(size) ? size[0] : size;
  const [short, long] = W <= H ? [W, H] : [H, W];
  let [newShort, newLong] = [requested, Math.floor((requested * long) / short)];
  if (maxSize !== null && newLong > maxSize) [newShort, newLong] = [Math.floor((maxSize * newShort) / newLong), maxSize];
  return W <= H ? [newLong, newShort] : [newShort, newLong];
}

function resizeBatch(b: Emitter, x: Val, ctx: BatchContext, [oh, ow]: [number, number], interpolation: Interpolation, antialias: boolean): Val {
  ctx.shape = [ctx.shape[0], oh, ow];
  if (interpolation === 'nearest') return b.call('aten::upsample_nearest2d.vec', x, [oh, ow], null);
  const f = toFloat(b, x, ctx);
  const out = b.call(antialias ? 'aten::_upsample_bilinear2d_aa.vec' : 'aten::upsample_bilinear2d.vec', f, [oh, ow], false, null);
  return fromFloat(b, out, ctx);
}

/** torchvision's `Resize`, bound by its signature: positional as in Python, or any parameter by name in an options object. */
export function Resize(size: number | number[], options?: { interpolation?: Interpolation; maxSize?: number | null; antialias?: boolean }): Transform;
export function Resize(size: number | number[], interpolation?: Interpolation, maxSize?: number | null, antialias?: boolean): Transform;
export function Resize(options: { size: number | number[]; [k: string]: unknown }): Transform;
export function Resize(...args: unknown[]): Transform {
  const { size: first, ...rest } = bindTransform('Resize', args);
  return implResize(first as never, rest as never);
}

/** Resizes to `size` (see torchvision.transforms.Resize). */
function implResize(size: number | number[], options: { interpolation?: Interpolation; maxSize?: number | null; antialias?: boolean } = {}): Transform {
  const o = checkOptions('Resize', options, ['interpolation', 'maxSize', 'antialias']);
  sizePair('size', size as number | number[]);
  const interpolation = checkInterpolation(o.interpolation ?? 'bilinear');
  const maxSize = o.maxSize === undefined || o.maxSize === null ? null : checkInt('maxSize', o.maxSize, { min: 1 });
  const antialias = checkBool('antialias', o.antialias ?? true);
  return make('Resize', (b, x, ctx) => resizeBatch(b, x, ctx, resizedSize(size, maxSize, ctx.shape), interpolation, antialias));
}

/** torchvision's `RandomResizedCrop`, bound by its signature: positional as in Python, or any parameter by name in an options object. */
export function RandomResizedCrop(size: number | number[], options?: { scale?: [number, number]; ratio?: [number, number]; interpolation?: 'bilinear'; antialias?: boolean }): Transform;
export function RandomResizedCrop(size: number | number[], scale?: [number, number], ratio?: [number, number]): Transform;
export function RandomResizedCrop(options: { size: number | number[]; [k: string]: unknown }): Transform;
export function RandomResizedCrop(...args: unknown[]): Transform {
  const { size: first, ...rest } = bindTransform('RandomResizedCrop', args);
  return implRandomResizedCrop(first as never, rest as never);
}

/**
 * Crops a random box (area fraction in `scale`, aspect ratio in `ratio`) and
 * resizes it to `size`, per image, with bilinear sampling of the box. Equal to
 * torchvision's crop-then-resize when the box is not larger than the output
 * (always true for same-size outputs); larger boxes are sampled without antialiasing.
 */
function implRandomResizedCrop(size: number | number[], options: { scale?: [number, number]; ratio?: [number, number]; interpolation?: 'bilinear' } = {}): Transform {
  const o = checkOptions('RandomResizedCrop', options, ['scale', 'ratio', 'interpolation', 'antialias']);
  const [oh, ow] = sizePair('size', size);
  const scale = range('scale', (o.scale as [number, number]) ?? [0.08, 1], { min: 0 });
  const ratio = range('ratio', (o.ratio as [number, number]) ?? [3 / 4, 4 / 3], { min: 0 });
  if ((o.interpolation ?? 'bilinear') !== 'bilinear') argError('interpolation', "'bilinear'", o.interpolation);
  return make('RandomResizedCrop', (b, x, ctx) => {
    const [, H, W] = ctx.shape;
    const n = batchSize(b, x);
    const box = randomBoxes(b, ctx, n, H, W, scale, ratio, 'crop');
    return resizedCropEach(b, x, ctx, box, oh, ow);
  });
}

interface Boxes {
  top: Val;
  left: Val;
  h: Val;
  w: Val;
  /** Whether an attempt succeeded (RandomErasing erases only then). */
  found: Val;
}

/**
 * torchvision's 10 attempts at a box of area fraction U(scale) and aspect
 * exp(U(log ratio)), vectorised: the first attempt that fits is kept. For a
 * crop, no fit falls back to torchvision's central box; boxes are float64 N-vectors.
 */
function randomBoxes(b: Emitter, ctx: BatchContext, n: Val, H: number, W: number, scale: [number, number], ratio: [number, number], kind: 'crop' | 'erase'): Boxes {
  const tries = 10;
  const grid = (lo: number, hi: number) => {
    const t = b.call('aten::empty.memory_format', [n, tries], 'float32');
    return b.call('aten::to.dtype', b.call('aten::uniform_', t, lo, hi, ctx.generator), 'float64');
  };
  const area = b.call('aten::mul.Scalar', grid(scale[0], scale[1]), H * W);
  const aspect = b.call('aten::exp', grid(Math.log(ratio[0]), Math.log(ratio[1])));
  const sq = (t: Val) => b.call('aten::round', b.call('aten::sqrt', t));
  // torchvision: a crop's w = round(sqrt(area * aspect)); an erased box's h = round(sqrt(area * aspect)).
  const long = sq(b.call('aten::mul.Tensor', area, aspect));
  const short = sq(b.call('aten::div.Tensor', area, aspect));
  const [hs, ws] = kind === 'crop' ? [short, long] : [long, short];
  const and = (a: Val, c: Val) => b.call('aten::logical_and', a, c);
  const fits =
    kind === 'crop'
      ? and(and(b.call('aten::gt.Scalar', ws, 0), b.call('aten::le.Scalar', ws, W)), and(b.call('aten::gt.Scalar', hs, 0), b.call('aten::le.Scalar', hs, H)))
      : and(b.call('aten::lt.Scalar', hs, H), b.call('aten::lt.Scalar', ws, W));
  const first = b.call('aten::view', b.call('aten::argmax', b.call('aten::to.dtype', fits, 'int32'), 1, false), [-1, 1]);
  const found = b.call('aten::any.dim', fits, 1, false);
  const pick = (t: Val) => b.call('aten::view', b.call('aten::gather', t, 1, first, false), [-1]);
  let h = pick(hs);
  let w = pick(ws);
  if (kind === 'crop') {
    // torchvision's fallback: the central crop of the whole image, clamped to the ratio range.
    const inRatio = W / H;
    let fw = W;
    let fh = H;
    if (inRatio < ratio[0]) fh = Math.round(fw / ratio[0]);
    else if (inRatio > ratio[1]) fw = Math.round(fh * ratio[1]);
    h = b.call('aten::where.ScalarOther', found, h, fh);
    w = b.call('aten::where.ScalarOther', found, w, fw);
  }
  // top ~ randint(0, H - h + 1): floor(U[0,1) * (H - h + 1)).
  const offset = (span: Val) => b.call('aten::floor', b.call('aten::mul.Tensor', uniform(b, ctx, n, 0, 1), span));
  let top = offset(b.call('aten::rsub.Scalar', h, H + 1));
  let left = offset(b.call('aten::rsub.Scalar', w, W + 1));
  if (kind === 'crop') {
    top = b.call('aten::where.self', found, top, b.call('aten::floor', b.call('aten::div.Scalar', b.call('aten::rsub.Scalar', h, H), 2)));
    left = b.call('aten::where.self', found, left, b.call('aten::floor', b.call('aten::div.Scalar', b.call('aten::rsub.Scalar', w, W), 2)));
  }
  return { top, left, h, w, found };
}

/** Bilinear crop-and-resize of box i of image i to oh×ow, sampling clamped to the box (as interpolate clamps at the edges). */
function resizedCropEach(b: Emitter, x: Val, ctx: BatchContext, box: Boxes, oh: number, ow: number): Val {
  const [, H, W] = ctx.shape;
  // Source pixel coordinate of output pixel u: top + clamp((u + 0.5) * h / oh - 0.5, 0, h - 1), in float32 as upsample computes it.
  const axis = (start: Val, len: Val, out: number, size: number, last: boolean) => {
    const f32 = (t: Val) => b.call('aten::to.dtype', t, 'float32');
    const scaleF = b.call('aten::div.Scalar', f32(len), out); // N
    const u = tensor(Array.from({ length: out }, (_, i) => i + 0.5), { dtype: 'float32' }).view(1, out);
    let src = b.call('aten::sub.Scalar', b.call('aten::mul.Tensor', b.call('aten::view', scaleF, [-1, 1]), u), 0.5);
    src = b.call('aten::clamp_min', src, 0);
    src = b.call('aten::minimum', src, b.call('aten::view', b.call('aten::sub.Scalar', f32(len), 1), [-1, 1]));
    const px = b.call('aten::add.Tensor', src, b.call('aten::view', f32(start), [-1, 1]));
    // grid_sample (align_corners false): g = (2 p + 1) / size - 1
    const g = b.call('aten::sub.Scalar', b.call('aten::div.Scalar', b.call('aten::add.Scalar', b.call('aten::mul.Scalar', px, 2), 1), size), 1);
    return b.call('aten::view', g, last ? [-1, 1, out, 1] : [-1, out, 1, 1]);
  };
  const gx = axis(box.left, box.w, ow, W, true);
  const gy = axis(box.top, box.h, oh, H, false);
  const grid = b.call('aten::cat', [b.call('aten::expand', gx, [-1, oh, ow, 1]), b.call('aten::expand', gy, [-1, oh, ow, 1])], 3);
  const out = b.call('aten::grid_sampler', toFloat(b, x, ctx), toDevice(b, ctx, grid), 0, 1, false);
  ctx.shape = [ctx.shape[0], oh, ow];
  return fromFloat(b, out, ctx);
}

/** Luminance (0.2989 R + 0.587 G + 0.114 B) as 1 or 3 channels; a 1-channel image is replicated (as a PIL "L" image converted to RGB). */
export function Grayscale(numOutputChannels?: 1 | 3): Transform;
export function Grayscale(options: { numOutputChannels?: 1 | 3 }): Transform;
export function Grayscale(...args: unknown[]): Transform {
  const numOutputChannels = (bindTransform('Grayscale', args).numOutputChannels ?? 1) as 1 | 3;
  if (numOutputChannels !== 1 && numOutputChannels !== 3) argError('numOutputChannels', '1 or 3', numOutputChannels);
  return make('Grayscale', (b, x, ctx) => {
    const C = ctx.shape[0];
    if (C !== 1 && C !== 3) throw new RangeError(`Grayscale: expected 1 or 3 channels, got ${C}`);
    let l = x;
    if (C === 3) {
      const ch = (i: number, w: number) => b.call('aten::mul.Scalar', b.call('aten::select.int', x, 1, i), w);
      const sum = b.call('aten::add.Tensor', b.call('aten::add.Tensor', ch(0, 0.2989), ch(1, 0.587)), ch(2, 0.114));
      l = b.call('aten::unsqueeze', b.call('aten::to.dtype', sum, ctx.dtype), 1);
    }
    ctx.shape = [numOutputChannels, ctx.shape[1], ctx.shape[2]];
    return numOutputChannels === 3 ? b.call('aten::contiguous', b.call('aten::expand', l, [-1, 3, -1, -1])) : l;
  });
}

/** Flips each image left-right with probability p. */
export function RandomHorizontalFlip(p?: number): Transform;
export function RandomHorizontalFlip(options: { p?: number }): Transform;
export function RandomHorizontalFlip(...args: unknown[]): Transform {
  const p = (bindTransform('RandomHorizontalFlip', args).p ?? 0.5) as number;
  checkProbability('p', p);
  return make('RandomHorizontalFlip', (b, x, ctx) => {
    const n = batchSize(b, x);
    const flip = b.call('aten::view', b.call('aten::lt.Scalar', uniform(b, ctx, n, 0, 1), p), [-1, 1, 1, 1]);
    return b.call('aten::where.self', toDevice(b, ctx, flip), b.call('aten::flip', x, [3]), x);
  });
}

/**
 * torchvision's RandomErasing: with probability p, erases a random box (area
 * fraction in `scale`, aspect in `ratio`) of each image with `value` (a number,
 * one per channel, or 'random' for normal noise). Use after ToTensor.
 */
type RandomErasingOptions = { p?: number; scale?: [number, number]; ratio?: [number, number]; value?: number | number[] | 'random'; inplace?: boolean };
export function RandomErasing(options?: RandomErasingOptions): Transform;
export function RandomErasing(p: number, scale?: [number, number], ratio?: [number, number], value?: RandomErasingOptions['value'], inplace?: boolean): Transform;
export function RandomErasing(...args: unknown[]): Transform {
  const o = bindTransform('RandomErasing', args);
  const p = checkProbability('p', (o.p as number) ?? 0.5);
  const scale = range('scale', (o.scale as [number, number]) ?? [0.02, 0.33], { min: 0 });
  const ratio = range('ratio', (o.ratio as [number, number]) ?? [0.3, 3.3], { min: 0 });
  const value = o.value ?? 0;
  if (value !== 'random' && typeof value !== 'number' && !(Array.isArray(value) && value.every((v) => typeof v === 'number'))) argError('value', "a number, an array of numbers or 'random'", value);
  return make('RandomErasing', (b, x, ctx) => {
    const [C, H, W] = ctx.shape;
    if (Array.isArray(value) && value.length !== 1 && value.length !== C) throw new RangeError(`RandomErasing: value has ${value.length} numbers for ${C} channels`);
    const n = batchSize(b, x);
    const apply = b.call('aten::lt.Scalar', uniform(b, ctx, n, 0, 1), p);
    const box = randomBoxes(b, ctx, n, H, W, scale, ratio, 'erase');
    const col = (t: Val) => b.call('aten::view', t, [-1, 1, 1, 1]);
    const within = (start: Val, len: Val, size: number, shape: number[]) => {
      const pos = tensor(Array.from({ length: size }, (_, i) => i), { dtype: 'float64' }).view(shape);
      return b.call('aten::logical_and', b.call('aten::ge.Tensor', pos, col(start)), b.call('aten::lt.Tensor', pos, col(b.call('aten::add.Tensor', start, len))));
    };
    let mask = b.call('aten::logical_and', within(box.top, box.h, H, [1, 1, H, 1]), within(box.left, box.w, W, [1, 1, 1, W]));
    mask = b.call('aten::logical_and', mask, col(b.call('aten::logical_and', apply, box.found)));
    mask = toDevice(b, ctx, mask);
    const fill =
      value === 'random'
        ? toDevice(b, ctx, b.call('aten::normal_', b.call('aten::empty_like', x, 'float32', null, 'cpu'), 0, 1, ctx.generator))
        : cst(ctx, tensor(typeof value === 'number' ? [value] : value, { dtype: 'float32' }).view(1, -1, 1, 1)).to(ctx.dtype);
    return b.call('aten::where.self', mask, fill, x);
  });
}

// ---------------------------------------------------------------- functional forms (fixed parameters)

/** The functional forms, with torchvision.transforms.functional's names, on an image (C×H×W) or batch (N×C×H×W). */
export const functional = {
  /** Rotation by `angle` degrees counter-clockwise. */
  rotate(img: Tensor, angle: number, options: AffineOptions = {}): Tensor {
    checkNumber('angle', angle);
    return onBatch('rotate', img, (b, x, ctx) => {
      const [cx, cy] = centreOffset(options.center, ctx.shape);
      const theta = inverseAffine(b, batchSize(b, x), { angle: -angle, tx: 0, ty: 0, scale: 1, shearX: 0, shearY: 0 }, cx, cy);
      return gridTransform(b, x, ctx, theta, checkInterpolation(options.interpolation ?? 'nearest'), options.fill === undefined ? null : checkFill(options.fill));
    });
  },
  /** torchvision's F.affine: angle (degrees, clockwise), translate [tx, ty] in pixels, scale, shear [sx, sy] in degrees. */
  affine(img: Tensor, { angle, translate, scale, shear, ...options }: { angle: number; translate: [number, number]; scale: number; shear: [number, number] } & AffineOptions): Tensor {
    return onBatch('affine', img, (b, x, ctx) => {
      const [cx, cy] = centreOffset(options.center, ctx.shape);
      const theta = inverseAffine(b, batchSize(b, x), { angle, tx: translate[0], ty: translate[1], scale, shearX: shear[0], shearY: shear[1] }, cx, cy);
      return gridTransform(b, x, ctx, theta, checkInterpolation(options.interpolation ?? 'nearest'), options.fill === undefined ? null : checkFill(options.fill));
    });
  },
  resize(img: Tensor, size: number | number[], { interpolation = 'bilinear', antialias = true }: { interpolation?: Interpolation; antialias?: boolean } = {}): Tensor {
    return onBatch('resize', img, (b, x, ctx) => resizeBatch(b, x, ctx, resizedSize(size, null, ctx.shape), checkInterpolation(interpolation), antialias));
  },
  /** torchvision's F.resized_crop with bilinear sampling (see RandomResizedCrop). */
  resizedCrop(img: Tensor, top: number, left: number, height: number, width: number, size: number | number[]): Tensor {
    const [oh, ow] = sizePair('size', size);
    return onBatch('resizedCrop', img, (b, x, ctx) => {
      const n = batchSize(b, x);
      const v = (k: number) => b.call('aten::full', [n], k, 'float64');
      return resizedCropEach(b, x, ctx, { top: v(top), left: v(left), h: v(height), w: v(width), found: v(1) }, oh, ow);
    });
  },
  crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
    return onBatch('crop', img, (b, x, ctx) => {
      const n = batchSize(b, x);
      return cropEach(b, x, ctx, b.call('aten::full', [n], top, 'int64'), b.call('aten::full', [n], left, 'int64'), height, width);
    });
  },
  centerCrop: (img: Tensor, size: number | number[]) => CenterCrop(size)(img),
  pad: (img: Tensor, padding: number | number[], options?: { fill?: number; paddingMode?: PaddingMode }) => Pad(padding, options)(img),
  hflip: (img: Tensor) => checkTensorInput('hflip', img).flip(-1),
  rgbToGrayscale: (img: Tensor, numOutputChannels: 1 | 3 = 1) => Grayscale({ numOutputChannels })(img),
  normalize: (img: Tensor, mean: number[], std: number[]) => Normalize(mean, std)(img),
};

/** Runs a batch emission eagerly on an image (C×H×W) or a batch (N×C×H×W). */
function onBatch(name: string, img: Tensor, emit: (b: Emitter, x: Val, ctx: BatchContext) => Val): Tensor {
  const x = checkTensorInput(name, img);
  if (x.dim() !== 3 && x.dim() !== 4) throw new RangeError(`${name}: expected a C×H×W image or an N×C×H×W batch, got shape [${x.shape.join(', ')}]`);
  const batch = x.dim() === 4 ? x : x.unsqueeze(0);
  const ctx: BatchContext = { shape: batch.shape.slice(1) as [number, number, number], dtype: x.dtype, generator: null, device: x.device as Device };
  eager.where = name;
  const out = emit(eager, batch, ctx) as Tensor;
  return x.dim() === 4 ? out : out.squeeze(0);
}
