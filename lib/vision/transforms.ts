// torchvision.transforms. A transform is a function of a tensor; the built-in
// ones also have `batch`, applied by the DataLoader to a whole batch at once.
import { argError } from '../errors';
import { tensor } from '../creation';
import { Tensor } from '../tensor';

export interface Transform {
  (input: Tensor): Tensor;
  /** The same transform over a batch (first dimension), when it has one. */
  batch?: (input: Tensor) => Tensor;
  readonly transformName?: string;
}

function make(name: string, one: (x: Tensor) => Tensor, batch?: (x: Tensor) => Tensor): Transform {
  const f = ((x: Tensor) => {
    if (!(x instanceof Tensor)) argError(`${name} input`, 'a Tensor', x);
    return one(x);
  }) as Transform & { transformName: string };
  if (batch) f.batch = batch;
  f.transformName = name;
  return f;
}

/** uint8 images (H×W or H×W×C) to float32 C×H×W in [0, 1]; for a batch of N×H×W, N×1×H×W. */
export function ToTensor(): Transform {
  const scale = (x: Tensor) => (x.dtype === 'uint8' ? x.to('float32').div(255) : x.to('float32'));
  return make(
    'ToTensor',
    (x) => (x.dim() === 2 ? scale(x).unsqueeze(0) : x.dim() === 3 ? scale(x.permute(2, 0, 1)).contiguous() : argError('ToTensor input', 'an H×W or H×W×C image', x)),
    (x) => (x.dim() === 3 ? scale(x).unsqueeze(1) : scale(x.permute(0, 3, 1, 2)).contiguous()),
  );
}

/** (x - mean) / std per channel, on C×H×W images or N×C×H×W batches. */
export function Normalize(mean: number[], std: number[]): Transform {
  if (!Array.isArray(mean) || !mean.length || mean.some((m) => typeof m !== 'number')) argError('mean', 'an array of numbers', mean);
  if (!Array.isArray(std) || std.length !== mean.length || std.some((s) => typeof s !== 'number')) argError('std', `an array of ${mean.length} numbers`, std);
  if (std.some((s) => s === 0)) throw new RangeError('Normalize: std must not contain 0');
  const m = tensor(mean, { dtype: 'float32' }).view(-1, 1, 1);
  const s = tensor(std, { dtype: 'float32' }).view(-1, 1, 1);
  const apply = (x: Tensor) => x.sub(m.to(x.device)).div(s.to(x.device));
  return make('Normalize', apply, apply);
}

/** Applies transforms in order; batched when every one of them is. */
export function Compose(transforms: Transform[]): Transform {
  if (!Array.isArray(transforms)) argError('transforms', 'an array of transforms', transforms);
  transforms.forEach((t, i) => typeof t !== 'function' && argError(`transforms[${i}]`, 'a transform (a function)', t));
  const batchable = transforms.every((t) => typeof t.batch === 'function');
  return make(
    'Compose',
    (x) => transforms.reduce((acc, t) => t(acc), x),
    batchable ? (x) => transforms.reduce((acc, t) => t.batch!(acc), x) : undefined,
  );
}

/** A user's function as a transform (applied per item, in JavaScript). */
export function Lambda(fn: (x: Tensor) => Tensor): Transform {
  if (typeof fn !== 'function') argError('fn', 'a function', fn);
  return make('Lambda', fn);
}
