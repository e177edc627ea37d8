// Callable modules (module(x) = PyTorch's module(x)), hooks and their handles.
// Expected hook events and gradients come from scripts/make_hooks_fixtures.py.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import * as ts from 'typescript';
import * as torch from '../lib';
import { nn, F, Tensor } from '../lib';
import { pendingBackwardHookCalls } from '../lib/nn/hooks';
import { decode, Encoded, maxAbsDiff } from './helpers';

interface HookEvent {
  module: string;
  gradInput: (Encoded | null)[];
  gradOutput: (Encoded | null)[];
}
interface Fixtures {
  backward: {
    stateDict: Record<string, Encoded>;
    x: Encoded;
    target: Encoded;
    cases: { inputRequiresGrad: boolean; events: HookEvent[]; loss: number; inputGrad: Encoded | null; paramGrads: Record<string, Encoded> }[];
  };
  forward: { stateDict: Record<string, Encoded>; x: Encoded; events: string[]; output: Encoded; lastHookArg: Encoded; lastHookOutput: Encoded; forwardOnly: Encoded };
}
const fixtures: Fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'hooks.json'), 'utf8'));

const TOL = 1e-6;

class Block extends nn.Module {
  lin = new nn.Linear(5, 5);
  forward(x: Tensor): Tensor {
    return this.lin(x);
  }
}
class Net extends nn.Module {
  fc1 = new nn.Linear(4, 5);
  act = new nn.ReLU();
  block = new Block();
  fc2 = new nn.Linear(5, 3);
  forward(x: Tensor): Tensor {
    let h = this.act(this.fc1(x));
    h = this.block(h).add(h);
    return this.fc2(h);
  }
}
function loadState(m: nn.Module, sd: Record<string, Encoded>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, decode(v)])));
}

describe('calling a module', () => {
  test('module(x) is module.forward(x), for layers, containers, losses and user modules', () => {
    torch.manualSeed(0);
    const lin = new nn.Linear(4, 3);
    const x = torch.randn([2, 4]);
    expect(typeof lin).toBe('function');
    expect(lin(x).equal(lin.forward(x))).toBe(true);
    const seq = new nn.Sequential(lin, new nn.ReLU());
    expect(seq(x).equal(F.relu(lin.forward(x)))).toBe(true);
    const y = seq.at(0)(x); // typed without a cast
    expect(y.shape).toEqual([2, 3]);
    const criterion = new nn.CrossEntropyLoss();
    const target = torch.tensor([0, 2]);
    expect(criterion(y, target).item()).toBeCloseTo(F.crossEntropy(y, target).item() as number, 6);
    const net = new Net();
    expect(net(x).equal(net.forward(x))).toBe(true);
  });

  test('for (const b of blocks) x = b(x) type-checks with ModuleList and Module[]', () => {
    class Stack extends nn.Module {
      blocks = new nn.ModuleList([new nn.Linear(3, 3), new nn.Tanh()]);
      extra: nn.Module[] = [new nn.ReLU()];
      typed: nn.Module<[Tensor], Tensor> = new nn.Linear(3, 2);
      forward(x: Tensor): Tensor {
        for (const b of this.blocks) x = b(x);
        for (const b of this.extra) x = b(x);
        return this.typed(x);
      }
    }
    const s = new Stack();
    const x = torch.randn([4, 3]);
    const out: Tensor = s(x);
    expect(out.shape).toEqual([4, 2]);
    expect(s.parameters().length).toBe(4);
  });

  test('a module is still a module: fields, state dict, repr, inspect, train/eval, apply', () => {
    const net = new Net();
    expect(Object.keys(net)).toEqual(['training', 'fc1', 'act', 'block', 'fc2']);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'block', 'fc2']);
    expect(Object.keys(net.stateDict())).toEqual(['fc1.weight', 'fc1.bias', 'block.lin.weight', 'block.lin.bias', 'fc2.weight', 'fc2.bias']);
    expect(net).toBeInstanceOf(nn.Module);
    expect(net).toBe(net);
    expect(net).toEqual(net);
    expect(net.constructor.name).toBe('Net');
    const repr = String(net);
    expect(repr).toContain('(block): Block(\n    (lin): Linear(inFeatures=5, outFeatures=5, bias=true)');
    expect(util.inspect(net)).toBe(repr);
    expect(util.inspect({ m: new nn.ReLU() })).toBe('{ m: ReLU() }');
    expect(net.eval().training).toBe(false);
    expect(net.block.lin.training).toBe(false);
    const names: string[] = [];
    net.apply((m) => names.push(m.constructor.name));
    expect(names).toEqual(['Linear', 'ReLU', 'Linear', 'Block', 'Linear', 'Net']);
  });

  test('fields named length or name, and containers with a length', () => {
    class Named extends nn.Module {
      name = 'encoder';
      length = 3;
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const n = new Named();
    expect(n.name).toBe('encoder');
    expect(n.length).toBe(3);
    n.name = 'decoder';
    expect(n.name).toBe('decoder');
    const seq = new nn.Sequential(new nn.ReLU(), new nn.Tanh());
    expect(seq.length).toBe(2);
    expect(new nn.ModuleList([new nn.ReLU()]).length).toBe(1);
    const d = new nn.ModuleDict({ name: new nn.ReLU(), length: new nn.Tanh() });
    expect(d.keys()).toEqual(['name', 'length']);
    expect(d.get('name')).toBeInstanceOf(nn.ReLU);
  });

  test('torch.save of a module names it and points to stateDict()', () => {
    expect(() => torch.save(new Net() as never, '/tmp/never-written.pt')).toThrow(/got a Net$/);
  });
});

