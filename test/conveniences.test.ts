// The conveniences PyTorch scripts use (issue 9, item 5): dtype shortcuts,
// `.data` as a detached alias, viewAs/typeAs, torch.* aliases of F.*, module counts.
import * as torch from '../lib';

const { nn, F } = torch;

test('dtype shortcuts convert as PyTorch names them', () => {
  const x = torch.tensor([1.5, -2.25]);
  expect(x.double().dtype).toBe('float64');
  expect(x.half().dtype).toBe('float16');
  expect(x.bfloat16().dtype).toBe('bfloat16');
  expect(x.bfloat16().float().tolist()).toEqual([1.5, -2.25]);
  expect(x.long().tolist()).toEqual([1, -2]);
  expect(x.int().dtype).toBe('int32');
  expect(x.bool().tolist()).toEqual([true, true]);
  expect(x.float()).toBe(x); // no change: the same tensor, as PyTorch
  expect(x.cpu()).toBe(x);
});

test('.data is a detached alias: same storage, no grad; assigning it swaps the data in place', () => {
  const p = torch.ones(3, { requiresGrad: true });
  const d = p.data;
  expect(d.requiresGrad).toBe(false);
  d.mul_(2);
  expect(p.tolist()).toEqual([2, 2, 2]);
  p.data = torch.zeros(3);
  expect(p.tolist()).toEqual([0, 0, 0]);
  expect(p.requiresGrad).toBe(true);
});

test('viewAs and typeAs follow the other tensor', () => {
  const x = torch.arange(6);
  expect(x.viewAs(torch.zeros(2, 3)).shape).toEqual([2, 3]);
  expect(x.typeAs(torch.zeros(1, { dtype: 'float64' })).dtype).toBe('float64');
});

test('torch.* aliases of F.* give the same results', () => {
  torch.manualSeed(0);
  const x = torch.randn(1, 2, 6, 6);
  expect(torch.maxPool2d(x, [2, 2]).equal(F.maxPool2d(x, 2))).toBe(true);
  expect(torch.relu(x).equal(F.relu(x))).toBe(true);
  const w = torch.randn(3, 2, 3, 3);
  expect(torch.conv2d(x, w).equal(F.conv2d(x, w))).toBe(true);
});

test('a CUDA copy without CUDA says why', () => {
  if (torch.cuda.isAvailable()) return expect(torch.ones(1).cuda().device).toBe('cuda:0');
  expect(() => torch.ones(1).cuda()).toThrow(/CUDA is not available/);
});

test('modules count their parameters', () => {
  const m = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2, false));
  const n = m.numParameters();
  expect(n.total).toBe(4 * 3 + 3 + 3 * 2);
  m.freeze('0');
  expect(m.numParameters()).toMatchObject({ total: 21, trainable: 6, frozen: 15 });
});
