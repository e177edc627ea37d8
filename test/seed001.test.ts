// Seed 001, converted mechanically by docs/porting.md's rules
// (examples/seed001-convnet.ts), gives PyTorch's own numbers for the same seed:
// the epoch's mean loss digit for digit and the same test digits right.
// The figures come from bench/seed001.py (test/fixtures/seed001.json says how).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'seed001.json'), 'utf8')) as {
  epochs: number;
  seed: number;
  epochLoss: number[];
  correct: number;
  total: number;
};

test('seed 001 ported by the rules reproduces PyTorch 2.11: loss and accuracy', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-seed001-'));
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'examples', 'seed001-convnet.js'), '--epochs', String(fixture.epochs), '--seed', String(fixture.seed)], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '2' },
    });
    expect(r.status).toBe(0);
    console.log(r.stdout);
    const losses = [...r.stdout.matchAll(/Epoch \d+, Loss: ([\d.e+-]+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(fixture.epochs);
    losses.forEach((l, i) => expect(l).toBeCloseTo(fixture.epochLoss[i], 12));
    const m = /Correct: (\d+)\/(\d+)/.exec(r.stdout)!;
    expect(Number(m[2])).toBe(fixture.total);
    expect(Math.abs(Number(m[1]) - fixture.correct)).toBeLessThanOrEqual(10); // 0.1 points, as the seed 002 test allows
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
