// torch.unique / Tensor.unique: hand-written because Python's is a Python
// function over two operators (aten::_unique2, aten::unique_dim) whose result
// is one tensor or a tuple depending on the flags — no single schema says that.
import { argError, checkBool, checkInt } from './errors';
import { callOp } from './ops';
import { isTensor, Tensor } from './tensor';
import { closeMatches } from './ops_namespace';

export interface UniqueOptions {
  sorted?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  dim?: number | null;
}
const KEYS = ['sorted', 'returnInverse', 'returnCounts', 'dim'];

/**
 * The distinct elements of `input` (or distinct slices along `dim`), sorted.
 * With `returnInverse` / `returnCounts`, an array `[output, inverse?, counts?]`
 * (only the asked-for ones), as PyTorch's tuple.
 */
export function unique(input: Tensor, options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(input: Tensor, options: UniqueOptions): Tensor[];
export function unique(input: Tensor, options: UniqueOptions = {}): Tensor | Tensor[] {
  if (!isTensor(input)) argError('input', 'a Tensor', input);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) argError('options', 'an options object', options);
  for (const k of Object.keys(options)) {
    if (!KEYS.includes(k)) {
      const near = closeMatches(k, KEYS);
      throw new TypeError(`torch.unique: unknown option '${k}'${near.length ? `; did you mean '${near[0]}'?` : ''}`);
    }
  }
  const sorted = checkBool('sorted', options.sorted ?? true);
  const inverse = checkBool('returnInverse', options.returnInverse ?? false);
  const counts = checkBool('returnCounts', options.returnCounts ?? false);
  const r =
    options.dim === undefined || options.dim === null
      ? (callOp('aten::_unique2', input, sorted, inverse, counts) as Tensor[])
      : (callOp('aten::unique_dim', input, checkInt('dim', options.dim), sorted, inverse, counts) as Tensor[]);
  if (!inverse && !counts) return r[0];
  return [r[0], ...(inverse ? [r[1]] : []), ...(counts ? [r[2]] : [])];
}

declare module './tensor' {
  interface Tensor {
    /** See torch.unique. */
    unique(options?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(options: UniqueOptions): Tensor[];
  }
}
Object.defineProperty(Tensor.prototype, 'unique', {
  value: function unique_(this: Tensor, options?: UniqueOptions) {
    return unique(this, options as UniqueOptions);
  },
  writable: true,
  configurable: true,
});
