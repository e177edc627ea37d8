// Native execution of module trees (docs/architecture.md): a Sequential of
// built-in layers runs as one compiled program, with results identical to the
// layers' own forward run from TypeScript; overridden forwards stay TypeScript.
import * as torch from '../lib';
import { native } from '../lib/native';

const { nn } = torch;

/** Every child's own forward, called from TypeScript (the reference). */
function eagerForward(m: torch.nn.Module, x: torch.Tensor): torch.Tensor {
  if (m instanceof nn.Sequential) return m.children().reduce((acc, c) => eagerForward(c, acc), x);
  return (m as unknown as { forward(x: torch.Tensor): torch.Tensor }).forward(x);
}

function bigModel(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 4, { kernelSize: 3, padding: 'same' }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.Conv2d(4, 4, { kernelSize: 3, padding: 1, paddingMode: 'reflect' }),
    new nn.GroupNorm(2, 4),
    new nn.LeakyReLU(0.1),
    new nn.MaxPool2d(2),
    new nn.Dropout2d(0.25),
    new nn.AvgPool2d(2, { stride: 1 }),
    new nn.AdaptiveAvgPool2d(3),
    new nn.Conv2d(4, 4, { kernelSize: 1, paddingMode: 'circular' }),
    new nn.AdaptiveMaxPool2d(2),
    new nn.Flatten(),
    new nn.Unflatten(1, [4, 4]),
    new nn.Flatten(1),
    new nn.LayerNorm(16),
    new nn.Sequential({ fc: new nn.Linear(16, 12), act: new nn.GELU('tanh') }),
    new nn.BatchNorm1d(12),
    new nn.SiLU(),
    new nn.ReLU6(),
    new nn.Dropout(0.3),
    new nn.Linear(12, 6),
    new nn.Tanh(),
    new nn.Sigmoid(),
    new nn.Identity(),
    new nn.Softmax(1),
    new nn.LogSoftmax(1),
  );
}

function grads(m: torch.nn.Module): number[][] {
  return m.parameters().map((p) => Array.from(p.grad!.toTypedArray() as Float32Array));
}
function values(t: torch.Tensor): number[] {
  return Array.from(t.detach().toTypedArray() as Float32Array);
}

describe('Sequential of built-in layers runs natively', () => {
  test.each([true, false])('every layer: same outputs, gradients and BN statistics as TypeScript (training=%s)', (training) => {
    torch.manualSeed(3);
    const a = bigModel().train(training);
    torch.manualSeed(3);
    const b = bigModel().train(training);
    const x = torch.randn(5, 1, 12, 12);
    torch.manualSeed(11);
    const ya = a.forward(x);
    torch.manualSeed(11);
    const yb = eagerForward(b, x);
    expect(values(ya)).toEqual(values(yb));
    ya.mul(torch.arange(6).to('float32')).sum().backward();
    yb.mul(torch.arange(6).to('float32')).sum().backward();
    expect(grads(a)).toEqual(grads(b));
    expect(a.buffers().map(values)).toEqual(b.buffers().map(values));
    if (training) expect(a.at(1).stateDict().num_batches_tracked.item()).toBe(1);
  });

  test('the forward makes no operator calls from TypeScript: one program run', () => {
    const m = bigModel();
    const x = torch.randn(2, 1, 12, 12);
    m.forward(x); // compiles
    const calls = jest.spyOn(native, 'call');
    const run = jest.spyOn(native.ProgramHandle.prototype, 'run');
    try {
      m.forward(x);
      expect(calls).not.toHaveBeenCalled();
      expect(run).toHaveBeenCalledTimes(1);
    } finally {
      calls.mockRestore();
      run.mockRestore();
    }
  });

  test('a TypeScript forward in the middle runs in TypeScript between two native runs', () => {
    class Twice extends nn.Module {
      calls = 0;
      forward(x: torch.Tensor): torch.Tensor {
        this.calls++;
        return x.mul(2);
      }
    }
    class MyLinear extends nn.Linear {
      forward(x: torch.Tensor): torch.Tensor {
        return super.forward(x).add(100);
      }
    }
    torch.manualSeed(1);
    const twice = new Twice();
    const m = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), twice, new MyLinear(4, 2), new nn.Tanh());
    const x = torch.randn(4, 3);
    const run = jest.spyOn(native.ProgramHandle.prototype, 'run');
    try {
      const y = m.forward(x);
      expect(twice.calls).toBe(1);
      expect(run).toHaveBeenCalledTimes(2); // [Linear, ReLU] and [Tanh]; MyLinear overrides forward
      const fwd = (i: number, t: torch.Tensor) => (m.at(i) as torch.nn.Linear).forward(t);
      const expected = fwd(3, fwd(1, fwd(0, x)).mul(2));
      expect(values(y)).toEqual(values(expected.tanh()));
      expect(Math.min(...values(expected))).toBeGreaterThan(90); // MyLinear's own forward ran
    } finally {
      run.mockRestore();
    }
  });

  test('replacing a layer, an optimizer step and eval() are all seen by the next forward', () => {
    torch.manualSeed(2);
    const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5), new nn.Linear(3, 2));
    const x = torch.randn(8, 3);
    m.forward(x).sum().backward();
    new torch.optim.SGD(m.parameters(), { lr: 0.5 }).step();
    m.eval();
    expect(values(m.forward(x))).toEqual(values(eagerForward(m, x)));
    const head = new nn.Linear(3, 2);
    (m as unknown as Record<string, torch.nn.Module>)['2'] = head;
    expect(m.at(2)).toBe(head);
    expect(values(m.forward(x))).toEqual(values(head.forward((m.at(0) as torch.nn.Linear).forward(x))));
  });

  test('a shape error names the layer', () => {
    const m = new nn.Sequential({ features: new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU()), head: new nn.Linear(5, 2) });
    expect(() => m.forward(torch.randn(2, 4))).toThrow(/in head \(Linear\)/);
    expect(() => m.forward(torch.randn(2, 7))).toThrow(/in features\.0 \(Linear\)/);
    const bn = new nn.Sequential(new nn.BatchNorm2d(3));
    expect(() => bn.forward(torch.randn(2, 3))).toThrow(/0 \(BatchNorm2d\): BatchNorm2d expects 4D input, got 2D/);
    expect(() => new nn.BatchNorm2d(3).forward(torch.randn(2, 3))).toThrow(/BatchNorm2d expects 4D input, got 2D/);
  });

  test('BatchNorm with a cumulative average (momentum null) falls back to TypeScript and still matches', () => {
    const a = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3, { momentum: null }));
    const b = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3, { momentum: null }));
    b.loadStateDict(a.stateDict());
    for (let i = 0; i < 3; i++) {
      const x = torch.randn(6, 2);
      expect(values(a.forward(x))).toEqual(values(eagerForward(b, x)));
    }
    expect(a.stateDict()['1.num_batches_tracked'].item()).toBe(3);
    expect(values(a.stateDict()['1.running_mean'])).toEqual(values(b.stateDict()['1.running_mean']));
  });

  test('summary() still reports every layer of a natively run Sequential', () => {
    const m = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const s = m.summary([1, 4]);
    expect(s).toMatch(/0\s+Linear\s+\[1, 3\]/);
    expect(s).toMatch(/2\s+Linear\s+\[1, 2\]/);
  });
});

