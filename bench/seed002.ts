// Seed 002 side by side, in one run: nodetorch (examples/seed002-net.ts) and
// Python PyTorch (bench/seed002.py) on the same data, batch size, optimizer,
// seed and thread count. Prints seconds per epoch, test accuracy and the ratio.
//
//   npm run build:ts && node dist/bench/seed002.js [--epochs 2] [--threads 2] [--python python3]
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const epochs = opt('epochs', '2');
const threads = opt('threads', String(os.availableParallelism()));
const python = opt('python', process.env.PYTHON ?? 'python3');
const root = path.resolve(__dirname, '..', '..');

interface Run {
  epochSeconds: number[];
  accuracy: number[];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return {
    epochSeconds: [...r.stdout.matchAll(/Train Epoch: \d+ .*\(([\d.]+) s\)/g)].map((m) => Number(m[1])),
    accuracy: [...r.stdout.matchAll(/Test Accuracy: ([\d.]+) %/g)].map((m) => Number(m[1])),
  };
}

const env = { OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
const node = run(process.execPath, [path.join(root, 'dist', 'examples', 'seed002-net.js'), '--epochs', epochs], env);
const py = run(python, [path.join(root, 'bench', 'seed002.py'), '--epochs', epochs, '--threads', threads], env);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`seed 002, batch 64, ${epochs} epoch(s), ${threads} thread(s), ${os.cpus()[0].model}`);
console.log('epoch | nodetorch s | PyTorch s | nodetorch acc % | PyTorch acc %');
node.epochSeconds.forEach((s, i) => console.log(`${i} | ${s.toFixed(1)} | ${py.epochSeconds[i].toFixed(1)} | ${node.accuracy[i]} | ${py.accuracy[i]}`));
console.log(`time ratio nodetorch / PyTorch (mean epoch): ${(mean(node.epochSeconds) / mean(py.epochSeconds)).toFixed(2)}`);
