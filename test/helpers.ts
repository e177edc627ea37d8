import * as torch from '../lib';

export interface Encoded {
  shape: number[];
  dtype: string;
  data: number[];
}

/** A tensor from a fixture's { shape, dtype, data }. */
export function decode(e: Encoded): torch.Tensor {
  return torch.tensor(e.data, { dtype: e.dtype as torch.DType }).reshape(e.shape);
}

/** The largest absolute difference between a tensor and a fixture (shapes must match). */
export function maxAbsDiff(t: torch.Tensor, e: Encoded): number {
  expect(t.shape).toEqual(e.shape);
  const got = Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - e.data[i])), 0);
}
