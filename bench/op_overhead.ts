// Per-operator overhead, side by side in one run: the same small-tensor
// operator loops in nodetorch and in Python PyTorch (bench/op_overhead.py),
// one thread each, best of several rounds. Prints a table of microseconds per
// operator and the ratio; the figures in docs/benchmarks.md come from it.
//
//   npx tsc -p tsconfig.json && node dist/bench/op_overhead.js [--iters 100000] [--rounds 5] [--python python3 | none]
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';

const { F } = torch;

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const iters = Number(opt('iters', '100000'));
const rounds = Number(opt('rounds', '5'));
const python = opt('python', process.env.PYTHON ?? 'python3');
torch.setNumThreads(1);
torch.manualSeed(0);

const a = torch.rand(4, 4);
const b = torch.rand(4, 4);
const x = torch.rand(1, 1, 8, 8);
const w = torch.rand(4, 1, 3, 3);
const cases: Record<string, () => unknown> = {
  add: () => a.add(b),
  'mul by scalar': () => a.mul(2.5),
  matmul: () => a.matmul(b),
  relu: () => a.relu(),
  sum: () => a.sum(),
  view: () => a.view(16),
  'sum + item': () => b.sum().item(),
  'conv2d 1x1x8x8, 4 filters 3x3': () => F.conv2d(x, w),
};

function best(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  let out = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    out = Math.min(out, Number(process.hrtime.bigint() - t) / n);
  }
  return out / 1000;
}

const ours: Record<string, number> = {};
for (const [name, fn] of Object.entries(cases)) ours[name] = best(fn, name.startsWith('conv') ? iters / 10 : iters);

let theirs: Record<string, number> | null = null;
if (python !== 'none') {
  const script = path.resolve(__dirname, '..', '..', 'bench', 'op_overhead.py');
  const r = spawnSync(python, [script, '--iters', String(iters), '--rounds', String(rounds)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`${python} ${script} failed:\n${r.stderr}`);
  theirs = JSON.parse(r.stdout.trim().split('\n').pop()!);
}

console.log(`per-operator time, 1 thread, ${iters} iterations (conv: ${iters / 10}), best of ${rounds}; ${os.cpus()[0].model}; Node ${process.version}`);
console.log('| operator | nodetorch µs | PyTorch µs | nodetorch / PyTorch |');
console.log('|---|---:|---:|---:|');
for (const name of Object.keys(cases)) {
  const p = theirs?.[name];
  console.log(`| ${name} | ${ours[name].toFixed(2)} | ${p === undefined ? '–' : p.toFixed(2)} | ${p === undefined ? '–' : (ours[name] / p).toFixed(2)} |`);
}
