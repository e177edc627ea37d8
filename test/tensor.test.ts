import { native } from '../lib/native';
import * as torch from '../lib';

describe('creation', () => {
  test('tensor() infers dtype and shape as PyTorch does', () => {
    expect(torch.tensor([[1, 2, 3], [4, 5, 6]]).dtype).toBe('int64');
    expect(torch.tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(torch.tensor([1.5, 2]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.tensor(3.5).shape).toEqual([]);
    expect(torch.tensor(3.5).item()).toBe(3.5);
    expect(torch.tensor([]).shape).toEqual([0]);
  });

  test('typed arrays keep their element type; shape option reshapes', () => {
    const cases: [ArrayBufferView, string][] = [
      [new Float32Array([1, 2]), 'float32'],
      [new Float64Array([1, 2]), 'float64'],
      [new Int32Array([1, 2]), 'int32'],
      [new Int16Array([1, 2]), 'int16'],
      [new Int8Array([1, 2]), 'int8'],
      [new Uint8Array([1, 2]), 'uint8'],
      [new BigInt64Array([1n, 2n]), 'int64'],
    ];
    for (const [arr, dtype] of cases) {
      const t = torch.tensor(arr);
      expect(t.dtype).toBe(dtype);
      expect(t.tolist()).toEqual([1, 2]);
    }
    expect(torch.tensor(new Float32Array(6), { shape: [2, 3] }).shape).toEqual([2, 3]);
    // a view into a larger buffer copies only its own bytes
    const buf = new Float32Array([9, 1, 2, 9]);
    expect(torch.tensor(buf.subarray(1, 3)).tolist()).toEqual([1, 2]);
  });

  test('every dtype round-trips through tolist()', () => {
    for (const dtype of torch.DTYPES) {
      const t = torch.tensor([0, 1, 1], { dtype });
      expect(t.dtype).toBe(dtype);
      expect(t.tolist()).toEqual(dtype === 'bool' ? [false, true, true] : [0, 1, 1]);
    }
    expect(torch.tensor([1.5], { dtype: 'int64' }).tolist()).toEqual([1]);
  });

  test('factories: zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, *Like', () => {
    expect(torch.zeros(2, 3).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(torch.zeros([2, 3], { dtype: 'int32' }).dtype).toBe('int32');
    expect(torch.ones(2, { dtype: 'float64' }).tolist()).toEqual([1, 1]);
    expect(torch.full([2], 7).dtype).toBe('int64');
    expect(torch.full([2], 0.5).tolist()).toEqual([0.5, 0.5]);
    expect(torch.full([1], true).dtype).toBe('bool');
    expect(torch.empty(4, 5).shape).toEqual([4, 5]);
    expect(torch.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    const r = torch.rand(1000);
    expect(r.min().item()).toBeGreaterThanOrEqual(0);
    expect(r.max().item()).toBeLessThan(1);
    const n = torch.randn(20000);
    expect(Math.abs(n.mean().item())).toBeLessThan(0.05);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.05);
    const ri = torch.randint(3, 7, [1000]);
    expect(ri.dtype).toBe('int64');
    expect(ri.min().item()).toBe(3);
    expect(ri.max().item()).toBe(6);
    const x = torch.rand(2, 3, { dtype: 'float64' });
    expect(torch.zerosLike(x).dtype).toBe('float64');
    expect(torch.onesLike(x).sum().item()).toBe(6);
    expect(torch.fullLike(x, 2).sum().item()).toBe(12);
  });

  test('manualSeed makes random results repeatable', () => {
    torch.manualSeed(7);
    const a = torch.randn(10).tolist();
    torch.manualSeed(7);
    expect(torch.randn(10).tolist()).toEqual(a);
    torch.manualSeed(8);
    expect(torch.randn(10).tolist()).not.toEqual(a);
  });
});

describe('conversion', () => {
  test('to() changes dtype, returns the same tensor when nothing changes', () => {
    const x = torch.tensor([1.7, -2.2]);
    expect(x.to('int32').tolist()).toEqual([1, -2]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(native.tensorIsSame(x.to('float32').handle, x.handle)).toBe(true);
    expect(x.to('cpu').device).toBe('cpu');
    expect(x.to({ dtype: 'float16' }).dtype).toBe('float16');
    expect(x.to('bfloat16').to('float32').sub(x).abs().max().item()).toBeLessThan(0.02);
  });

  test('toTypedArray gives a flat copy', () => {
    const x = torch.arange(6, { dtype: 'float32' }).view(2, 3).t();
    const flat = x.toTypedArray();
    expect(flat.constructor.name).toBe('Float32Array');
    expect(Array.from(flat as Float32Array)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(torch.tensor([1, 2]).toTypedArray().constructor.name).toBe('BigInt64Array');
  });

  test('toString looks like PyTorch', () => {
    expect(torch.tensor([1, 2, 3]).toString()).toBe('tensor([1, 2, 3])');
    expect(torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(torch.tensor([0.5, 1.25], { dtype: 'float64' }).toString()).toBe('tensor([0.5000, 1.2500], dtype=torch.float64)');
    expect(torch.tensor([1.5], { requiresGrad: true }).toString()).toBe('tensor([1.5000], requires_grad=True)');
    expect(torch.tensor([1.5], { requiresGrad: true }).mul(2).toString()).toBe('tensor([3.], grad_fn=<MulBackward0>)');
    expect(torch.tensor([true, false]).toString()).toBe('tensor([ True, False])');
    expect(torch.arange(2000).toString()).toBe('tensor([   0,    1,    2,  ..., 1997, 1998, 1999])');
    expect(torch.tensor([1e-5, 1]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
  });
});

describe('shape ops', () => {
  const x = () => torch.arange(24).view(2, 3, 4);
  test('view, reshape, flatten, permute, transpose, squeeze, unsqueeze', () => {
    expect(x().view(-1, 4).shape).toEqual([6, 4]);
    expect(x().view([4, 6]).shape).toEqual([4, 6]);
    expect(x().reshape(4, -1).shape).toEqual([4, 6]);
    expect(x().flatten().shape).toEqual([24]);
    expect(x().flatten(1).shape).toEqual([2, 12]);
    expect(x().permute(2, 0, 1).shape).toEqual([4, 2, 3]);
    expect(x().transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(x().transpose(0, 2).isContiguous()).toBe(false);
    expect(x().transpose(0, 2).contiguous().isContiguous()).toBe(true);
    expect(torch.zeros(1, 3, 1).squeeze().shape).toEqual([3]);
    expect(torch.zeros(1, 3, 1).squeeze(0).shape).toEqual([3, 1]);
    expect(torch.zeros(3).unsqueeze(1).shape).toEqual([3, 1]);
    expect(x().dim()).toBe(3);
    expect(x().numel()).toBe(24);
    expect(x().size(-1)).toBe(4);
    expect(x().size()).toEqual([2, 3, 4]);
  });

  test('expand, narrow, select, indexSelect, cat, stack, chunk, split', () => {
    expect(torch.tensor([[1], [2]]).expand(2, 3).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(torch.arange(10).narrow(0, 2, 3).tolist()).toEqual([2, 3, 4]);
    expect(x().select(1, 2).tolist()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    expect(torch.arange(5).indexSelect(0, torch.tensor([4, 0])).tolist()).toEqual([4, 0]);
    expect(torch.cat([torch.zeros(2, 2), torch.ones(1, 2)]).shape).toEqual([3, 2]);
    expect(torch.stack([torch.zeros(2), torch.ones(2)], 1).tolist()).toEqual([[0, 1], [0, 1]]);
    expect(torch.arange(7).chunk(3).map((t) => t.tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(torch.arange(5).split(2).map((t) => t.numel())).toEqual([2, 2, 1]);
    expect(torch.arange(5).split([1, 4]).map((t) => t.numel())).toEqual([1, 4]);
  });
});

describe('arithmetic, comparisons, reductions', () => {
  test('broadcasting with tensors and scalars keeps PyTorch type promotion', () => {
    const a = torch.tensor([[1, 2], [3, 4]]);
    expect(a.add(1).dtype).toBe('int64');
    expect(a.mul(0.5).dtype).toBe('float32');
    expect(a.div(2).tolist()).toEqual([[0.5, 1], [1.5, 2]]);
    expect(a.div(2, { roundingMode: 'floor' }).tolist()).toEqual([[0, 1], [1, 2]]);
    expect(a.add(torch.tensor([10, 20])).tolist()).toEqual([[11, 22], [13, 24]]);
    expect(a.sub(torch.tensor([1, 1]), { alpha: 2 }).tolist()).toEqual([[-1, 0], [1, 2]]);
    expect(a.pow(2).tolist()).toEqual([[1, 4], [9, 16]]);
    expect(a.neg().abs().tolist()).toEqual([[1, 2], [3, 4]]);
    expect(torch.tensor([1, 4, 9], { dtype: 'float32' }).sqrt().tolist()).toEqual([1, 2, 3]);
    expect(torch.tensor([0], { dtype: 'float32' }).exp().log().item()).toBe(0);
    expect(torch.tensor([-2, 0.5, 3]).clamp(-1, 1).tolist()).toEqual([-1, 0.5, 1]);
    expect(torch.tensor([-2, 0.5, 3]).clamp({ min: 0 }).tolist()).toEqual([0, 0.5, 3]);
  });

  test('in-place forms modify and return the same tensor', () => {
    const t = torch.ones(3);
    const r = t.add_(1).mul_(3).sub_(1).div_(5);
    expect(r).toBe(t);
    expect(t.tolist()).toEqual([1, 1, 1]);
    t.pow_(2).neg_().abs_().exp_().log_().sqrt_().clamp_(0, 0.5);
    expect(t.tolist()).toEqual([0.5, 0.5, 0.5]);
    expect(t.zero_().fill_(2).tolist()).toEqual([2, 2, 2]);
  });

  test('comparisons give bool tensors', () => {
    const a = torch.tensor([1, 2, 3]);
    expect(a.eq(2).tolist()).toEqual([false, true, false]);
    expect(a.ne(2).tolist()).toEqual([true, false, true]);
    expect(a.lt(2).tolist()).toEqual([true, false, false]);
    expect(a.le(2).tolist()).toEqual([true, true, false]);
    expect(a.gt(torch.tensor([0, 5, 1])).tolist()).toEqual([true, false, true]);
    expect(a.ge(3).dtype).toBe('bool');
    expect(a.equal(torch.tensor([1, 2, 3]))).toBe(true);
  });

  test('reductions with dim and keepdim', () => {
    const a = torch.tensor([[1, 5, 3], [4, 2, 6]], { dtype: 'float32' });
    expect(a.sum().item()).toBe(21);
    expect(a.sum(0).tolist()).toEqual([5, 7, 9]);
    expect(a.sum(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(a.sum({ dim: [0, 1] }).item()).toBe(21);
    expect(a.mean(1).tolist()).toEqual([3, 4]);
    const [values, indices] = a.max(1);
    expect(values.tolist()).toEqual([5, 6]);
    expect(indices.tolist()).toEqual([1, 2]);
    expect(a.min(0).values.tolist()).toEqual([1, 2, 3]);
    expect(a.max().item()).toBe(6);
    expect(a.argmax().item()).toBe(5);
    expect(a.argmax(1).tolist()).toEqual([1, 2]);
    expect(a.std(1).tolist()).toEqual([2, 2]);
    expect((a.var(1, { correction: 0 }).tolist() as number[]).map((v) => Math.round((v as number) * 1e4) / 1e4)).toEqual([2.6667, 2.6667]);
  });

  test('matmul, mm, bmm, softmax, logSoftmax, relu', () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    expect(a.matmul(a).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(a.mm(torch.eye(2)).tolist()).toEqual(a.tolist());
    expect(torch.ones(3, 2, 4).bmm(torch.ones(3, 4, 5)).shape).toEqual([3, 2, 5]);
    const s = torch.tensor([[0, 0]], { dtype: 'float32' }).softmax(1);
    expect(s.tolist()).toEqual([[0.5, 0.5]]);
    expect(torch.tensor([[0, 0]], { dtype: 'float32' }).logSoftmax(1).exp().tolist()).toEqual([[0.5, 0.5]]);
    expect(torch.tensor([-1, 2]).relu().tolist()).toEqual([0, 2]);
  });
});
