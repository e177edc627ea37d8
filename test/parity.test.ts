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
  avg_pool2d: (_c, x) => F.avgPool2d(x, 3, { stride: 2, padding: 1 }),
  adaptive_avg_pool2d: (_c, x) => F.adaptiveAvgPool2d(x, [2, 3]),
  adaptive_max_pool2d: (_c, x) => F.adaptiveMaxPool2d(x, 2),
  batch_norm_train: (_c, x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
  layer_norm: (_c, x, w, b) => F.layerNorm(x, [5], { weight: w, bias: b }),
  group_norm: (_c, x, w, b) => F.groupNorm(x, 2, { weight: w, bias: b }),
  relu6_leaky: (_c, x) => F.relu6(x.mul(4)).add(F.leakyRelu(x, { negativeSlope: 0.2 })),
  gelu_silu: (_c, x) => F.gelu(x).add(F.gelu(x, { approximate: 'tanh' })).add(F.silu(x)),
  pad_reflect: (_c, x) => F.pad(x, [1, 2, 2, 1], { mode: 'reflect' }),
  conv2d_same_groups_dilation: (_c, x, w) => F.conv2d(x, w, null, { padding: 'same', dilation: 2, groups: 2 }),
  mse_l1_smoothl1: (_c, a, b) => F.mseLoss(a, b).add(F.l1Loss(a, b, { reduction: 'sum' })).add(F.smoothL1Loss(a, b, { beta: 0.5 })),
  bce: (_c, p, t) => F.binaryCrossEntropy(p.sigmoid(), t),
  bce_with_logits: (_c, p, t, w) => F.binaryCrossEntropyWithLogits(p, t, { posWeight: w }),
  kl_div_batchmean: (_c, a, b) => F.klDiv(F.logSoftmax(a, 1), F.softmax(b, 1), { reduction: 'batchmean' }),
  cross_entropy_probs: (_c, a, b) => F.crossEntropy(a, F.softmax(b, 1)),
  cross_entropy_weight_ignore: (_c, a, w) => F.crossEntropy(a, torch.tensor([1, 0, 4, 2]), { weight: w, ignoreIndex: 4 }),
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

  const OPTIMIZERS: Record<string, (p: torch.Tensor[], o: Record<string, unknown>) => torch.optim.Optimizer<object>> = {
    Adam: (p, o) => new torch.optim.Adam(p, { lr: o.lr as number, betas: o.betas as [number, number], weightDecay: o.weight_decay as number, amsgrad: o.amsgrad as boolean }),
    AdamW: (p, o) => new torch.optim.AdamW(p, { lr: o.lr as number, weightDecay: o.weight_decay as number }),
    RMSprop: (p, o) => new torch.optim.RMSprop(p, { lr: o.lr as number, alpha: o.alpha as number, momentum: o.momentum as number, centered: o.centered as boolean, weightDecay: o.weight_decay as number }),
    Adagrad: (p, o) => new torch.optim.Adagrad(p, { lr: o.lr as number, lrDecay: o.lr_decay as number, weightDecay: o.weight_decay as number, initialAccumulatorValue: o.initial_accumulator_value as number }),
  };
  for (const [name, run] of Object.entries(fixtures.sgd.more as Record<string, { class: string; options: Record<string, unknown>; steps: Encoded[] }>)) {
    test(`${run.class} (${name}) follows PyTorch's trajectory within 1e-6`, () => {
      const p = new torch.Parameter(decode(fixtures.sgd.p0));
      const make = OPTIMIZERS[run.class];
      const opt = make([p], run.options);
      (fixtures.sgd.grads as Encoded[]).forEach((g, i) => {
        opt.zeroGrad();
        p.grad = decode(g);
        opt.step();
        expect(maxAbsDiff(p, run.steps[i])).toBeLessThan(1e-6);
      });
    });
  }

  test('clipGradNorm_ returns the total norm and scales like PyTorch', () => {
    const c = fixtures.clip;
    const ps = (c.grads as Encoded[]).map((g) => {
      const p = torch.zeros(g.shape, { requiresGrad: true });
      p.grad = decode(g);
      return p;
    });
    const total = torch.nn.utils.clipGradNorm_(ps, 1.5);
    expect(Math.abs(total.item() - c.total)).toBeLessThan(1e-5);
    ps.forEach((p, i) => expect(maxAbsDiff(p.grad!, c.clipped[i])).toBeLessThan(1e-6));
  });

  const S = torch.optim.lrScheduler;
  type Opt = torch.optim.Optimizer<object>;
  const SCHEDULES: Record<string, (o: Opt) => { step(m?: number): void }> = {
    StepLR: (o) => new S.StepLR(o, 3, 0.5),
    MultiStepLR: (o) => new S.MultiStepLR(o, [2, 5, 5], 0.5),
    ExponentialLR: (o) => new S.ExponentialLR(o, 0.9),
    CosineAnnealingLR: (o) => new S.CosineAnnealingLR(o, 5, 0.001),
    LinearLR: (o) => new S.LinearLR(o, 0.25, 1, 4),
    OneCycleLR: (o) => new S.OneCycleLR(o, { maxLr: 0.5, totalSteps: 12 }),
    SequentialLR: (o) => new S.SequentialLR(o, [new S.LinearLR(o, 0.5, 1, 3), new S.ExponentialLR(o, 0.8)], [3]),
    ReduceLROnPlateau: (o) => new S.ReduceLROnPlateau(o, { patience: 2, factor: 0.5 }),
  };
  for (const [name, make] of Object.entries(SCHEDULES)) {
    test(`${name} gives PyTorch's learning rates step by step`, () => {
      const p = torch.zeros(1, { requiresGrad: true });
      const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
      const sch = make(opt);
      const lrs = [opt.paramGroups[0].lr];
      const expected = fixtures.schedules[name] as number[];
      for (let i = 1; i < expected.length; i++) {
        opt.step();
        sch.step(name === 'ReduceLROnPlateau' ? fixtures.plateau_metrics[i - 1] : undefined);
        lrs.push(opt.paramGroups[0].lr);
      }
      lrs.forEach((lr, i) => expect(Math.abs(lr - expected[i])).toBeLessThan(1e-12));
      if (name === 'OneCycleLR') {
        const fresh = new torch.optim.SGD([torch.zeros(1, { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
        const s2 = make(fresh);
        const momenta = [fresh.paramGroups[0].momentum];
        for (let i = 1; i < expected.length; i++) {
          s2.step();
          momenta.push(fresh.paramGroups[0].momentum);
        }
        momenta.forEach((m, i) => expect(Math.abs(m - fixtures.schedules.OneCycleLR_momentum[i])).toBeLessThan(1e-12));
      }
    });
  }

  test('BatchNorm2d updates running statistics like PyTorch, and uses them in eval', () => {
    const b = fixtures.batchnorm;
    const bn = new torch.nn.BatchNorm2d(3);
    bn.forward(decode(b.inputs[0]));
    bn.forward(decode(b.inputs[1]));
    bn.eval();
    expect(maxAbsDiff(bn.running_mean!, b.running_mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(bn.running_var!, b.running_var)).toBeLessThan(1e-6);
    expect(bn.num_batches_tracked!.item()).toBe(b.num_batches_tracked);
    expect(maxAbsDiff(bn.forward(decode(b.inputs[2])), b.eval_output)).toBeLessThan(1e-5);
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
