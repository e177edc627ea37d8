// The rest of torch.optim — Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop, LBFGS — against trajectories
// computed by Python PyTorch 2.11 (scripts/make_optim_fixtures.py → test/fixtures/optim_extra.json):
// the parameters after every step(closure), the loss each step returned, the final state in
// PyTorch's state_dict layout; Adadelta with StepLR as pytorch/examples' MNIST script; state dicts
// saved by Python loaded here; the options' checks.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { decode, Encoded } from './helpers';

const FIX = path.join(__dirname, 'fixtures');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fx: any = JSON.parse(fs.readFileSync(path.join(FIX, 'optim_extra.json'), 'utf8'));
const { optim } = torch;

type Params = Record<string, torch.Tensor>;
type Opt = torch.optim.Optimizer<object>;
type Problem = 'quad' | 'mlp' | 'rosen';

interface Run {
  name: string;
  class: string;
  options: Record<string, unknown>;
  problem: Problem;
  dtype: 'float32' | 'float64';
  losses: number[];
  steps: Encoded[][];
  state: Record<string, Record<string, unknown>>;
  param_group: Record<string, unknown>;
}

/** Float64 runs follow PyTorch to rounding; float32 runs to 1e-6 relative (of max(1, |value|)). */
const TOL = { float64: 1e-10, float32: 1e-6 };

function setup(problem: Problem, dtype: 'float32' | 'float64'): { params: Params; consts: Params } {
  const spec = fx.problems[problem];
  const params: Params = {};
  for (const [k, e] of Object.entries(spec.params as Record<string, Encoded>)) params[k] = new torch.Parameter(decode(e).to({ dtype }));
  const consts: Params = {};
  for (const [k, e] of Object.entries(spec.consts as Record<string, Encoded>)) consts[k] = decode(e).to({ dtype });
  return { params, consts };
}

/** The script's losses, with the same operators in the same order. */
function lossOf(problem: Problem, p: Params, c: Params): torch.Tensor {
  if (problem === 'quad') {
    return p.a.sub(c.ca).pow(2).mul(c.wa).sum()
      .add(p.b.sin().mul(c.cb).sum())
      .add(p.a.sum().mul(p.b.sum()).pow(2).mul(0.1));
  }
  if (problem === 'mlp') {
    const h = c.x.matmul(p.w1.t()).add(p.b1).tanh();
    return h.matmul(p.w2.t()).add(p.b2).sub(c.y).pow(2).mean();
  }
  const n = p.x.shape[0];
  const head = p.x.narrow(0, 0, n - 1);
  const tail = p.x.narrow(0, 1, n - 1);
  return tail.sub(head.pow(2)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum();
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelOptions = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

const MAKE: Record<string, (p: torch.Tensor[], o: Record<string, unknown>) => Opt> = {
  Adadelta: (p, o) => new optim.Adadelta(p, o as torch.optim.AdadeltaOptions),
  Adamax: (p, o) => new optim.Adamax(p, o as torch.optim.AdamaxOptions),
  NAdam: (p, o) => new optim.NAdam(p, o as torch.optim.NAdamOptions),
  RAdam: (p, o) => new optim.RAdam(p, o as torch.optim.RAdamOptions),
  ASGD: (p, o) => new optim.ASGD(p, o as torch.optim.ASGDOptions),
  Rprop: (p, o) => new optim.Rprop(p, o as torch.optim.RpropOptions),
  LBFGS: (p, o) => new optim.LBFGS(p, o as torch.optim.LBFGSOptions),
};

/** The worst |got - expected| / max(1, |expected|) over a tensor, after checking its shape and dtype. */
function worst(t: torch.Tensor, e: Encoded): number {
  expect(t.shape).toEqual(e.shape);
  expect(t.dtype).toBe(e.dtype);
  const got = Array.from(t.toTypedArray() as ArrayLike<number>, Number);
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - e.data[i]) / Math.max(1, Math.abs(e.data[i]))), 0);
}
const isEncoded = (v: unknown): v is Encoded => typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;