describe('forward hooks', () => {
  const fx = fixtures.forward;
  const setup = () => {
    const lin = new nn.Linear(3, 2);
    loadState(lin, fx.stateDict);
    return lin;
  };

  test("pre-hooks and forward hooks run in PyTorch's order and replace arguments and outputs", () => {
    const lin = setup();
    const events: string[] = [];
    lin.registerForwardPreHook(() => void events.push('pre1'));
    lin.registerForwardPreHook((_m, args) => (events.push('pre2'), (args[0] as Tensor).mul(2)));
    lin.registerForwardPreHook(() => void events.push('pre0'), { prepend: true });
    lin.registerForwardHook((_m, _a, out) => (events.push('fwd1'), (out as Tensor).add(1)));
    lin.registerForwardHook(() => (events.push('fwd2'), null));
    lin.registerForwardHook(() => void events.push('fwd0'), { prepend: true });
    const seen: { arg?: Tensor; out?: Tensor } = {};
    lin.registerForwardHook((_m, args, out) => {
      seen.arg = args[0];
      seen.out = out;
    });
    const y = lin(decode(fx.x));
    expect(events).toEqual(fx.events);
    expect(maxAbsDiff(y, fx.output)).toBeLessThan(TOL);
    expect(maxAbsDiff(seen.arg!, fx.lastHookArg)).toBeLessThan(TOL);
    expect(maxAbsDiff(seen.out!, fx.lastHookOutput)).toBeLessThan(TOL);
    // forward() itself runs no hooks
    expect(maxAbsDiff(lin.forward(decode(fx.x)), fx.forwardOnly)).toBeLessThan(TOL);
  });

  test('a pre-hook returning an array replaces all the arguments', () => {
    const loss = new nn.MSELoss();
    const a = torch.tensor([1, 2], { dtype: 'float32' });
    const b = torch.tensor([1, 4], { dtype: 'float32' });
    expect(loss(a, b).item()).toBe(2);
    const h = loss.registerForwardPreHook((_m, [x, y]) => [y, y]);
    expect(loss(a, b).item()).toBe(0);
    h.remove();
    expect(loss(a, b).item()).toBe(2);
  });

  test('handles remove their hook once; `using` removes at the end of the block', () => {
    const lin = setup();
    let calls = 0;
    const h1 = lin.registerForwardHook(() => void calls++);
    const h2 = lin.registerForwardHook(() => void calls++);
    expect(h1.id).not.toBe(h2.id);
    lin(decode(fx.x));
    expect(calls).toBe(2);
    h1.remove();
    h1.remove();
    lin(decode(fx.x));
    expect(calls).toBe(3);
    {
      using _h = lin.registerForwardPreHook(() => void calls++);
      lin(decode(fx.x));
    }
    expect(calls).toBe(5);
    h2.remove();
    lin(decode(fx.x));
    expect(calls).toBe(5);
  });

  test('bad hooks and options are refused', () => {
    const lin = setup();
    expect(() => lin.registerForwardHook(5 as never)).toThrow(/hook must be a function, got number 5/);
    expect(() => lin.registerForwardHook(() => undefined, { always_call: true } as never)).toThrow(/option 'always_call' is not supported/);
    expect(() => lin.registerForwardHook(() => undefined, { Prepend: true } as never)).toThrow(/unknown option 'Prepend' \(did you mean 'prepend'\?\)/);
    expect(() => lin.registerForwardPreHook(() => undefined, { prepend: 1 } as never)).toThrow(/prepend must be a boolean/);
  });

  test('hooks on layers inside a native Sequential program run; removing them brings the program back', () => {
    torch.manualSeed(1);
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = torch.randn([5, 3]);
    const plain = seq(x);
    const shapes: number[][] = [];
    const h = seq.at(1).registerForwardHook((_m: nn.Module, _a: unknown[], out: Tensor) => {
      shapes.push(out.shape);
      return out.mul(0); // zero the hidden layer: the output becomes the last bias
    });
    const hooked = seq(x);
    expect(shapes).toEqual([[5, 4]]);
    expect(hooked.equal((seq.at(2) as nn.Linear).bias!.expand([5, 2]))).toBe(true);
    const outer = seq.registerForwardHook(() => void shapes.push([0]));
    seq(x);
    expect(shapes).toEqual([[5, 4], [5, 4], [0]]);
    h.remove();
    outer.remove();
    expect(seq(x).equal(plain)).toBe(true);
    expect(shapes.length).toBe(3);
  });

  test('nested Sequentials with a hook on the inner one', () => {
    const inner = new nn.Sequential(new nn.ReLU());
    const seq = new nn.Sequential(new nn.Identity(), inner, new nn.Tanh());
    let n = 0;
    inner.registerForwardPreHook(() => void n++);
    const x = torch.tensor([-1, 0.5]);
    expect(seq(x).equal(torch.tensor([0, 0.5]).tanh())).toBe(true);
    expect(n).toBe(1);
  });
});

