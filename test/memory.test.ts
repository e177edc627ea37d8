// Native memory is reported to V8, so garbage collection frees tensors that are
// simply dropped: RSS stays bounded without dispose().
import { spawnSync } from 'child_process';
import * as path from 'path';

const DIST = path.join(__dirname, '..', 'dist', 'lib');

function runChild(body: string): { peakMiB: number; out: string } {
  const script = `
    const torch = require(${JSON.stringify(DIST)});
    let peak = 0;
    const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); };
    ${body}
    sample();
    console.log(JSON.stringify({ peakMiB: peak / 2 ** 20 }));
  `;
  // No time limit: the work is bounded by its count, and a busy machine only makes it slower.
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return { ...JSON.parse(last), out: r.stdout };
}

describe('memory', () => {
  test('100,000 tensors of 256 KiB dropped without dispose() keep RSS well under 2 GiB', () => {
    // 100,000 × 256 KiB = 25 GiB allocated in all: more than this machine has.
    const { peakMiB } = runChild(`
      for (let i = 0; i < 100000; i++) {
        const t = torch.empty(65536);   // 65536 float32 = 256 KiB
        t.fill_(i);                     // touch the pages
        if (i % 1000 === 0) sample();
      }
    `);
    console.log(`peak RSS without dispose(): ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(1024);
  });

  test('dispose() and Symbol.dispose free at once', () => {
    const { peakMiB } = runChild(`
      for (let i = 0; i < 2000; i++) {
        const t = torch.empty(4 * 1024 * 1024); // 16 MiB each, 32 GiB in all
        t.fill_(1);
        t.dispose();
        if (i % 100 === 0) sample();
      }
      for (let i = 0; i < 200; i++) {
        const t = torch.empty(4 * 1024 * 1024);
        t.fill_(1);
        t[Symbol.dispose]();            // what \`using t = ...\` calls
      }
    `);
    console.log(`peak RSS with dispose(): ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(600);
  });
});
