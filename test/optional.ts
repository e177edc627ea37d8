// Tests that need something optional on the machine — a Debian data package, a GPU. Outside CI a
// missing requirement skips the test and prints what is missing and how to install it; with CI set
// (`.ci/run` sets CI=true and installs the optional data) a missing requirement fails the test.

/** Whether this run is CI: the CI variable is set to anything but "", "0" or "false". */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

export interface Requirement {
  /** What is needed, as a user would name it ("Fashion-MNIST (/usr/share/datasets/fashion-mnist)"). */
  what: string;
  /** Whether it is here. */
  present: boolean;
  /** How to get it ("apt-get install dataset-fashion-mnist"). */
  install: string;
  /** Whether CI must have it (false for a GPU: CI machines have none). Default true. */
  enforcedInCI?: boolean;
}

export type Decision = { mode: 'run' } | { mode: 'skip' | 'fail'; message: string };

/** What to do with a test that needs `req`. */
export function decide(req: Requirement, env: NodeJS.ProcessEnv = process.env): Decision {
  if (req.present) return { mode: 'run' };
  if (inCI(env) && req.enforcedInCI !== false) {
    return { mode: 'fail', message: `${req.what} is missing, and CI requires it (CI=${env.CI}): ${req.install}` };
  }
  return { mode: 'skip', message: `skipped: needs ${req.what}, which is missing here; to run it: ${req.install}` };
}

/**
 * `test`, or a test that is skipped with a printed reason, or one that fails saying what CI lacks.
 * Use as `needs({ ... })('name', () => { ... })`.
 */
export function needs(req: Requirement): (name: string, fn: () => unknown) => void {
  const d = decide(req);
  if (d.mode === 'run') return (name, fn) => test(name, fn as jest.ProvidesCallback);
  if (d.mode === 'fail') {
    return (name) =>
      test(name, () => {
        throw new Error(d.message);
      });
  }
  return (name) => {
    console.warn(`${name}\n${d.message}`);
    test.skip(name, () => undefined);
  };
}
