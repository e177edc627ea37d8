import * as torch from '../lib';

const { nn, F } = torch;

class Block extends nn.Module {
  conv = new nn.Conv2d(3, 3, { kernelSize: 3, padding: 1, bias: false });
  bn = new nn.BatchNorm2d(3);
  forward(x: torch.Tensor): torch.Tensor {
    return F.relu(this.bn.forward(this.conv.forward(x)));
  }
}
class Net extends nn.Module {
  stem = new nn.Conv2d(1, 3, { kernelSize: 3 });
  layer1 = new nn.Sequential(new Block(), new Block());
  heads = new nn.ModuleDict({ digits: new nn.Linear(3, 10), parity: new nn.Linear(3, 2) });
  extra = new nn.ModuleList([new nn.ReLU(), new nn.Identity()]);
  pool = new nn.AdaptiveAvgPool2d(1);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.layer1.forward(this.stem.forward(x));
    for (const m of this.extra) x = (m as torch.nn.ReLU).forward(x);
    return (this.heads.get('digits') as torch.nn.Linear).forward(this.pool.forward(x).flatten(1));
  }
}

describe('nn.Module, complete', () => {
  test("state-dict keys are PyTorch's, buffers included (torchvision-style names)", () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      'stem.weight', 'stem.bias',
      'layer1.0.conv.weight', 'layer1.0.bn.weight', 'layer1.0.bn.bias', 'layer1.0.bn.running_mean', 'layer1.0.bn.running_var', 'layer1.0.bn.num_batches_tracked',
      'layer1.1.conv.weight', 'layer1.1.bn.weight', 'layer1.1.bn.bias', 'layer1.1.bn.running_mean', 'layer1.1.bn.running_var', 'layer1.1.bn.num_batches_tracked',
      'heads.digits.weight', 'heads.digits.bias', 'heads.parity.weight', 'heads.parity.bias',
    ]);
    expect(net.namedBuffers().length).toBe(6);
    expect(net.buffers()[0].shape).toEqual([3]);
    expect(net.namedModules().map(([n]) => n)).toContain('layer1.1.bn');
    expect(net.forward(torch.randn(2, 1, 8, 8)).shape).toEqual([2, 10]);
  });

  test('loadStateDict reports missing and unexpected keys, strict or not, and checks shapes', () => {
    const a = new Net();
    const b = new Net();
    const sd = a.stateDict();
    delete sd['stem.bias'];
    sd['bogus.weight'] = torch.ones(1);
    expect(() => b.loadStateDict(sd)).toThrow(/Missing key\(s\) in state_dict: "stem.bias"[\s\S]*Unexpected key\(s\) in state_dict: "bogus.weight"/);
    expect(b.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['stem.bias'], unexpectedKeys: ['bogus.weight'] });
    expect(b.stem.weight.equal(a.stem.weight)).toBe(true);
    const wrong = a.stateDict();
    wrong['stem.weight'] = torch.ones(4, 1, 3, 3);
    expect(() => b.loadStateDict(wrong)).toThrow(/size mismatch for stem.weight: copying a param with shape \[4, 1, 3, 3\]/);
  });

  test('freeze by patterns: frozen weights stay bit-identical, BatchNorm statistics too, the rest trains', () => {
    torch.manualSeed(0);
    const net = new Net();
    net.freeze(['stem', 'layer1.*']);
    expect(net.trainableParameters().map((p) => p.shape)).toEqual([[10, 3], [10], [2, 3], [2]]);
    const before = net.stateDict();
    for (const k in before) before[k] = before[k].clone();
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
    net.train();
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      F.crossEntropy(net.forward(torch.randn(4, 1, 8, 8)), torch.tensor([1, 2, 3, 4])).backward();
      opt.step();
    }
    const after = net.stateDict();
    for (const k of Object.keys(before)) {
      const same = after[k].equal(before[k]);
      expect([k, same]).toEqual([k, !k.startsWith('heads.digits')]);
    }
    net.unfreeze('layer1');
    expect(net.layer1.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect((net.layer1.at(0) as Block).bn.statsFrozen).toBe(false);
    expect(() => net.freeze('nope')).toThrow(/no parameter matches 'nope'/);
  });

  test('freezeBatchNorm: false lets frozen batch norm keep updating its statistics', () => {
    const block = new Block();
    block.freeze(undefined, { freezeBatchNorm: false });
    block.train().forward(torch.randn(2, 3, 4, 4).add(3));
    expect(block.bn.running_mean!.abs().sum().item()).toBeGreaterThan(0);
  });

  test('Sequential from a record, ModuleList and ModuleDict, apply, registerBuffer, summary', () => {
    const seq = new nn.Sequential({ fc: new nn.Linear(4, 3), act: new nn.GELU(), out: new nn.Linear(3, 2) });
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias', 'out.weight', 'out.bias']);
    const seen: string[] = [];
    seq.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'GELU', 'Linear', 'Sequential']);
    seq.apply((m) => m instanceof nn.Linear && nn.init.zeros_(m.weight));
    expect(seq.forward(torch.ones(1, 4)).abs().sum().item()).toBeGreaterThanOrEqual(0);
    expect((seq.at(0) as torch.nn.Linear).weight.abs().sum().item()).toBe(0);
    class WithBuffer extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('scale', torch.full([1], 2, { dtype: 'float32' }));
        this.registerBuffer('cache', torch.zeros(1), { persistent: false });
      }
      forward(x: torch.Tensor) {
        return x;
      }
    }
    const wb = new WithBuffer();
    expect(Object.keys(wb.stateDict())).toEqual(['scale']);
    expect(wb.namedBuffers().map(([n]) => n)).toEqual(['scale', 'cache']);
    const s = new Net().summary([1, 1, 8, 8]);
    expect(s).toMatch(/layer1\.0\.conv\s+Conv2d\s+\[1, 3, 6, 6\]\s+81/);
    expect(s).toMatch(/heads\.digits\s+Linear\s+\[1, 10\]\s+40/);
    expect(s).toMatch(/Total params: 252/);
  });

  test('layers run with PyTorch shapes; Conv2d padding modes', () => {
    const x = torch.randn(2, 4, 8, 8);
    expect(new nn.AvgPool2d(2).forward(x).shape).toEqual([2, 4, 4, 4]);
    expect(new nn.AdaptiveMaxPool2d([2, 3]).forward(x).shape).toEqual([2, 4, 2, 3]);
    expect(new nn.LayerNorm([8, 8]).forward(x).shape).toEqual([2, 4, 8, 8]);
    expect(new nn.GroupNorm(2, 4).forward(x).shape).toEqual([2, 4, 8, 8]);
    expect(new nn.Unflatten(1, [2, 2]).forward(x).shape).toEqual([2, 2, 2, 8, 8]);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 256]);
    const d = new nn.Dropout2d(0.5).eval();
    expect(d.forward(x).equal(x)).toBe(true);
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      expect(new nn.Conv2d(4, 2, { kernelSize: 3, padding: 1, paddingMode: mode }).forward(x).shape).toEqual([2, 2, 8, 8]);
    }
    expect(new nn.Conv2d(4, 2, { kernelSize: 3, padding: 'same' }).forward(x).shape).toEqual([2, 2, 8, 8]);
    const bn1 = new nn.BatchNorm1d(3);
    expect(bn1.forward(torch.randn(5, 3)).shape).toEqual([5, 3]);
    expect(() => bn1.forward(torch.randn(5, 3, 2, 2))).toThrow(/BatchNorm1d expects 2D or 3D input, got 4D/);
  });

  test('focal loss with gamma 0 and no alpha is cross-entropy; larger gamma down-weights easy examples', () => {
    const logits = torch.randn(6, 4);
    const t = torch.tensor([0, 1, 2, 3, 0, 1]);
    expect(F.focalLoss(logits, t, { gamma: 0 }).sub(F.crossEntropy(logits, t)).abs().item()).toBeLessThan(1e-6);
    expect(F.focalLoss(logits, t, { gamma: 2 }).item()).toBeLessThan(F.crossEntropy(logits, t).item());
    const alpha = torch.tensor([1, 0, 0, 0], { dtype: 'float32' });
    const only0 = F.focalLoss(logits, t, { gamma: 0, alpha, reduction: 'sum' }).item();
    expect(only0).toBeCloseTo(F.crossEntropy(logits, t, { reduction: 'none' }).indexSelect(0, torch.tensor([0, 4])).sum().item(), 5);
    expect(new nn.FocalLoss({ gamma: 0 }).forward(logits, t).sub(new nn.CrossEntropyLoss().forward(logits, t)).abs().item()).toBeLessThan(1e-6);
  });

  test('optimizer state dicts round-trip, and discriminative learning rates by group', () => {
    const net = new Net();
    const opt = new torch.optim.Adam([{ params: net.stem.parameters(), lr: 1e-4 }, { params: net.heads.parameters() }], { lr: 1e-2 });
    F.crossEntropy(net.forward(torch.randn(2, 1, 8, 8)), torch.tensor([1, 2])).backward();
    opt.step();
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.lr)).toEqual([1e-4, 1e-2]);
    expect(sd.param_groups[1].params).toEqual([2, 3, 4, 5]);
    expect(Object.keys(sd.state[0])).toEqual(['exp_avg', 'exp_avg_sq', 'step']);
    const opt2 = new torch.optim.Adam([{ params: net.stem.parameters(), lr: 5 }, { params: net.heads.parameters() }], { lr: 5 });
    opt2.loadStateDict(sd);
    expect(opt2.paramGroups.map((g) => g.lr)).toEqual([1e-4, 1e-2]);
    expect((opt2.state.get(net.stem.weight)!.expAvg as torch.Tensor).equal(opt.state.get(net.stem.weight)!.expAvg as torch.Tensor)).toBe(true);
    expect(() => new torch.optim.Adam(net.parameters(), { betas: [1.5, 0.9] } as never)).toThrow(/betas must be two numbers in \[0, 1\)/);
    expect(() => new torch.optim.SGD(net.parameters(), { lr: 0.1, momentun: 0.9 } as never)).toThrow(/unknown option 'momentun'/);
  });
});
