// Model.fit against the plain loop against PyTorch, side by side in one run:
// for seeds 001 and 002, the seed's own script in Python PyTorch (bench/seed00X.py),
// the line-by-line port (examples/seed00X-*.ts, the plain loop) and the Model.fit
// port (examples/seed00X-*-fit.ts), same data, seed, batch size, epochs and threads,
// run alternately, `--rounds` times each. Prints each script's wall time (the whole
// script: start, training, test) and peak RSS, and the ratios to PyTorch.
//
//   npm run build:ts && node dist/bench/fit.js [--epochs 1] [--rounds 2] [--threads 2] [--python ~/torch-venv/bin/python]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const epochs = opt('epochs', '1');
const rounds = Number(opt('rounds', '2'));
const threads = opt('threads', String(os.availableParallelism()));
const python = opt('python', process.env.PYTHON ?? 'python3');
const root = path.resolve(__dirname, '..', '..');
const env = { ...process.env, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Config {
  seed: string;
  name: string;
  cmd: string[];
}
const node = (script: string, ...args: string[]) => [process.execPath, path.join(root, 'dist', 'examples', `${script}.js`), ...args];
const configs: Config[] = [
  { seed: '001', name: 'PyTorch', cmd: [python, path.join(root, 'bench', 'seed001.py'), '--epochs', epochs, '--threads', threads] },
  { seed: '001', name: 'plain loop', cmd: node('seed001-convnet', '--epochs', epochs) },
  { seed: '001', name: 'Model.fit', cmd: node('seed001-convnet-fit', '--epochs', epochs) },
  { seed: '002', name: 'PyTorch', cmd: [python, path.join(root, 'bench', 'seed002.py'), '--epochs', epochs, '--threads', threads] },
  { seed: '002', name: 'plain loop', cmd: node('seed002-net', '--epochs', epochs) },
  { seed: '002', name: 'Model.fit', cmd: node('seed002-net-fit', '--epochs', epochs, '--finetune-epochs', '0') },
];

interface Sample {
  seconds: number;
  rssMiB: number;
  out: string;
}
function runOnce(c: Config): Sample {
  const argv = timeBin ? [timeBin, '-f', 'maxrss %M', ...c.cmd] : c.cmd;
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${c.cmd.join(' ')} failed:\n${r.stderr}`);
  const rss = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, out: r.stdout };
}

const samples = new Map<Config, Sample[]>(configs.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  // alternate the order from round to round, so that neither side always runs first
  const order = round % 2 === 0 ? configs : [...configs].reverse();
  for (const c of order) samples.get(c)!.push(runOnce(c));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const accuracy = (out: string) => /Accuracy[^:]*: ([\d.]+) ?%/.exec(out.split('\n').filter((l) => /Accuracy/.test(l)).pop() ?? '')?.[1] ?? '?';
console.log(`Model.fit vs plain loop vs PyTorch ${fs.existsSync(python) || python === 'python3' ? '' : '(python: ' + python + ')'}`);
console.log(`${epochs} epoch(s), batch 64, ${threads} thread(s), ${rounds} round(s) alternating, median wall time of the whole script; ${os.cpus()[0].model}`);
console.log('seed | script | wall s | ratio to PyTorch | ratio to plain loop | peak RSS MiB | RSS ratio to PyTorch | test accuracy %');
for (const seed of ['001', '002']) {
  const of = (name: string) => configs.find((c) => c.seed === seed && c.name === name)!;
  const py = samples.get(of('PyTorch'))!;
  const plain = samples.get(of('plain loop'))!;
  for (const c of configs.filter((x) => x.seed === seed)) {
    const s = samples.get(c)!;
    const t = median(s.map((x) => x.seconds));
    const rss = median(s.map((x) => x.rssMiB));
    console.log(
      `${seed} | ${c.name} | ${t.toFixed(1)} | ${(t / median(py.map((x) => x.seconds))).toFixed(2)} | ${(t / median(plain.map((x) => x.seconds))).toFixed(2)} | ${rss.toFixed(0)} | ${(rss / median(py.map((x) => x.rssMiB))).toFixed(2)} | ${accuracy(s[0].out)}`,
    );
  }
}
