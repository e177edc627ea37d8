import * as torch from '../lib';

const { nn, optim, F } = torch;

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 10, { kernelSize: 5 });
  conv2 = new nn.Conv2d(10, 20, { kernelSize: 5 });
  fc1 = new nn.Linear(320, 50);
  fc2 = new nn.Linear(50, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = F.relu(F.maxPool2d(this.conv1.forward(x), 2));
    x = F.relu(F.maxPool2d(this.conv2.forward(x), 2));
    x = F.relu(this.fc1.forward(x.view(-1, 320)));
    return F.logSoftmax(this.fc2.forward(x), { dim: 1 });
  }
}

describe('nn.Module', () => {
  test("parameters are found from fields, with PyTorch's names and order", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['conv1.weight', [10, 1, 5, 5]],
      ['conv1.bias', [10]],
      ['conv2.weight', [20, 10, 5, 5]],
      ['conv2.bias', [20]],
      ['fc1.weight', [50, 320]],
      ['fc1.bias', [50]],
      ['fc2.weight', [10, 50]],
      ['fc2.bias', [10]],
    ]);
    expect(net.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    expect(net.numParameters().total).toBe(21840); // as in PyTorch
  });

  test('train()/eval() propagate; forward gives log-probabilities', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.fc2.training).toBe(true);
    const out = net.forward(torch.randn(3, 1, 28, 28));
    expect(out.shape).toEqual([3, 10]);
    expect(out.exp().sum(1).sub(1).abs().max().item()).toBeLessThan(1e-5);
  });

  test('Sequential names children 0, 1, … and chains them', () => {
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.forward(torch.ones(5, 4)).shape).toEqual([5, 2]);
    expect(seq.length).toBe(3);
  });

  test('replacing a layer by assignment replaces its parameters', () => {
    const net = new Net();
    net.fc2 = new nn.Linear(50, 3);
    expect(net.namedParameters().find(([n]) => n === 'fc2.weight')![1].shape).toEqual([3, 50]);
  });

  test('Module.to(dtype) casts the parameters', () => {
    const lin = new nn.Linear(2, 2).to('float64');
    expect(lin.weight.dtype).toBe('float64');
    expect(lin.weight).toBeInstanceOf(nn.Parameter);
    expect(lin.forward(torch.ones(1, 2, { dtype: 'float64' })).dtype).toBe('float64');
  });

  test('frozen parameters get no gradient and SGD leaves them bit-identical', () => {
    torch.manualSeed(0);
    const net = new Net();
    for (const p of net.conv1.parameters()) p.requiresGrad = false;
    const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.5 });
    const before = net.conv1.weight.clone();
    const fcBefore = net.fc1.weight.clone();
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      F.nllLoss(net.forward(torch.randn(4, 1, 28, 28)), torch.tensor([1, 2, 3, 4])).backward();
      opt.step();
    }
    expect(net.conv1.weight.grad).toBeNull();
    expect(net.conv1.weight.equal(before)).toBe(true);
    expect(net.fc1.weight.equal(fcBefore)).toBe(false);
  });

  test('zeroGrad clears or zeroes gradients', () => {
    const lin = new nn.Linear(2, 1);
    lin.forward(torch.ones(1, 2)).sum().backward();
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad!.abs().sum().item()).toBe(0);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
  });

  test('parameter groups take their own learning rates', () => {
    const a = new torch.Parameter(torch.ones(1));
    const b = new torch.Parameter(torch.ones(1));
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    a.grad = torch.ones(1);
    b.grad = torch.ones(1);
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 6);
    expect(b.item()).toBeCloseTo(0, 6);
    opt.paramGroups[0].lr = 0.5; // schedulers change group.lr between steps
    opt.step();
    expect(a.item()).toBeCloseTo(0.4, 6);
  });
});
