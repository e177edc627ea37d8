// scripts/libtorch.js never builds silently against an untested LibTorch: a Python `torch` of another
// version than the pinned one is named in a printed line and passed over for the pinned LibTorch (the
// cache, else a fetch); an explicit LIBTORCH of another version is used, with a printed line.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'libtorch.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const libtorch = require(SCRIPT) as {
  PINNED_TORCH: string;
  baseVersion(v: string): string;
  pythonTorchDecision(found: string | null, wanted: string, where: string): { use: boolean; message?: string };
};

describe('the decision on a Python torch', () => {
  test('the pinned release, with any local build tag, is used', () => {
    expect(libtorch.PINNED_TORCH).toBe('2.11.0');
    for (const v of ['2.11.0', '2.11.0+cpu', '2.11.0+cu130']) {
      expect(libtorch.pythonTorchDecision(v, '2.11.0', 'python3')).toEqual({ use: true });
    }
  });

  test('another version is refused with a line naming both versions and what happens instead', () => {
    for (const v of ['2.5.1', '2.11.1', '2.10.0+cu128', '2.11.0a0', '3.0.0']) {
      const d = libtorch.pythonTorchDecision(v, '2.11.0', 'python3 (/fake/site-packages/torch)');
      expect(d.use).toBe(false);
      expect(d.message).toBe(
        `python3 (/fake/site-packages/torch) has torch ${v}, not 2.11.0, the version nodetorch is pinned to and tested with: ` +
          'using LibTorch 2.11.0 instead (from the cache, fetched with pip when missing). ' +
          `To build against torch ${v} anyway, set LIBTORCH to its folder or NODETORCH_TORCH_VERSION=${libtorch.baseVersion(v)} (untested).`,
      );
    }
  });

  test('a torch that does not say its version is refused too', () => {
    const d = libtorch.pythonTorchDecision(null, '2.11.0', 'python3');
    expect(d.use).toBe(false);
    expect(d.message).toMatch(/^python3 has a torch that does not say its version, not 2\.11\.0, .*using LibTorch 2\.11\.0 instead/);
  });

  test('a version chosen with NODETORCH_TORCH_VERSION is the wanted one', () => {
    expect(libtorch.pythonTorchDecision('2.5.1+cpu', '2.5.1', 'python3')).toEqual({ use: true });
  });
});

describe('locate() with a fake python3 and a fake cache', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-libtorch-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A folder that looks like a Python torch package (or a cached LibTorch) of `version`. */
  function fakeTorch(folder: string, version: string): string {
    fs.mkdirSync(path.join(folder, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'include', 'torch'), { recursive: true });
    for (const f of ['libc10.so', 'libtorch_cpu.so']) fs.writeFileSync(path.join(folder, 'lib', f), '');
    fs.writeFileSync(path.join(folder, 'version.py'), `__version__ = '${version}'\n`);
    return folder;
  }

  /** Runs locate() in a child whose only python3 prints `torchFolder`, with `cache` as NODETORCH_CACHE. */
  function locate(pythonTorch: string, cache: string, env: Record<string, string> = {}) {
    const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
    fs.writeFileSync(path.join(bin, 'python3'), `#!/bin/sh\necho '${pythonTorch}'\n`, { mode: 0o755 });
    const code = `const r = require(${JSON.stringify(SCRIPT)}).locate(); console.log(JSON.stringify({ found: r.found && { source: r.found.source, root: r.found.root, version: r.found.version }, tried: r.tried }))`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { PATH: bin, NODETORCH_CACHE: cache, ...env } });
    expect(r.status).toBe(0);
    return { ...(JSON.parse(r.stdout) as { found: { source: string; root: string; version: string } | null; tried: string[] }), stderr: r.stderr };
  }

  const old = fakeTorch(path.join(tmp, 'old-site', 'torch'), '2.5.1');
  const pinned = fakeTorch(path.join(tmp, 'pinned-site', 'torch'), '2.11.0+cpu');
  const cache = path.join(tmp, 'cache');
  const cached = fakeTorch(path.join(cache, 'torch-2.11.0', 'torch'), '2.11.0+cu130');

  test("python3's torch of the pinned version is used, without a word", () => {
    const r = locate(pinned, cache);
    expect(r.found).toEqual({ source: 'python (python3)', root: pinned, version: '2.11.0+cpu' });
    expect(r.stderr).toBe('');
  });

  test("python3's torch 2.5.1 is passed over for the pinned LibTorch in the cache, with a printed line", () => {
    const r = locate(old, cache, { NODETORCH_QUIET: '1' }); // the line is printed even when quiet
    expect(r.found).toEqual({ source: 'cache', root: cached, version: '2.11.0+cu130' });
    expect(r.stderr).toContain(`nodetorch: python3 (${old}) has torch 2.5.1, not 2.11.0, the version nodetorch is pinned to and tested with: using LibTorch 2.11.0 instead`);
    expect(r.tried).toContain('python3: torch 2.5.1 is not 2.11.0');
  });

  test('with nothing cached, nothing is found: ensure() then fetches the pinned version', () => {
    const r = locate(old, path.join(tmp, 'empty-cache'));
    expect(r.found).toBeNull();
    expect(r.tried).toContain('python3: torch 2.5.1 is not 2.11.0');
    expect(r.tried.some((t) => t.endsWith(`${path.join('torch-2.11.0', 'torch')}: not fetched yet`))).toBe(true);
    expect(r.stderr).toMatch(/has torch 2\.5\.1, not 2\.11\.0/);
  });

  test('NODETORCH_TORCH_VERSION=2.5.1 asks for that version: python3 has it', () => {
    const r = locate(old, cache, { NODETORCH_TORCH_VERSION: '2.5.1' });
    expect(r.found).toEqual({ source: 'python (python3)', root: old, version: '2.5.1' });
    expect(r.stderr).toBe('');
  });

  test('an explicit LIBTORCH of another version is used as asked, with a printed line', () => {
    const r = locate(pinned, cache, { LIBTORCH: old });
    expect(r.found).toEqual({ source: 'LIBTORCH', root: old, version: '2.5.1' });
    expect(r.stderr).toContain(`nodetorch: LIBTORCH=${old} is LibTorch 2.5.1, not 2.11.0, the version nodetorch is tested with; building against it as asked (untested).`);
  });
});