/** A state value against the script's: tensors (the same dtype), lists, numbers, null — the same kinds. */
function expectValue(got: unknown, expected: unknown, tol: number, where: string): void {
  if (isEncoded(expected)) {
    if (!(got instanceof torch.Tensor)) throw new Error(`${where}: expected a tensor, got ${String(got)}`);
    expect([where, worst(got, expected) <= tol]).toEqual([where, true]);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(got)).toBe(true);
    expect((got as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectValue((got as unknown[])[i], e, tol, `${where}[${i}]`));
  } else if (typeof expected === 'number') {
    expect([where, typeof got]).toEqual([where, 'number']);
    expect([where, Math.abs((got as number) - expected) <= tol * Math.max(1, Math.abs(expected))]).toEqual([where, true]);
  } else {
    expect([where, got]).toEqual([where, expected]);
  }
}

function closureFor(opt: Opt, problem: Problem, params: Params, consts: Params): () => torch.Tensor {
  return () => {
    opt.zeroGrad();
    const loss = lossOf(problem, params, consts);
    loss.backward();
    return loss;
  };
}

describe('trajectories: every step(closure) as PyTorch 2.11', () => {
  test('the fixtures come from PyTorch 2.11 and cover every optimizer, float32 and float64', () => {
    expect(fx.torch).toMatch(/^2\.11\./);
    const runs = fx.runs as Run[];
    expect(new Set(runs.map((r) => r.class))).toEqual(new Set(Object.keys(MAKE)));
    expect(new Set(runs.map((r) => r.dtype))).toEqual(new Set(['float32', 'float64']));
  });

  for (const run of fx.runs as Run[]) {
    test(`${run.class} (${run.name}, ${run.dtype}): parameters, losses and final state`, () => {
      const tol = TOL[run.dtype];
      const { params, consts } = setup(run.problem, run.dtype);
      const list = Object.values(params);
      const opt = MAKE[run.class](list, camelOptions(run.options));
      const closure = closureFor(opt, run.problem, params, consts);
      run.steps.forEach((expected, i) => {
        const loss = opt.step(closure);
        expect(loss).toBeInstanceOf(torch.Tensor);
        expectValue(loss.item(), run.losses[i], tol, `loss of step ${i + 1}`);
        expected.forEach((e, j) => expect([`step ${i + 1}, parameter ${j}`, worst(list[j], e) <= tol]).toEqual([`step ${i + 1}, parameter ${j}`, true]));
      });
      const sd = opt.stateDict();
      expect(Object.keys(sd.state).sort()).toEqual(Object.keys(run.state).sort());
      for (const [i, st] of Object.entries(run.state)) {
        const mine = sd.state[Number(i)] as Record<string, unknown>;
        expect(Object.keys(mine).sort()).toEqual(Object.keys(st).sort());
        for (const [k, v] of Object.entries(st)) expectValue(mine[k], v, tol, `state[${i}].${k}`);
      }
      const { params: ids, ...group } = sd.param_groups[0];
      expect(ids).toEqual(list.map((_, i) => i));
      expect(group).toEqual(run.param_group);
    });
  }
});

describe("Adadelta with StepLR, as pytorch/examples' MNIST script", () => {
  test('lr 1.0, gamma 0.7 stepped once an epoch: the learning rates and the parameters after each epoch', () => {
    const s = fx.steplr;
    const { params, consts } = setup('mlp', 'float32');
    const list = Object.values(params);
    const opt = new optim.Adadelta(list, { lr: 1.0 });
    const scheduler = new optim.lrScheduler.StepLR(opt, s.step_size, s.gamma);
    for (const epoch of s.epochs as { lr: number; params: Encoded[] }[]) {
      for (let b = 0; b < s.batches_per_epoch; b++) {
        opt.zeroGrad();
        lossOf('mlp', params, consts).backward();
        expect(opt.step()).toBeUndefined();
      }
      scheduler.step();
      expect(opt.paramGroups[0].lr).toBe(epoch.lr);
      epoch.params.forEach((e, j) => expect(worst(list[j], e)).toBeLessThanOrEqual(TOL.float32));
    }
  });
});

