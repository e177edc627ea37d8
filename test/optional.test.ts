// The rule for tests that need optional things (test/optional.ts): run when present; when missing,
// skip with a printed reason outside CI, fail in CI unless CI cannot have it (a GPU).
import { decide, inCI } from './optional';

const data = { what: "Debian's dataset-fashion-mnist", install: 'apt-get install dataset-fashion-mnist' };

test('CI is recognised from the CI variable as CI services set it', () => {
  expect(inCI({ CI: 'true' })).toBe(true);
  expect(inCI({ CI: '1' })).toBe(true);
  expect(inCI({ CI: 'TRUE' })).toBe(true);
  expect(inCI({})).toBe(false);
  expect(inCI({ CI: '' })).toBe(false);
  expect(inCI({ CI: 'false' })).toBe(false);
  expect(inCI({ CI: '0' })).toBe(false);
});

test('present: runs, in CI or not', () => {
  expect(decide({ ...data, present: true }, {})).toEqual({ mode: 'run' });
  expect(decide({ ...data, present: true }, { CI: 'true' })).toEqual({ mode: 'run' });
});

test('missing outside CI: skipped, saying what is missing and how to install it', () => {
  const d = decide({ ...data, present: false }, {});
  expect(d.mode).toBe('skip');
  expect(d.mode !== 'run' && d.message).toBe("skipped: needs Debian's dataset-fashion-mnist, which is missing here; to run it: apt-get install dataset-fashion-mnist");
});

test('missing in CI: a failure naming what CI lacks, unless CI cannot have it', () => {
  const d = decide({ ...data, present: false }, { CI: 'true' });
  expect(d.mode).toBe('fail');
  expect(d.mode !== 'run' && d.message).toMatch(/^Debian's dataset-fashion-mnist is missing, and CI requires it \(CI=true\): apt-get install dataset-fashion-mnist$/);
  expect(decide({ what: 'a CUDA GPU', install: 'a machine with an NVIDIA GPU and a CUDA LibTorch', present: false, enforcedInCI: false }, { CI: 'true' }).mode).toBe('skip');
});
