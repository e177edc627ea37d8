// A Sequential of built-in layers run as one native program vs the same layers
// called one by one from TypeScript (each operator a separate N-API call).
// Usage: node dist/bench/module_forward.js [--batch 64] [--iters 300] [--threads 2]
import * as torch from '../lib';

const { nn } = torch;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function model(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.Conv2d(32, 64, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Dropout(0.25), new nn.Flatten(), new nn.Linear(9216, 128), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(128, 10),
  );
}
function mlp(): torch.nn.Sequential {
  const layers: torch.nn.Module[] = [new nn.Flatten()];
  for (let i = 0; i < 8; i++) layers.push(new nn.Linear(i ? 64 : 784, 64), new nn.LayerNorm(64), new nn.GELU());
  layers.push(new nn.Linear(64, 10));
  return new nn.Sequential(...layers);
}

function eager(m: torch.nn.Sequential, x: torch.Tensor): torch.Tensor {
  return m.children().reduce((acc, c) => (c as unknown as { forward(t: torch.Tensor): torch.Tensor }).forward(acc), x);
}

function time(label: string, iters: number, step: () => void): number {
  for (let i = 0; i < 5; i++) step();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) step();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / iters;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3)} ms/iter`);
  return ms;
}

const batch = arg('batch', 64);
const iters = arg('iters', 300);
torch.setNumThreads(arg('threads', 2));
for (const [name, make, shape, n] of [
  ['seed002 CNN (forward+backward)', model, [batch, 1, 28, 28], Math.max(10, Math.floor(iters / 20))],
  ['8-block MLP, 25 layers (forward+backward)', mlp, [batch, 1, 28, 28], iters],
] as const) {
  const m = make();
  const x = torch.randn(...(shape as readonly number[] as number[]));
  const js = time(`${name}, TypeScript`, n, () => {
    eager(m, x).sum().backward();
    m.zeroGrad();
  });
  const nat = time(`${name}, native program`, n, () => {
    m.forward(x).sum().backward();
    m.zeroGrad();
  });
  console.log(`  ratio native/TypeScript: ${(nat / js).toFixed(2)}`);
}
