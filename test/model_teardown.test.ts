// Model.fit's native thread and the end of its environment: a worker terminated while it trains (with
// batch callbacks, which make the thread wait for JavaScript, and without), and process.exit() while it
// trains, end cleanly: no crash, the exit code kept. (Child processes: test/children/fit_teardown.js.)
import { spawnSync } from 'child_process';
import * as path from 'path';

const run = (mode: string) =>
  spawnSync(process.execPath, [path.join(__dirname, 'children', 'fit_teardown.js'), path.join(__dirname, '..', 'dist', 'lib'), mode], { encoding: 'utf8' });

test('workers terminated while Model.fit trains natively: the process goes on and trains', () => {
  const r = run('workers');
  expect(r.signal).toBeNull();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout.trim())).toEqual({ terminated: 3, epochs: [0] });
});

test('process.exit() while Model.fit trains natively exits with its code, no crash', () => {
  const r = run('exit');
  expect(r.signal).toBeNull();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(3);
});
