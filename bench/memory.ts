// Memory pressure as V8 sees it: garbage collections and time for loops that
// make many handles of few storages (views, expand, .grad reads), and RSS per
// epoch of a long seed-002 run.
//
//   npx tsc -p tsconfig.json && node dist/bench/memory.js [--iters 20000] [--rss-epochs 20]
import { spawnSync } from 'child_process';
import * as path from 'path';
import { PerformanceObserver } from 'perf_hooks';
import * as torch from '../lib';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const iters = Number(opt('iters', '20000'));
const rssEpochs = Number(opt('rss-epochs', '0'));

let gcs = 0;
const obs = new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
});
obs.observe({ entryTypes: ['gc'] });

async function measure(name: string, body: () => void): Promise<void> {
  await new Promise((r) => setImmediate(r)); // let earlier GC entries arrive
  const g0 = gcs;
  const t0 = performance.now();
  body();
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setImmediate(r));
  console.log(`${name} | ${iters} | ${gcs - g0} | ${seconds.toFixed(2)}`);
}

(async () => {
  console.log('loop | iterations | garbage collections | seconds');
  const base = torch.zeros(1);
  await measure('zeros(1).expand(2**28) views', () => {
    for (let i = 0; i < iters; i++) base.expand(2 ** 28);
  });
  const m = torch.zeros(1024, 1024);
  await measure('view of a 4 MiB tensor', () => {
    for (let i = 0; i < iters; i++) m.view(-1);
  });
  const p = torch.zeros(262144, { requiresGrad: true });
  p.sum().backward();
  await measure('.grad reads (1 MiB gradient)', () => {
    for (let i = 0; i < iters; i++) void p.grad;
  });
  await measure('detach() of a 4 MiB tensor', () => {
    for (let i = 0; i < iters; i++) m.detach();
  });
  obs.disconnect();

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
