// Seed 004 (the article's Keras CNN) ported in the Model.fit style: a short run (one epoch on the first 6000
// training images) trains natively and reaches at least 90% test accuracy, with precision, recall and F1 and
// scikit-learn's report printed. The full run (5 epochs, 60000 images) is in the README.
import { spawnSync } from 'child_process';
import * as path from 'path';

test('seed 004, one epoch on 6000 images: natively, ≥ 90% test accuracy, precision/recall/F1 and the report', () => {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'examples', 'seed004-keras-cnn.js'), '--epochs', '1', '--limit', '6000'], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const m = /test loss ([\d.]+), accuracy ([\d.]+)%, precision ([\d.]+), recall ([\d.]+), F1 ([\d.]+)/.exec(r.stdout);
  expect(m).not.toBeNull();
  const [loss, accuracy, precision, recall, f1] = m!.slice(1).map(Number);
  expect(accuracy).toBeGreaterThanOrEqual(90);
  expect(loss).toBeLessThan(0.5);
  for (const v of [precision, recall, f1]) expect(v).toBeGreaterThan(0.85);
  expect(r.stdout).toMatch(/\n {4}accuracy +0\.9\d{3} +10000\n/);
  expect(r.stdout).toMatch(/train path: native/);
});
