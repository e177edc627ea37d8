// Trains a small model for a few steps and writes it in each format, for
// scripts/check_roundtrip.py to load in Python PyTorch:
//   node dist/examples/write-checkpoints.js OUT_DIR
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
const { nn, F } = torch;

const out = process.argv[2];
if (!out) throw new Error('usage: write-checkpoints.js OUT_DIR');
fs.mkdirSync(out, { recursive: true });

class Small extends nn.Module {
  conv = new nn.Conv2d(1, 4, { kernelSize: 3 });
  bn = new nn.BatchNorm2d(4);
  fc = new nn.Linear(4 * 4 * 4, 3);
  forward(x: torch.Tensor): torch.Tensor {
    x = F.maxPool2d(F.relu(this.bn.forward(this.conv.forward(x))), 2);
    return this.fc.forward(x.flatten(1));
  }
}

torch.manualSeed(7);
const model = new Small();
const opt = new torch.optim.AdamW(model.parameters(), { lr: 0.01 });
for (let i = 0; i < 5; i++) {
  opt.zeroGrad();
  F.crossEntropy(model.forward(torch.randn(8, 1, 10, 10)), torch.randint(0, 3, [8])).backward();
  opt.step();
}
model.eval();
const probe = torch.randn(2, 1, 10, 10);
torch.save(model.stateDict(), path.join(out, 'small.pt'));
torch.save(model.stateDict(), path.join(out, 'small.safetensors'));

// Fine-tune the head of the TorchScript module Python wrote, and save it back.
const scripted = torch.jit.load(path.join(__dirname, '..', '..', 'test', 'fixtures', 'py_small_scripted.pt'));
scripted.freeze(['conv', 'bn']);
const sopt = new torch.optim.SGD(scripted.trainableParameters(), { lr: 0.1 });
scripted.train();
for (let i = 0; i < 3; i++) {
  sopt.zeroGrad();
  F.crossEntropy(scripted.forward(torch.randn(8, 1, 10, 10)) as torch.Tensor, torch.randint(0, 3, [8])).backward();
  sopt.step();
}
scripted.eval();
scripted.save(path.join(out, 'tuned_scripted.pt'));

const enc = (t: torch.Tensor) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.flatten().toTypedArray() as Float32Array) });
fs.writeFileSync(
  path.join(out, 'expected.json'),
  JSON.stringify({ probe: enc(probe), output: enc(model.forward(probe)), scripted_output: enc(scripted.forward(probe) as torch.Tensor) }),
);
console.log(`wrote small.pt, small.safetensors, tuned_scripted.pt and expected.json to ${out}`);
