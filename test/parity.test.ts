// nodetorch against Python PyTorch 2.11 on the same inputs: outputs, gradients,
// random streams, default initialisation and SGD trajectories. The fixtures are
// written by scripts/make_fixtures.py (see docs/testing.md).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { decode, Encoded, maxAbsDiff } from './helpers';

const { F } = torch;
type T = torch.Tensor;

interface Case {
  name: string;
  inputs: Encoded[];
  output: Encoded;
  weight?: Encoded;
  grads?: Record<string, Encoded>;
}
const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'parity.json'), 'utf8'));

const targetsOf = (c: Case) => decode(c.inputs[1]);
const OPS: Record<string, (c: Case, ...x: T[]) => T> = {
  add_broadcast: (_c, a, b) => a.add(b.mul(2)),
  mul_div_pow: (_c, a, b) => a.mul(b).div(b.abs().add(1)).pow(2),
  exp_log_sqrt: (_c, a) => a.exp().add(1).log().sqrt(),
  matmul: (_c, a, b) => a.matmul(b),
  bmm: (_c, a, b) => torch.bmm(a, b),
  sum_dim_keepdim: (_c, a) => a.sum(1, { keepdim: true }),
  mean_dims: (_c, a) => a.mean([0, 2]),
  std_dim: (_c, a) => a.std(1),
  var_all: (_c, a) => a.var(),
  max_dim_values: (_c, a) => a.max(1).values,
  softmax: (_c, a) => F.softmax(a, { dim: 1 }),
  log_softmax: (_c, a) => F.logSoftmax(a, { dim: 1 }),
  relu_clamp: (_c, a) => F.relu(a).clamp({ max: 0.5 }),
  conv2d: (_c, x, w, b) => F.conv2d(x, w, b, { stride: 1, padding: 1 }),
  conv2d_stride2: (_c, x, w) => F.conv2d(x, w, null, { stride: 2 }),
  max_pool2d: (_c, x) => F.maxPool2d(x, 2),
  linear: (_c, x, w, b) => F.linear(x, w, b),
  view_permute_transpose: (_c, a) => a.view(2, 12).t().reshape(4, 6).permute(1, 0).contiguous(),
  cat_stack: (_c, a, b) => torch.cat([torch.stack([a, b]), torch.stack([b, a])], 1),
  cross_entropy: (c, x) => F.crossEntropy(x, targetsOf(c)),
  cross_entropy_sum_smoothing: (c, x) => F.crossEntropy(x, targetsOf(c), { reduction: 'sum', labelSmoothing: 0.1 }),
  nll_loss: (c, x) => F.nllLoss(F.logSoftmax(x, 1), targetsOf(c)),
};
const LOSSES = new Set(['cross_entropy', 'cross_entropy_sum_smoothing', 'nll_loss']);

describe('parity with PyTorch ' + fixtures.torch, () => {
  test('every fixture case has an implementation here', () => {
    expect((fixtures.cases as Case[]).map((c) => c.name).sort()).toEqual(Object.keys(OPS).sort());
  });

  for (const c of fixtures.cases as Case[]) {
    test(`${c.name}: output within 1e-5, gradients within 1e-4`, () => {
      const gradOf = new Set(Object.keys(c.grads ?? {}).map(Number));
      const inputs = (LOSSES.has(c.name) ? c.inputs.slice(0, 1) : c.inputs).map((e, i) => decode(e).requiresGrad_(gradOf.has(i)));
      const out = OPS[c.name](c, ...inputs);
      expect(maxAbsDiff(out, c.output)).toBeLessThan(1e-5);
      if (!c.grads) return;
      if (c.weight) out.mul(decode(c.weight)).sum().backward();
      else out.backward();
      for (const [i, g] of Object.entries(c.grads)) {
        const grad = inputs[Number(i)].grad;
        expect(grad).not.toBeNull();
        expect(maxAbsDiff(grad!, g)).toBeLessThan(1e-4);
      }
    });
  }

  test('the same seed gives the same random numbers as PyTorch', () => {
    const r = fixtures.random;
    torch.manualSeed(r.seed);
    expect(maxAbsDiff(torch.rand(5), r.rand)).toBe(0);
    expect(maxAbsDiff(torch.randn(5), r.randn)).toBe(0);
    expect(maxAbsDiff(torch.randint(0, 10, [6]), r.randint)).toBe(0);
  });

  test('Linear and Conv2d start from the same weights as PyTorch under the same seed', () => {
    const init = fixtures.init;
    torch.manualSeed(init.seed);
    const lin = new torch.nn.Linear(5, 3);
    const conv = new torch.nn.Conv2d(1, 10, { kernelSize: 5 });
    expect(maxAbsDiff(lin.weight, init['linear.weight'])).toBeLessThan(1e-7);
    expect(maxAbsDiff(lin.bias!, init['linear.bias'])).toBeLessThan(1e-7);
    expect(maxAbsDiff(conv.weight, init['conv.weight'])).toBeLessThan(1e-7);
    expect(maxAbsDiff(conv.bias!, init['conv.bias'])).toBeLessThan(1e-7);
  });

  for (const [name, run] of Object.entries(fixtures.sgd.runs as Record<string, { options: Record<string, number | boolean>; steps: Encoded[] }>)) {
    test(`SGD (${name}) follows PyTorch's trajectory within 1e-6`, () => {
      const o = run.options;
      const p = new torch.Parameter(decode(fixtures.sgd.p0));
      const opt = new torch.optim.SGD([p], {
        lr: o.lr as number,
        momentum: (o.momentum as number) ?? 0,
        dampening: (o.dampening as number) ?? 0,
        weightDecay: (o.weight_decay as number) ?? 0,
        nesterov: (o.nesterov as boolean) ?? false,
      });
      (fixtures.sgd.grads as Encoded[]).forEach((g, i) => {
        opt.zeroGrad();
        p.grad = decode(g);
        opt.step();
        expect(maxAbsDiff(p, run.steps[i])).toBeLessThan(1e-6);
      });
    });
  }
});
