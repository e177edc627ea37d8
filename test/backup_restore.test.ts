// BackupAndRestore: a fit killed with SIGKILL in the middle of an epoch and run again ends with exactly the
// weights of an uninterrupted run (on CPU): weights, Adam's state, the scheduler, the global random number
// generator (dropout) and the DataLoader's (shuffling) are all restored. For the native engine and the
// JavaScript loop. The training runs in child processes (test/children/backup_restore.js).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'lib');
const CHILD = path.join(__dirname, 'children', 'backup_restore.js');

function runToEnd(engine: string, dir: string, out: string): { epochs: number[]; restoredEpoch: number | null; path: string } {
  const r = spawnSync(process.execPath, [CHILD, DIST, engine, dir, out], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr.replace(/^.*NODETORCH_JS_TRAINING_LOOP.*\n|^\(Use `node --trace-warnings.*\n/gm, '')).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim());
}

/** Runs the child until it has finished epoch 2 (0-based 1), then kills it with SIGKILL. */
async function runAndKill(engine: string, dir: string, out: string, marker: string): Promise<void> {
  const child = spawn(process.execPath, [CHILD, DIST, engine, dir, out, marker], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let done = false;
  void exited.then(() => (done = true));
  while (!fs.existsSync(marker) && !done) await new Promise((resolve) => setTimeout(resolve, 2));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL'); // killed, not finished
}

describe.each(['auto', 'js'])('engine %s', (engine) => {
  test('killed mid-epoch and resumed, fit ends bit for bit where an uninterrupted run ends', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-backup-'));
    const reference = runToEnd(engine, path.join(tmp, 'ref-backup'), path.join(tmp, 'ref.safetensors'));
    expect(reference.epochs).toEqual([0, 1, 2, 3]);
    expect(reference.restoredEpoch).toBeNull();
    if (engine === 'auto') expect(reference.path).toMatch(/^native/);
    expect(fs.existsSync(path.join(tmp, 'ref-backup', 'latest.pt'))).toBe(false); // deleted at the end

    const backup = path.join(tmp, 'backup');
    await runAndKill(engine, backup, path.join(tmp, 'killed.safetensors'), path.join(tmp, 'marker'));
    expect(fs.existsSync(path.join(tmp, 'killed.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(backup, 'latest.pt'))).toBe(true);

    const resumed = runToEnd(engine, backup, path.join(tmp, 'resumed.safetensors'));
    expect(resumed.restoredEpoch).not.toBeNull();
    expect(resumed.restoredEpoch!).toBeGreaterThanOrEqual(1);
    expect(resumed.epochs).toEqual(Array.from({ length: 3 - resumed.restoredEpoch! }, (_, i) => resumed.restoredEpoch! + 1 + i));

    const a = torch.safetensors.loadFile(path.join(tmp, 'ref.safetensors'));
    const b = torch.safetensors.loadFile(path.join(tmp, 'resumed.safetensors'));
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(torch.equal(a[k], b[k])).toBe(true);
  });
});
