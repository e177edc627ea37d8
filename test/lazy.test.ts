// nn.LazyLinear / nn.LazyConv2d: shapes inferred at the first call, initial
// values drawn as PyTorch's lazy layers draw them (scripts/make_hooks_fixtures.py).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { nn, Tensor } from '../lib';
import { decode, Encoded, maxAbsDiff } from './helpers';

interface LazyFixtures {
  linear: { x: Encoded; weight: Encoded; bias: Encoded; y: Encoded; eagerWeight: Encoded };
  conv: { x: Encoded; weight: Encoded; bias: Encoded; y: Encoded };
  sequential: { x: Encoded; y: Encoded; stateDict: Record<string, Encoded> };
}
const fx: LazyFixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'hooks.json'), 'utf8')).lazy;
const TOL = 1e-6;

describe('lazy layers', () => {
  test("LazyLinear and LazyConv2d draw PyTorch's weights at the first call and become Linear / Conv2d", () => {
    torch.manualSeed(2);
    const lin = new nn.LazyLinear(3);
    const conv = new nn.LazyConv2d(4, 3, { stride: 2, padding: 1, bias: true });
    expect(lin.hasUninitializedParams()).toBe(true);
    expect(lin.weight).toBeInstanceOf(nn.UninitializedParameter);
    expect(String(lin)).toBe('LazyLinear(inFeatures=<uninitialized>, outFeatures=3, bias=true)');
    const weight = lin.weight;
    const x = torch.randn([2, 5]);
    const xc = torch.randn([1, 2, 6, 6]);
    const y = lin(x);
    const yc = conv(xc);
    expect(maxAbsDiff(lin.weight, fx.linear.weight)).toBe(0);
    expect(maxAbsDiff(lin.bias!, fx.linear.bias)).toBe(0);
    expect(maxAbsDiff(y, fx.linear.y)).toBeLessThan(TOL);
    expect(maxAbsDiff(conv.weight, fx.conv.weight)).toBe(0);
    expect(maxAbsDiff(conv.bias!, fx.conv.bias)).toBe(0);
    expect(maxAbsDiff(yc, fx.conv.y)).toBeLessThan(TOL);
    // Became the eager layers (PyTorch's cls_to_become), keeping the Parameter objects.
    expect(lin).toBeInstanceOf(nn.Linear);
    expect(conv).toBeInstanceOf(nn.Conv2d);
    expect(lin.weight).toBe(weight);
    expect(lin.weight).not.toBeInstanceOf(nn.UninitializedParameter);
    expect(lin.hasUninitializedParams).toBeUndefined();
    expect(String(lin)).toBe('Linear(inFeatures=5, outFeatures=3, bias=true)');
    expect((lin as unknown as nn.Linear).inFeatures).toBe(5);
    expect((conv as unknown as nn.Conv2d).inChannels).toBe(2);
    expect(lin(x).equal(y)).toBe(true);
  });

  test('the same draws as the eager layer from the same random state', () => {
    const x = torch.ones([1, 5]);
    torch.manualSeed(2);
    const eager = new nn.Linear(5, 3);
    torch.manualSeed(2);
    const lazy = new nn.LazyLinear(3);
    lazy(x);
    expect(maxAbsDiff(eager.weight, fx.linear.eagerWeight)).toBe(0);
    expect(lazy.weight.equal(eager.weight)).toBe(true);
    expect(lazy.bias!.equal(eager.bias!)).toBe(true);
  });

  test('a Keras-style model: the flatten size is inferred, inside a native Sequential', () => {
    torch.manualSeed(3);
    const seq = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.LazyLinear(4), new nn.ReLU(), new nn.LazyLinear(2));
    const x = torch.randn([3, 1, 6, 6]);
    expect(maxAbsDiff(seq(x), fx.sequential.y)).toBeLessThan(TOL);
    expect(maxAbsDiff(seq(x), fx.sequential.y)).toBeLessThan(TOL); // now one compiled program
    const sd = seq.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(fx.sequential.stateDict));
    for (const [k, v] of Object.entries(fx.sequential.stateDict)) expect(maxAbsDiff(sd[k], v)).toBe(0);
    expect(seq.numParameters().total).toBe(2 * 9 + 2 + 32 * 4 + 4 + 4 * 2 + 2);
  });

  test('an optimizer made before the first call trains the materialised parameters', () => {
    torch.manualSeed(0);
    const lin = new nn.LazyLinear(1);
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.5 });
    expect(lin.numParameters().total).toBe(0); // placeholders
    const x = torch.ones([1, 2]);
    lin(x).sum().backward();
    const before = lin.bias!.clone();
    opt.step();
    expect(lin.bias!.sub(before).item()).toBeCloseTo(-0.5, 6);
    expect(lin.numParameters().total).toBe(3);
  });

  test('stateDict of an uninitialised layer holds empty placeholders; loading a checkpoint materialises it', () => {
    const lazy = new nn.Sequential(new nn.LazyLinear(3), new nn.ReLU(), new nn.LazyConv2d(2, 1));
    const sd = lazy.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(sd['0.weight'].shape).toEqual([0]);
    torch.manualSeed(4);
    const eager = new nn.Sequential(new nn.Linear(5, 3), new nn.ReLU(), new nn.Conv2d(4, 2, 1));
    lazy.loadStateDict(eager.stateDict());
    expect(lazy.at(0)).toBeInstanceOf(nn.Linear);
    expect(lazy.at(2)).toBeInstanceOf(nn.Conv2d);
    const x = torch.randn([1, 4, 2, 5]);
    expect(lazy(x).equal(eager(x))).toBe(true);
  });

  test('.to() before the first call gives the materialised parameters that dtype', () => {
    const lin = new nn.LazyLinear(2).to('float64');
    const y = lin(torch.ones([1, 3], { dtype: 'float64' }));
    expect(lin.weight.dtype).toBe('float64');
    expect(y.dtype).toBe('float64');
  });

  test('calling rule and errors', () => {
    expect(new nn.LazyLinear({ outFeatures: 2, bias: false }).bias).toBeNull();
    expect(new nn.LazyLinear(2, false).bias).toBeNull();
    expect(() => new nn.LazyLinear({ out_features: 2 } as never)).toThrow(/unknown option 'out_features' \(did you mean 'outFeatures'\?\)/);
    expect(() => new nn.LazyLinear(2, { bias: 1 } as never)).toThrow(/bias must be a boolean/);
    expect(() => new (nn.LazyLinear as unknown as new () => unknown)()).toThrow(/'outFeatures' is required/);
    expect(() => new nn.LazyLinear(2.5)).toThrow(/outFeatures must be an integer >= 0/);
    const c = new nn.LazyConv2d(3, 2, 1, 0, 1, 1, false);
    expect(c.bias).toBeNull();
    expect(() => new nn.LazyConv2d(3, { kernelSize: 2, kernel_size: 2 } as never)).toThrow(/did you mean 'kernelSize'/);
    expect(() => new nn.LazyConv2d(3, 2, { stride: 1, kernelSize: 2 } as never)).toThrow(/'kernelSize' given both positionally and as an option/);
    expect(() => new nn.LazyConv2d(4, 3)(torch.ones([2, 2]))).toThrow(/Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d/);
    const unbatched = new nn.LazyConv2d(2, 1);
    unbatched(torch.ones([3, 4, 4]));
    expect((unbatched as unknown as nn.Conv2d).inChannels).toBe(3);
  });

  test('forward hooks registered before materialisation keep working after', () => {
    const lin = new nn.LazyLinear(2);
    const seen: number[][] = [];
    lin.registerForwardHook((_m, _a, out: Tensor) => void seen.push(out.shape));
    lin(torch.ones([4, 3]));
    lin(torch.ones([1, 3]));
    expect(seen).toEqual([[4, 2], [1, 2]]);
  });
});
