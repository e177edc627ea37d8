// nn.utils: gradient clipping.
import { argError, checkNumber } from '../errors';
import { noGrad } from '../autograd';
import { stack, zeros } from '../creation';
import { callT } from '../ops';
import { Tensor } from '../tensor';

function gradsOf(params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : Array.from(params);
  list.forEach((p, i) => p instanceof Tensor || argError(`parameters[${i}]`, 'a Tensor', p));
  return list.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/**
 * Scales gradients so that their joint norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_).
 * Returns the total norm before clipping.
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, { normType = 2 }: { normType?: number } = {}): Tensor {
  checkNumber('maxNorm', maxNorm);
  checkNumber('normType', normType);
  const grads = gradsOf(parameters);
  return noGrad(() => {
    if (!grads.length) return zeros([]);
    const norm = (t: Tensor) => callT('aten::linalg_vector_norm', t, normType);
    const total = norm(stack(grads.map(norm)));
    // max_norm / (total + 1e-6), computed as Python computes scalar / tensor
    const coef = callT('aten::reciprocal', total.add(1e-6)).mul(maxNorm).clamp({ max: 1 });
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue]. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  checkNumber('clipValue', clipValue);
  const grads = gradsOf(parameters);
  noGrad(() => grads.forEach((g) => g.clamp_(-clipValue, clipValue)));
}