describe("state dicts saved by Python's optimizer.state_dict()", () => {
  for (const [name, l] of Object.entries(fx.loaded as Record<string, { class: string; file: string; start: Encoded[]; losses: number[]; steps: Encoded[][] }>)) {
    test(`${l.class} (${name}): torch.load + loadStateDict, then PyTorch's next steps`, () => {
      const sd = torch.load(path.join(FIX, l.file)) as torch.optim.OptimizerStateDict;
      const { consts } = setup('mlp', 'float32');
      const names = Object.keys(fx.problems.mlp.params);
      const params: Params = Object.fromEntries(names.map((k, i) => [k, new torch.Parameter(decode(l.start[i]))]));
      const list = Object.values(params);
      const opt = MAKE[l.class](list, { lr: 123 });
      opt.loadStateDict(sd);
      expect((opt.paramGroups[0] as unknown as { lr: number }).lr).toBe(sd.param_groups[0].lr);
      expect((opt.paramGroups[0] as unknown as { lr: number }).lr).not.toBe(123);
      const closure = closureFor(opt, 'mlp', params, consts);
      l.steps.forEach((expected, i) => {
        expectValue(opt.step(closure).item(), l.losses[i], TOL.float32, `loss of step ${i + 1}`);
        expected.forEach((e, j) => expect(worst(list[j], e)).toBeLessThanOrEqual(TOL.float32));
      });
    });
  }

  test("LBFGS's state names are PyTorch's (H_diag, old_dirs, …), and its own state dict round-trips", () => {
    const { params, consts } = setup('mlp', 'float64');
    const a = new optim.LBFGS(Object.values(params), { maxIter: 4, historySize: 2, lineSearchFn: 'strong_wolfe' });
    const closureA = closureFor(a, 'mlp', params, consts);
    a.step(closureA);
    a.step(closureA);
    const sd = a.stateDict();
    expect(Object.keys(sd.state[0]).sort()).toEqual(['H_diag', 'al', 'd', 'func_evals', 'n_iter', 'old_dirs', 'old_stps', 'prev_flat_grad', 'prev_loss', 'ro', 't']);
    expect((sd.state[0].old_dirs as unknown as torch.Tensor[]).length).toBe(2);
    // through a file, as a checkpoint would
    const file = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'nodetorch-lbfgs-')), 'opt.pt');
    torch.save(sd, file);
    const copy: Params = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new torch.Parameter(v.detach().clone())]));
    const b = new optim.LBFGS(Object.values(copy), { maxIter: 4, historySize: 2, lineSearchFn: 'strong_wolfe' });
    b.loadStateDict(torch.load(file) as torch.optim.OptimizerStateDict);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    const la = a.step(closureA).item();
    const lb = b.step(closureFor(b, 'mlp', copy, consts)).item();
    expect(lb).toBe(la);
    Object.keys(params).forEach((k) => expect(copy[k].equal(params[k])).toBe(true));
  });
});

describe('step(closure) on every optimizer', () => {
  test('the closure runs under enableGrad (even inside noGrad) and its loss is returned; no closure returns undefined', () => {
    const { params, consts } = setup('quad', 'float64');
    const opt = new optim.SGD(Object.values(params), { lr: 0.01 });
    const closure = closureFor(opt, 'quad', params, consts);
    const before = params.a.clone();
    const loss = torch.noGrad(() => opt.step(closure));
    expect(loss.requiresGrad).toBe(true);
    expect(params.a.equal(before)).toBe(false);
    expect(opt.step()).toBeUndefined();
    expect(() => opt.step(42 as unknown as () => number)).toThrow(TypeError);
  });

  test('LBFGS.step needs a closure; maxEval defaults to maxIter * 5 / 4', () => {
    const p = new torch.Parameter(torch.zeros(3));
    const opt = new optim.LBFGS([p], { maxIter: 8 });
    expect(opt.paramGroups[0].maxEval).toBe(10);
    expect(new optim.LBFGS([p]).paramGroups[0].maxEval).toBe(25);
    expect(() => (opt as unknown as { step(): void }).step()).toThrow(/closure/);
  });
});

