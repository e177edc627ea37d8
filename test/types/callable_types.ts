// Compiled (strict, not run) by test/callable.test.ts: the call forms of modules,
// ScriptModules and optimizers type-check without casts, and wrong calls do not.
import * as torch from '../../lib';
import { nn, Tensor } from '../../lib';

class Block extends nn.Module {
  conv = new nn.Conv2d(4, 4, { kernelSize: 3, padding: 1 });
  forward(x: Tensor): Tensor {
    return this.conv(x).relu();
  }
}

class Net extends nn.Module {
  blocks = new nn.ModuleList([new Block(), new Block()]);
  list: nn.Module[] = [new nn.ReLU(), new Block()];
  typed: nn.Module<[Tensor], Tensor>[] = [new nn.Flatten(), new nn.LazyLinear(10)];
  head = new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 10));
  forward(x: Tensor): Tensor {
    for (const b of this.blocks) x = b(x);
    for (const b of this.list) x = b(x);
    for (const b of this.typed) x = b(x);
    x = this.head.at(0)(x);
    return this.head(x);
  }
}

const net = new Net();
const x = torch.randn([2, 4, 8, 8]);
const out: Tensor = net(x);
const criterion = new nn.CrossEntropyLoss();
const loss: Tensor = criterion(out, torch.tensor([1, 2]));
const seqOut: Tensor = net.head(x);
const first: Tensor = net.head.at(0)(x);

// @ts-expect-error a loss takes two tensors
criterion(out);
// @ts-expect-error a Linear returns a Tensor
const notString: string = new nn.Linear(2, 2)(x);
// @ts-expect-error a typed module takes a Tensor
net.typed[0]('not a tensor');

const handle: nn.RemovableHandle = net.registerForwardHook((m, args, output: Tensor) => output.mul(2));
net.registerForwardPreHook((m: Net, [input]: Tensor[]) => [input.neg()]);
net.registerFullBackwardHook((m, gradInput, gradOutput) => {
  void gradInput[0]?.shape;
  void gradOutput.length;
});
handle.remove();

// An Optimizer as a type, without a type argument.
let opt: torch.optim.Optimizer = new torch.optim.SGD(net.parameters(), { lr: 0.1 });
opt = new torch.optim.Adam(net.parameters());
opt.step();

// ScriptModule: typed forward and call.
const sm: torch.jit.ScriptModule = torch.jit.load('model.pt');
const y1: Tensor = sm(x);
const y2: Tensor = sm.forward(x);
const typedSm = torch.jit.load<[Tensor, Tensor], Tensor[]>('pair.pt');
const ys: Tensor[] = typedSm(x, x);
// @ts-expect-error this ScriptModule takes two tensors
typedSm(x);

void [loss, seqOut, first, notString, y1, y2, ys];