describe('torch.Generator', () => {
  test('the same seed gives the same stream, independent of the global one', () => {
    const g1 = new torch.Generator().manualSeed(42);
    const g2 = new torch.Generator().manualSeed(42);
    const a = torch.randperm(20, { generator: g1 }).tolist();
    torch.manualSeed(7);
    torch.rand(100);
    expect(torch.randperm(20, { generator: g2 }).tolist()).toEqual(a);
    expect(torch.randperm(20, { generator: g1 }).tolist()).not.toEqual(a);
    expect(g1.initialSeed()).toBe(42n);
  });

  test('matches PyTorch: torch.Generator().manual_seed(0) streams', () => {
    // torch.randperm(10, generator=torch.Generator().manual_seed(0)) and torch.rand(3, generator=...) in PyTorch 2.11
    const g = new torch.Generator().manualSeed(0);
    expect(torch.randperm(10, { generator: g }).tolist()).toEqual([4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    const r = torch.rand(3, { generator: new torch.Generator().manualSeed(0) });
    expect(values(r).map((v) => v.toFixed(4))).toEqual(['0.4963', '0.7682', '0.0885']);
  });

  test('getState / setState replay a stream; rand, randn, randint, uniform_, normal_, bernoulli_, multinomial take it', () => {
    const g = new torch.Generator().manualSeed(5);
    const state = g.getState();
    const draw = () => [
      ...values(torch.rand(3, { generator: g })),
      ...values(torch.randn(3, { generator: g })),
      ...(torch.randint(0, 10, [3], { generator: g }).tolist() as number[]),
      ...values(torch.empty(3).uniform_(-1, 1, { generator: g })),
      ...values(torch.empty(3).normal_(0, 2, { generator: g })),
      ...values(torch.empty(8).bernoulli_(0.5, { generator: g })),
      ...(torch.tensor([0.1, 0.2, 0.7]).multinomial(2, { generator: g }).tolist() as number[]),
    ];
    const first = draw();
    g.setState(state);
    expect(draw()).toEqual(first);
    expect(() => torch.rand(2, { generator: {} as never })).toThrow(/generator must be a torch.Generator/);
    expect(() => new torch.Generator({ device: 'cuda' })).toThrow(/only 'cpu'/);
  });
});