describe('full backward hooks', () => {
  const fx = fixtures.backward;
  for (const c of fx.cases) {
    test(`gradInput / gradOutput and order as PyTorch (input requiresGrad: ${c.inputRequiresGrad})`, () => {
      const net = new Net();
      loadState(net, fx.stateDict);
      const events: { module: string; gradInput: (Tensor | null)[]; gradOutput: (Tensor | null)[] }[] = [];
      const handles = net.namedModules().map(([name, m]) =>
        m.registerFullBackwardHook((_m, gradInput, gradOutput) => void events.push({ module: name || 'net', gradInput, gradOutput })),
      );
      const x = decode(fx.x).requiresGrad_(c.inputRequiresGrad);
      const loss = F.crossEntropy(net(x), decode(fx.target));
      expect(events).toEqual([]); // nothing before backward
      loss.backward();
      handles.forEach((h) => h.remove());
      expect(loss.item()).toBeCloseTo(c.loss, 6);
      expect(events.map((e) => e.module)).toEqual(c.events.map((e) => e.module));
      events.forEach((e, i) => {
        const want = c.events[i];
        expect(e.gradInput.length).toBe(want.gradInput.length);
        expect(e.gradOutput.length).toBe(want.gradOutput.length);
        e.gradInput.forEach((g, j) => (want.gradInput[j] === null ? expect(g).toBeNull() : expect(maxAbsDiff(g!, want.gradInput[j]!)).toBeLessThan(TOL)));
        e.gradOutput.forEach((g, j) => expect(maxAbsDiff(g!, want.gradOutput[j]!)).toBeLessThan(TOL));
      });
      // Hooks change nothing in the gradients themselves.
      for (const [n, p] of net.namedParameters()) expect(maxAbsDiff(p.grad!, c.paramGrads[n])).toBeLessThan(TOL);
      if (c.inputRequiresGrad) expect(maxAbsDiff(x.grad!, c.inputGrad!)).toBeLessThan(TOL);
      expect(pendingBackwardHookCalls()).toBe(0);
    });
  }

  test('hooks run once per backward; retainGraph keeps them for the next one; no record under noGrad', () => {
    const lin = new nn.Linear(2, 1);
    const seen: number[] = [];
    lin.registerFullBackwardHook((_m, _gi, [go]) => void seen.push(go!.item() as number));
    const y = lin(torch.ones([1, 2])).sum();
    y.mul(3).backward(undefined, { retainGraph: true });
    y.mul(5).backward();
    expect(seen).toEqual([3, 5]);
    expect(pendingBackwardHookCalls()).toBe(0);
    torch.noGrad(() => lin(torch.ones([1, 2])));
    expect(pendingBackwardHookCalls()).toBe(0);
    // A parameter's accumulated gradient is that of both backward calls.
    expect(lin.bias!.grad!.item()).toBe(8);
  });

  test('module calls a backward does not reach are dropped after two backward calls', () => {
    const a = new nn.Linear(2, 1);
    const b = new nn.Linear(2, 1);
    const fired: string[] = [];
    a.registerFullBackwardHook(() => void fired.push('a'));
    b.registerFullBackwardHook(() => void fired.push('b'));
    const ya = a(torch.ones([1, 2])).sum();
    const yb = b(torch.ones([1, 2])).sum();
    expect(pendingBackwardHookCalls()).toBe(2);
    yb.backward();
    expect(fired).toEqual(['b']);
    ya.backward(); // a's call was kept for this one (GAN-style two graphs)
    expect(fired).toEqual(['b', 'a']);
    a(torch.ones([1, 2])); // never backpropagated
    b(torch.ones([1, 2])).sum().backward();
    b(torch.ones([1, 2])).sum().backward();
    expect(pendingBackwardHookCalls()).toBe(0);
  });

  test('a backward hook cannot replace gradInput', () => {
    const lin = new nn.Linear(2, 1);
    const h = lin.registerFullBackwardHook((_m, gradInput) => gradInput as never);
    const y = lin(torch.ones([1, 2]).requiresGrad_()).sum();
    expect(() => y.backward()).toThrow(/cannot replace gradInput/);
    h.remove();
    expect(lin.bias!.grad!.item()).toBe(1); // the backward itself ran
  });
});

