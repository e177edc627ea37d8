// While Model.fit trains seed 002's Net natively, the event loop stays free: its p99 delay is under
// 20 ms and an HTTP server on 127.0.0.1 in the same process answers every request (issue 10). Run in
// a child process (bench/event_loop.ts, compiled by `npm test`'s pretest) so that nothing else in this
// process shares its event loop.
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { EventLoopRun } from '../bench/event_loop';

test('the event loop answers while seed 002 trains natively', () => {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'bench', 'event_loop.js'), '--limit', '12800', '--engine', 'auto', '--json'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  const [run] = JSON.parse(r.stdout.trim().split('\n').pop()!) as EventLoopRun[];
  expect(run.path).toMatch(/^native/);
  expect(run.requests).toBeGreaterThanOrEqual(10);
  expect(run.answered).toBe(run.requests);
  expect(run.delayMs.p99).toBeLessThan(20);
});
