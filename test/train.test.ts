// The main job: `npm start` (`nodetorch train --model net --epochs 2`: seed 002's classic MNIST Net,
// SGD(lr=0.01, momentum=0.5), batch 64, seed 1, two epochs, trained by Model.fit) run as a user runs it.
// Its test accuracy after each epoch must equal Python PyTorch's for the same script and seed
// within 0.1 points (10 of the 10,000 test images). PyTorch's figures are in
// test/fixtures/seed002.json, written by bench/seed002.py --write-fixture (the file records the
// command); they are never taken from nodetorch's own output.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

interface Seed002Fixture {
  command: string;
  torch: string;
  seed: number;
  batchSize: number;
  epochs: { epoch: number; correct: number; total: number; accuracy: number; lastLoss: number }[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'seed002.json'), 'utf8')) as Seed002Fixture;

test('the fixture is PyTorch 2.11 running bench/seed002.py for two epochs with the main job seed', () => {
  expect(fixture.torch).toMatch(/^2\.11\.0\b/);
  expect(fixture.command).toMatch(/^python bench\/seed002\.py .*--epochs 2\b/);
  expect(fixture.batchSize).toBe(64);
  expect(fixture.epochs.map((e) => e.epoch)).toEqual([0, 1]);
  for (const e of fixture.epochs) expect(e.accuracy).toBeCloseTo((100 * e.correct) / e.total, 10);
  // `npm start` trains seed 002's Net for the fixture's epochs, with the CLI's default seed, the fixture's.
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  expect(start).toMatch(new RegExp(`^node bin/nodetorch\\.js train --model net --epochs ${fixture.epochs.length}\\b`));
  expect(start).not.toMatch(/--seed|--batch-size|--lr/);
  const cli = fs.readFileSync(path.join(ROOT, 'lib', 'cli.ts'), 'utf8');
  expect(cli).toContain(`seed: { type: 'string', help: 'the random seed (torch.manualSeed)', default: '${fixture.seed}' }`);
});

test('the README and docs/testing.md state these figures for the main job', () => {
  const [first, last] = fixture.epochs.map((e) => `${e.accuracy.toFixed(2)}%`);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  expect(readme).toContain(`prints a test accuracy of ${first} after one epoch and ${last} after two`);
  const testing = fs.readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8');
  expect(testing).toContain(`PyTorch's for the same script and seed (${first}, ${last})`);
  // and no other figure for it
  expect(readme).not.toMatch(/about 9\d(\.\d+)?%/);
});

test("npm start's test accuracy equals PyTorch's for seed 002 within 0.1 points, epoch by epoch", () => {
  // What `npm start` runs, without npm in between (npm would add its own output).
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const [cmd, ...args] = start.split(' ');
  expect(cmd).toBe('node');
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  console.log(r.stdout);
  const accuracies = [...r.stdout.matchAll(/Test Accuracy: ([\d.]+) %/g)].map((m) => Number(m[1]));
  const losses = [...r.stdout.matchAll(/Loss: ([\d.]+)/g)].map((m) => Number(m[1]));
  expect(losses).toHaveLength(fixture.epochs.length);
  expect(losses.every((l) => Number.isFinite(l) && l < 1)).toBe(true);
  expect(accuracies).toHaveLength(fixture.epochs.length);
  fixture.epochs.forEach((e, i) => {
    console.log(`epoch ${i}: nodetorch ${accuracies[i].toFixed(2)} %, PyTorch ${e.accuracy.toFixed(2)} %`);
    expect(Math.abs(accuracies[i] - e.accuracy)).toBeLessThanOrEqual(0.1 + 1e-9);
  });
});