describe('types', () => {
  test('call forms type-check without casts, and wrong calls do not (test/types/callable_types.ts, strict)', () => {
    const file = path.join(__dirname, 'types', 'callable_types.ts');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      esModuleInterop: true,
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    // Each `@ts-expect-error` there must meet an error (an unused one is TS2578).
    expect(errors).toEqual([]);
    expect(fs.readFileSync(file, 'utf8').match(/@ts-expect-error/g)!.length).toBe(4);
  });
});

describe('ScriptModule', () => {
  const FIX = path.join(__dirname, 'fixtures');
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, 'py_small_expected.json'), 'utf8'));
  const load = () => torch.jit.load(path.join(FIX, 'py_small_scripted.pt'));

  test('sm(x) is sm.forward(x)', () => {
    const sm = load().eval();
    const probe = decode(expected.probe);
    expect(typeof sm).toBe('function');
    expect(maxAbsDiff(sm(probe), expected.output)).toBeLessThan(1e-5);
    expect(sm(probe).equal(sm.forward(probe))).toBe(true);
  });

  test("loadStateDict copies Python's state dict into the module's own tensors, with Module's checks", () => {
    const sm = load().eval();
    const probe = decode(expected.probe);
    const sd = torch.load(path.join(FIX, 'py_small_state_dict.pt')) as Record<string, Tensor>;
    const weight = sm.namedParameters()[0][1];
    const zeros = Object.fromEntries(Object.entries(sm.stateDict()).map(([k, t]) => [k, torch.zerosLike(t)]));
    expect(sm.loadStateDict(zeros)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(weight.abs().sum().item()).toBe(0); // in place: the same tensors
    expect(maxAbsDiff(sm(probe), expected.output)).toBeGreaterThan(1e-3);
    sm.loadStateDict(sd);
    expect(maxAbsDiff(sm(probe), expected.output)).toBeLessThan(1e-5);
    expect(weight.requiresGrad).toBe(true);

    const { 'fc.bias': _dropped, ...partial } = sd;
    void _dropped;
    expect(() => sm.loadStateDict({ ...partial, extra: torch.ones(1) })).toThrow(
      /Error\(s\) in loading state_dict for ScriptModule:\n\tMissing key\(s\) in state_dict: "fc.bias"\.\n\tUnexpected key\(s\) in state_dict: "extra"\./,
    );
    expect(sm.loadStateDict({ ...partial, extra: torch.ones(1) }, { strict: false })).toEqual({ missingKeys: ['fc.bias'], unexpectedKeys: ['extra'] });
    expect(() => sm.loadStateDict({ ...sd, 'fc.bias': torch.ones(4) })).toThrow(/size mismatch for fc.bias: copying a param with shape \[4\] from checkpoint, the shape in current model is \[3\]/);
    expect(() => sm.loadStateDict(sd, { strict: 1 } as never)).toThrow(/strict must be a boolean/);
  });

  test('freeze() switches the frozen batch-norm submodules to eval, through the binding when it can', () => {
    const sm = load();
    const calls: [string, boolean][] = [];
    (sm.handle as unknown as { setModuleTraining: (n: string, on: boolean) => void }).setModuleTraining = (n, on) => void calls.push([n, on]);
    sm.freeze('conv');
    expect(calls).toEqual([]); // bn is not in the frozen part
    sm.freeze(['bn']);
    expect(calls).toEqual([['bn', false]]);
    sm.train();
    expect(calls).toEqual([['bn', false], ['bn', false]]); // train() switches everything on, then bn back off
    sm.unfreeze('bn');
    expect(calls.at(-1)).toEqual(['bn', true]);
    calls.length = 0;
    sm.train();
    sm.freeze(undefined, { freezeBatchNorm: false });
    expect(calls).toEqual([]);
    expect(sm.trainableParameters().length).toBe(0);
  });

  test('freeze() keeps the batch-norm statistics of frozen layers fixed in train mode, unless freezeBatchNorm is false', () => {
    const x = torch.randn(2, 1, 10, 10);
    const mean = (m: torch.jit.ScriptModule) => Object.fromEntries(m.namedBuffers())['bn.running_mean'].clone();
    const frozen = load().train();
    frozen.freeze();
    const before = mean(frozen);
    frozen(x);
    expect(mean(frozen).equal(before)).toBe(true);
    expect(frozen.training).toBe(true);
    const updating = load().train();
    updating.freeze(undefined, { freezeBatchNorm: false });
    const start = mean(updating);
    updating(x);
    expect(mean(updating).equal(start)).toBe(false);
  });
});