describe('options are checked as PyTorch checks them', () => {
  const p = () => [new torch.Parameter(torch.zeros(2))];
  test.each([
    ['Adadelta', { lr: -1 }, 'Invalid learning rate: -1'],
    ['Adadelta', { rho: 1.5 }, 'Invalid rho value: 1.5'],
    ['Adadelta', { eps: -1e-3 }, 'Invalid epsilon value: -0.001'],
    ['Adamax', { betas: [1, 0.9] }, 'Invalid beta parameter at index 0: 1'],
    ['Adamax', { weightDecay: -0.5 }, 'Invalid weight_decay value: -0.5'],
    ['NAdam', { momentumDecay: -1 }, 'Invalid momentum_decay value: -1'],
    ['NAdam', { betas: [0.9, 1.0] }, 'Invalid beta parameter at index 1: 1'],
    ['RAdam', { lr: -0.1 }, 'Invalid learning rate: -0.1'],
    ['ASGD', { weightDecay: -1 }, 'Invalid weight_decay value: -1'],
    ['Rprop', { etas: [1.5, 1.2] }, 'Invalid eta values: 1.5, 1.2'],
    ['Rprop', { etas: [0.5, 0.9] }, 'Invalid eta values: 0.5, 0.9'],
    ['LBFGS', { lr: -2 }, 'Invalid learning rate: -2'],
    ['LBFGS', { lineSearchFn: 'backtracking' }, "only 'strong_wolfe' is supported"],
    ['NAdam', { capturable: true }, 'capturable=true'],
    ['RAdam', { differentiable: true }, 'differentiable=true'],
  ])('%s(%j) is a RangeError: %s', (cls, options, message) => {
    expect(() => MAKE[cls](p(), options)).toThrow(RangeError);
    expect(() => MAKE[cls](p(), options)).toThrow(message);
  });

  test.each([
    ['Adadelta', { lr: '1' }, /lr/],
    ['Adamax', { betas: 0.9 }, /betas/],
    ['Rprop', { stepSizes: [1e-6] }, /stepSizes/],
    ['ASGD', { t0: null }, /t0/],
    ['NAdam', { decoupledWeightDecay: 1 }, /decoupledWeightDecay/],
    ['Adadelta', { foreach: 'yes' }, /foreach/],
    ['LBFGS', { maxIter: 2.5 }, /maxIter/],
    ['LBFGS', { historySize: 0 }, /historySize/],
    ['RAdam', { weight_decay: 0.1 }, /weight_decay/],
    ['LBFGS', { maximize: true }, /maximize/],
  ])('%s(%j) is refused, naming the option', (cls, options, message) => {
    expect(() => MAKE[cls](p(), options)).toThrow(message);
    try {
      MAKE[cls](p(), options);
    } catch (e) {
      expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
    }
  });

  test('foreach (any value) is accepted and kept in the param group, as PyTorch keeps it', () => {
    const opt = new optim.Adamax(p(), { foreach: true });
    expect(opt.stateDict().param_groups[0].foreach).toBe(true);
    expect(new optim.Rprop(p()).stateDict().param_groups[0].foreach).toBeNull();
  });

  test('LBFGS takes one parameter group', () => {
    expect(() => new optim.LBFGS([{ params: p() }, { params: p(), lr: 0.1 }])).toThrow("LBFGS doesn't support per-parameter options");
    const opt = new optim.LBFGS(p());
    expect(() => opt.addParamGroup({ params: p() })).toThrow(RangeError);
  });

  test('the defaults are PyTorch 2.11\'s', () => {
    const sd = (o: Opt) => o.stateDict().param_groups[0];
    expect(sd(new optim.Adadelta(p()))).toMatchObject({ lr: 1, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false });
    expect(sd(new optim.Adamax(p()))).toMatchObject({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 });
    expect(sd(new optim.NAdam(p()))).toMatchObject({ lr: 2e-3, momentum_decay: 4e-3, decoupled_weight_decay: false });
    expect(sd(new optim.RAdam(p()))).toMatchObject({ lr: 1e-3, decoupled_weight_decay: false });
    expect(sd(new optim.ASGD(p()))).toMatchObject({ lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6 });
    expect(sd(new optim.Rprop(p()))).toMatchObject({ lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50] });
    expect(sd(new optim.LBFGS(p()))).toMatchObject({ lr: 1, max_iter: 20, max_eval: 25, tolerance_grad: 1e-7, tolerance_change: 1e-9, history_size: 100, line_search_fn: null });
  });
});
