// The unboxed fast paths (native/fast_ops.cpp) give exactly what the boxed path
// gives: values, dtypes (type promotion with wrapped numbers), autograd and
// errors, for every operator that has one, over dtypes and operand kinds.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
function run(env: Record<string, string>): Record<string, unknown> {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'children', 'fast_ops.js'), path.join(ROOT, 'dist', 'lib')], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('every fast-path operator gives what the boxed path gives, errors included', () => {
  const fast = run({});
  const boxed = run({ NODETORCH_FAST_OPS: '0' });
  expect(Object.keys(fast).length).toBeGreaterThan(300);
  expect(fast).toEqual(boxed);
  // The table covers results and failures both.
  const errors = Object.values(boxed).filter((v) => (v as { error?: string }).error);
  expect(errors.length).toBeGreaterThan(5);
  expect(errors.length).toBeLessThan(Object.keys(boxed).length / 2);
});
