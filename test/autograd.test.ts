import * as torch from '../lib';

describe('autograd', () => {
  test('backward computes analytic gradients', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const y = x.pow(3).sum(); // dy/dx = 3x²
    y.backward();
    expect(x.grad!.tolist()).toEqual([3, 12, 27]);
    expect(x.isLeaf).toBe(true);
    expect(y.gradFn).toBe('SumBackward0');
  });

  test('gradients accumulate across backward calls until cleared', () => {
    const w = torch.ones(2, { requiresGrad: true });
    w.mul(2).sum().backward();
    w.mul(2).sum().backward();
    expect(w.grad!.tolist()).toEqual([4, 4]);
    w.grad = null;
    expect(w.grad).toBeNull();
  });

  test('backward with an explicit gradient (vector-Jacobian product)', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(x);
    y.backward(torch.tensor([1, 10], { dtype: 'float32' }));
    expect(x.grad!.tolist()).toEqual([2, 40]);
  });

  test('retainGraph allows a second backward; without it the graph is freed', () => {
    const x = torch.tensor([2], { dtype: 'float32', requiresGrad: true });
    const y = x.exp().mul(x);
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * (Math.exp(2) * 3), 3);
    const z = x.exp().sum();
    z.backward();
    expect(() => z.backward()).toThrow(/backward through the graph a second time/);
  });

  test('retainGrad keeps the gradient of a non-leaf', () => {
    const x = torch.tensor([3], { dtype: 'float32', requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    h.pow(2).sum().backward();
    expect(h.isLeaf).toBe(false);
    expect(h.grad!.item()).toBe(12);
    expect(x.grad!.item()).toBe(24);
  });

  test('noGrad and enableGrad control tracking, and restore the previous mode', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = torch.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(() =>
      torch.noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('noGrad around an async function holds until it settles', async () => {
    const x = torch.ones(1, { requiresGrad: true });
    const p = torch.noGrad(async () => {
      await new Promise((r) => setTimeout(r, 5));
      return x.mul(2);
    });
    const y = await p;
    expect(y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });

  test('detach cuts the graph; requiresGrad_ turns tracking on', () => {
    const x = torch.ones(2, { requiresGrad: true });
    const d = x.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    const leaf = torch.zeros(2).requiresGrad_();
    expect(leaf.requiresGrad).toBe(true);
  });

  test('a chain through conv, pool, linear and log-softmax has finite gradients everywhere', () => {
    torch.manualSeed(0);
    const conv = new torch.nn.Conv2d(1, 4, { kernelSize: 3 });
    const fc = new torch.nn.Linear(4 * 13 * 13, 10);
    const x = torch.randn(2, 1, 28, 28);
    const out = torch.F.logSoftmax(fc.forward(torch.F.maxPool2d(torch.F.relu(conv.forward(x)), 2).flatten(1)), { dim: 1 });
    torch.F.nllLoss(out, torch.tensor([3, 7])).backward();
    for (const p of [...conv.parameters(), ...fc.parameters()]) {
      expect(p.grad).not.toBeNull();
      expect(p.grad!.abs().sum().item()).toBeGreaterThan(0);
      expect(Number.isFinite(p.grad!.sum().item())).toBe(true);
    }
  });
});
