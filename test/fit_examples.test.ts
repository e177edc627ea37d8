// The Model.fit ports of seeds 001 and 002 give PyTorch's numbers: one epoch of each, same seed and data
// order as the plain loops (test/seed001.test.ts, test/train.test.ts), and the same test accuracy as
// Python PyTorch 2.11 running the seed's own script (the fixtures, from bench/seed001.py and bench/seed002.py).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', name), 'utf8'));

function example(name: string, args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'examples', `${name}.js`), ...args], { cwd: ROOT, encoding: 'utf8' });
  // seed 001's `download: true` says once that the bundled copy is used; nothing else may be printed
  expect(r.stderr.replace(/^.*NODETORCH_BUNDLED_DATASET.*\n|^\(Use `node --trace-warnings.*\n/gm, '')).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

test('seed 002 with Model.fit: one epoch, natively, PyTorch’s test accuracy', () => {
  const out = example('seed002-net-fit', ['--epochs', '1', '--finetune-epochs', '0']);
  const seed002 = fixture('seed002.json') as { epochs: { correct: number; total: number }[] };
  const accuracy = Number(/Train Epoch: 0 .*Test Accuracy: ([\d.]+) %/.exec(out)![1]);
  expect(accuracy).toBeCloseTo((100 * seed002.epochs[0].correct) / seed002.epochs[0].total, 10);
  expect(out).toMatch(/train path: native \(93\d of 938 batches/);
});

test('seed 001 with Model.fit: one epoch, natively, PyTorch’s test accuracy', () => {
  const out = example('seed001-convnet-fit', ['--epochs', '1']);
  const seed001 = fixture('seed001.json') as { correct: number; total: number };
  const accuracy = Number(/Accuracy of the network on the 10000 test images: ([\d.]+)%/.exec(out)![1]);
  expect(accuracy).toBeCloseTo((100 * seed001.correct) / seed001.total, 10);
  expect(out).toMatch(/train path: native/);
});
