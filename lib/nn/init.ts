// nn.init: in-place initialisers with PyTorch's formulas (fan computation, gains).
import { argError } from '../errors';
import { noGrad } from '../autograd';
import { Tensor } from '../tensor';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      return argError('nonlinearity', 'a known nonlinearity', nonlinearity);
  }
}

/** [fanIn, fanOut] of a weight, as PyTorch computes them. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (!(t instanceof Tensor)) argError('tensor', 'a Tensor', t);
  const s = t.shape;
  if (s.length < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return [s[1] * receptive, s[0] * receptive];
}

function fan(t: Tensor, mode: 'fanIn' | 'fanOut'): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fanIn' ? fanIn : fanOut;
}

const inPlace = (t: Tensor, f: () => void): Tensor => (noGrad(f), t);

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return inPlace(t, () => t.uniform_(a, b));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return inPlace(t, () => t.normal_(mean, std));
}
export function constant_(t: Tensor, value: number): Tensor {
  return inPlace(t, () => t.fill_(value));
}
export function zeros_(t: Tensor): Tensor {
  return inPlace(t, () => t.zero_());
}
export function ones_(t: Tensor): Tensor {
  return inPlace(t, () => t.fill_(1));
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}
export function kaimingUniform_(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' }: KaimingOptions = {}): Tensor {
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}
export function kaimingNormal_(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' }: KaimingOptions = {}): Tensor {
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
  return normal_(t, 0, std);
}
export function xavierUniform_(t: Tensor, { gain = 1 }: { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a);
}
export function xavierNormal_(t: Tensor, { gain = 1 }: { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2.0 / (fanIn + fanOut)));
}
