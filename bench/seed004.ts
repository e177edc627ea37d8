// Seed 004 side by side in one run: the article's own Keras script on TensorFlow (bench/seed004_keras.py, CPU,
// batch 32 as written) and the nodetorch port in the Model.fit style (examples/seed004-keras-cnn.ts), same
// MNIST files, epochs and threads, alternating, `--rounds` times. Prints per-epoch time (each side's own
// measure: Keras's epoch callback, the port's progress line), the whole script's wall time and peak RSS,
// test accuracy, and the ratios.
//
//   npm run build:ts && node dist/bench/seed004.js [--epochs 1] [--rounds 2] [--threads 2] [--python ~/tf-venv/bin/python]
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
const python = opt('python', path.join(os.homedir(), 'tf-venv', 'bin', 'python'));
const root = path.resolve(__dirname, '..', '..');
const env = { ...process.env, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
const timeBin = fs.existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'maxrss %M'] : [];

interface Sample {
  epochSeconds: number;
  wall: number;
  rssMiB: number;
  accuracy: number;
}
const sides: Record<string, { cmd: string[]; parse(out: string): { epochSeconds: number; accuracy: number } }> = {
  'Keras (TensorFlow)': {
    cmd: [python, path.join(root, 'bench', 'seed004_keras.py'), '--epochs', epochs, '--threads', threads],
    parse: (out) => ({
      epochSeconds: Number(/epoch 0 seconds ([\d.]+)/.exec(out)![1]),
      accuracy: Number(/test accuracy ([\d.]+)/.exec(out)![1]),
    }),
  },
  'nodetorch Model.fit': {
    cmd: [process.execPath, path.join(root, 'dist', 'examples', 'seed004-keras-cnn.js'), '--epochs', epochs],
    parse: (out) => ({
      epochSeconds: Number(/Epoch 1\/\d+ - ([\d.]+)(ms|s)/.exec(out)![1]),
      accuracy: Number(/test loss [\d.]+, accuracy ([\d.]+)%/.exec(out)![1]),
    }),
  },
};
const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? Object.keys(sides) : Object.keys(sides).reverse();
  for (const name of order) {
    const argv = [...timeBin, ...sides[name].cmd];
    const t0 = performance.now();
    const p = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', env });
    const wall = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`${name} failed:\n${p.stderr}`);
    const rss = /maxrss (\d+)/.exec(p.stderr);
    samples[name].push({ ...sides[name].parse(p.stdout), wall, rssMiB: rss ? Number(rss[1]) / 1024 : NaN });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`seed 004 (Keras CNN), ${epochs} epoch(s), batch 32, ${threads} thread(s), ${rounds} round(s) alternating; ${os.cpus()[0].model}`);
console.log('side | epoch s (own measure, with validation) | wall s (whole script) | peak RSS MiB | test accuracy %');
for (const [name, s] of Object.entries(samples)) {
  console.log(`${name} | ${median(s.map((x) => x.epochSeconds)).toFixed(1)} | ${median(s.map((x) => x.wall)).toFixed(1)} | ${median(s.map((x) => x.rssMiB)).toFixed(0)} | ${s.map((x) => x.accuracy).join(', ')}`);
}
const [k, n] = Object.values(samples);
console.log(`ratio nodetorch / Keras: epoch ${(median(n.map((x) => x.epochSeconds)) / median(k.map((x) => x.epochSeconds))).toFixed(2)}, wall ${(median(n.map((x) => x.wall)) / median(k.map((x) => x.wall))).toFixed(2)}, RSS ${(median(n.map((x) => x.rssMiB)) / median(k.map((x) => x.rssMiB))).toFixed(2)}`);
