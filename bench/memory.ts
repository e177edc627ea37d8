// Memory pressure as V8 sees it: garbage collections and time for loops that
// make many handles of few storages (views, expand, .grad reads), and RSS per
// epoch of a long seed-002 run.
//
//   npx tsc -p tsconfig.json && node dist/bench/memory.js [--iters 20000] [--rss-epochs 20]
import { spawnSync } from 'child_process';
import * as path from 'path';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const iters = Number(opt('iters', '20000'));
const rssEpochs = Number(opt('rss-epochs', '0'));
// Another build's dist/lib, to compare before and after a change.
const dist = path.resolve(opt('dist', path.join(__dirname, '..', 'lib')));

const LOOPS: [string, string, string][] = [
  ['zeros(1).expand(2**28) views', 'const base = torch.zeros(1);', 'base.expand(2 ** 28);'],
  ['view of a 4 MiB tensor', 'const m = torch.zeros(1024, 1024);', 'm.view(-1);'],
  ['.grad reads (1 MiB gradient)', 'const p = torch.zeros(262144, { requiresGrad: true }); p.sum().backward();', 'void p.grad;'],
  ['detach() of a 4 MiB tensor', 'const m = torch.zeros(1024, 1024);', 'm.detach();'],
];

/** Garbage collections (counted from --trace-gc) and seconds of `iters` runs of `step`. */
function measure(setup: string, step: string): { gcs: number; seconds: number } {
  const script = `
    const torch = require(${JSON.stringify(dist)});
    ${setup}
    console.log('--- begin');
    const t0 = performance.now();
    for (let i = 0; i < ${iters}; i++) { ${step} }
    const seconds = (performance.now() - t0) / 1000;
    console.log('--- end');
    console.log(JSON.stringify({ seconds }));
  `;
  const r = spawnSync(process.execPath, ['--trace-gc', '-e', script], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  const lines = r.stdout.trim().split('\n');
  const during = lines.slice(lines.indexOf('--- begin'), lines.indexOf('--- end'));
  return { gcs: during.filter((l) => /ms: (Scavenge|Mark-Compact|Mark-Sweep|Minor)/i.test(l)).length, ...JSON.parse(lines.filter((l) => l.startsWith('{')).pop()!) };
}

(() => {
  console.log(`build: ${dist}`);
  console.log('loop | iterations | garbage collections | seconds');
  for (const [name, setup, step] of LOOPS) {
    const r = measure(setup, step);
    console.log(`${name} | ${iters} | ${r.gcs} | ${r.seconds.toFixed(2)}`);
  }

  if (rssEpochs > 0) {
    const root = path.resolve(__dirname, '..', '..');
    const r = spawnSync(process.execPath, ['-r', path.join(__dirname, 'rss_preload.js'), path.join(root, 'dist', 'examples', 'seed002-net.js'), '--epochs', String(rssEpochs)], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const rss = [...r.stdout.matchAll(/Train Epoch: (\d+).*\[rss ([\d.]+) MiB\]/g)].map((x) => Number(x[2]));
    console.log(`\nseed 002, ${rssEpochs} epochs: RSS after each epoch (MiB): ${rss.map((x) => x.toFixed(0)).join(', ')}`);
    const after2 = rss.slice(2);
    const mid = (Math.max(...after2) + Math.min(...after2)) / 2;
    console.log(`after epoch 2: ${Math.min(...after2).toFixed(0)}–${Math.max(...after2).toFixed(0)} MiB, ±${((100 * (Math.max(...after2) - mid)) / mid).toFixed(1)}% around the middle`);
  }
})();
