'use strict';
// Finds LibTorch for building and loading nodetorch, in this order:
//   1. LIBTORCH: a folder with include/ and lib/ (an official LibTorch, or a
//      Python `torch` package folder);
//   2. the `torch` package of a Python on this machine (NODETORCH_PYTHON,
//      python3, python), found without importing it;
//   3. the pinned `torch` wheel, fetched with the machine's own `pip download`
//      into a per-user cache (NODETORCH_CACHE, else ~/.cache/nodetorch) and
//      unpacked once per version.
// The package root gets a `libtorch` link to what was found; the addon's rpath
// points through that link, so nothing needs LD_LIBRARY_PATH.
//
// Used by scripts/install.js, scripts/build.js, binding.gyp and the loader.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const PINNED_TORCH = '2.11.0';
const PKG_ROOT = path.resolve(__dirname, '..');
const LINK = path.join(PKG_ROOT, 'libtorch');

function torchVersion() {
  return process.env.NODETORCH_TORCH_VERSION || PINNED_TORCH;
}

function cacheRoot() {
  if (process.env.NODETORCH_CACHE) return path.resolve(process.env.NODETORCH_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'nodetorch');
}

function log(msg) {
  if (!process.env.NODETORCH_QUIET) process.stderr.write(`nodetorch: ${msg}\n`);
}

/** A line that is always printed, even with NODETORCH_QUIET: a decision the user must know about. */
function say(msg) {
  process.stderr.write(`nodetorch: ${msg}\n`);
}

/** Reads the version of a LibTorch folder, or null when it does not say. */
function readVersion(folder) {
  const candidates = [path.join(folder, 'version.py'), path.join(folder, 'build-version'), path.join(folder, 'version.txt')];
  for (const f of candidates) {
    try {
      const text = fs.readFileSync(f, 'utf8');
      const m = /__version__\s*=\s*'([^']+)'/.exec(text) || /^([0-9][^\s]*)/.exec(text.trim());
      if (m) return m[1];
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * Describes `folder` as a LibTorch, or returns a string saying why it is not one.
 * `linkTarget` is what the package's `libtorch` link points at: for a Python
 * `torch` package it is the folder holding it (site-packages, or our cache), so
 * the wheel's own rpaths to `nvidia/...` libraries resolve through the link.
 */
function describe(folder, source) {
  const lib = path.join(folder, 'lib');
  const include = path.join(folder, 'include');
  for (const f of [path.join(lib, 'libc10.so'), path.join(lib, 'libtorch_cpu.so'), path.join(include, 'torch')]) {
    if (!fs.existsSync(f)) return `${folder}: ${path.relative(folder, f)} is missing`;
  }
  const isPythonPackage = path.basename(folder) === 'torch' && fs.existsSync(path.join(folder, 'version.py'));
  return {
    source,
    root: folder,
    libDir: lib,
    includeDirs: [include, path.join(include, 'torch', 'csrc', 'api', 'include')],
    version: readVersion(folder),
    linkTarget: isPythonPackage ? path.dirname(folder) : folder,
    hasCuda: fs.existsSync(path.join(lib, 'libtorch_cuda.so')),
  };
}

function pythons() {
  const list = [];
  if (process.env.NODETORCH_PYTHON) list.push(process.env.NODETORCH_PYTHON);
  list.push('python3', 'python');
  return [...new Set(list)];
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

/** The `torch` package folder of a Python, without importing torch (which is slow and may need CUDA libraries). */
function pythonTorch(python) {
  const code = 'import importlib.util as u; s = u.find_spec("torch"); print(s.submodule_search_locations[0] if s else "")';
  const r = run(python, ['-c', code]);
  if (r.error) return `${python}: not found`;
  if (r.status !== 0) return `${python}: ${String(r.stderr).trim().split('\n').pop()}`;
  const folder = r.stdout.trim();
  if (!folder) return `${python}: has no torch package`;
  return describe(folder, `python (${python})`);
}

/** A torch version without its local part: "2.11.0+cu130" -> "2.11.0". */
function baseVersion(v) {
  return String(v).split('+')[0];
}

/**
 * Whether a Python's torch (version `found`, null when it does not say) may be built against, when the
 * wanted version is `wanted` (the pinned one, or NODETORCH_TORCH_VERSION). Only the same release is
 * accepted (any local build tag: +cpu, +cu130); anything else is refused with a line saying so, and the
 * caller goes on to the pinned LibTorch (cached or fetched) — never a silent build against an untested
 * version.
 */
function pythonTorchDecision(found, wanted, where) {
  if (found && baseVersion(found) === baseVersion(wanted)) return { use: true };
  const what = found ? `torch ${found}` : 'a torch that does not say its version';
  return {
    use: false,
    message:
      `${where} has ${what}, not ${wanted}, the version nodetorch is pinned to and tested with: ` +
      `using LibTorch ${wanted} instead (from the cache, fetched with pip when missing). ` +
      `To build against ${found ? `torch ${found}` : 'it'} anyway, set LIBTORCH to its folder` +
      (found ? ` or NODETORCH_TORCH_VERSION=${baseVersion(found)}` : '') +
      ' (untested).',
  };
}

function cachedFolder(version) {
  return path.join(cacheRoot(), `torch-${version}`);
}

/**
 * Locates LibTorch without fetching. Returns { found, tried } where `found` is a
 * description or null, and `tried` lists each place looked at and why it failed.
 */
function locate() {
  const tried = [];
  if (process.env.LIBTORCH) {
    const d = describe(path.resolve(process.env.LIBTORCH), 'LIBTORCH');
    if (typeof d !== 'string') {
      // An explicit choice is respected, but never silently when it is not the tested version.
      if (!d.version || baseVersion(d.version) !== baseVersion(torchVersion())) {
        say(`LIBTORCH=${process.env.LIBTORCH} is LibTorch ${d.version ?? '(version unknown)'}, not ${torchVersion()}, the version nodetorch is tested with; building against it as asked (untested).`);
      }
      return { found: d, tried };
    }
    tried.push(`LIBTORCH=${process.env.LIBTORCH}: ${d}`);
    // An explicit LIBTORCH that is wrong is an error, not something to silently replace.
    return { found: null, tried, explicit: true };
  }
  tried.push('LIBTORCH: not set');
  const version = torchVersion();
  if (!process.env.NODETORCH_NO_PYTHON_TORCH) {
    for (const py of pythons()) {
      const d = pythonTorch(py);
      if (typeof d === 'string') {
        tried.push(d);
        continue;
      }
      const decision = pythonTorchDecision(d.version, version, `${py} (${d.root})`);
      if (decision.use) return { found: d, tried };
      say(decision.message);
      tried.push(`${py}: torch ${d.version ?? '(version unknown)'} is not ${version}`);
    }
  }
  const cached = path.join(cachedFolder(version), 'torch');
  const d = fs.existsSync(cached) ? describe(cached, 'cache') : `${cached}: not fetched yet`;
  if (typeof d !== 'string') return { found: d, tried };
  tried.push(d);
  return { found: null, tried };
}

/** Lists the requirements of a wheel's METADATA that LibTorch needs at load time. */
function runtimeRequirements(metadata, withCuda) {
  const reqs = [];
  for (const line of metadata.split('\n')) {
    const m = /^Requires-Dist:\s*([^;]+?)\s*(;.*)?$/.exec(line.trim());
    if (!m) continue;
    const spec = m[1];
    const name = spec.split(/[[=<>!~ ]/)[0].toLowerCase();
    if (m[2] && /extra\s*==/.test(m[2])) continue;
    if (m[2] && /platform_system\s*==\s*"(Windows|Darwin)"/.test(m[2])) continue;
    if (name === 'cuda-toolkit') {
      // libtorch_cpu itself needs the CUDA runtime and CUPTI libraries on the
      // CUDA wheels; the rest is only needed for GPUs.
      reqs.push(withCuda ? spec : spec.replace(/\[[^\]]*\]/, '[cudart,cupti]'));
    } else if (/^nvidia-cuda-(runtime|cupti)/.test(name)) {
      reqs.push(spec);
    } else if (withCuda && name.startsWith('nvidia-')) {
      reqs.push(spec);
    }
  }
  return reqs;
}

const EXTRACT_PY = `
import sys, zipfile, os
dest, with_cuda = sys.argv[1], sys.argv[2] == '1'
skip = ('libtorch_python.so',) + (() if with_cuda else ('libtorch_cuda.so', 'libtorch_cuda_linalg.so', 'libc10_cuda.so', 'libtorch_nvshmem.so', 'libcaffe2_nvrtc.so'))
for whl in sys.argv[3:]:
    with zipfile.ZipFile(whl) as z:
        for info in z.infolist():
            n = info.filename
            keep = n.startswith(('torch/lib/', 'torch/include/', 'torch/share/')) or n == 'torch/version.py' or (n.startswith('nvidia/') and '.so' in n)
            if not keep or os.path.basename(n) in skip:
                continue
            out = z.extract(info, dest)
            if info.external_attr >> 16 & 0o111:
                os.chmod(out, 0o755)
`;

/** Fetches the pinned torch wheel with pip and unpacks LibTorch into the cache. */
function fetch() {
  const version = torchVersion();
  const withCuda = process.env.NODETORCH_CUDA === '1';
  const final = cachedFolder(version);
  if (fs.existsSync(path.join(final, 'torch'))) return describe(path.join(final, 'torch'), 'cache');
  const python = pythons().find((p) => run(p, ['-m', 'pip', '--version']).status === 0);
  if (!python) {
    throw new Error(
      'nodetorch: no LibTorch found and no Python with pip to fetch one.\n' +
        'Install Python 3 with pip, or set LIBTORCH to a LibTorch folder (with include/ and lib/).',
    );
  }
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const work = fs.mkdtempSync(path.join(cacheRoot(), `.fetch-${version}-`));
  const wheels = path.join(work, 'wheels');
  const started = Date.now();
  try {
    log(`fetching torch==${version} with ${python} -m pip download (once; cached in ${final})`);
    const pip = (args) => {
      const r = run(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', wheels, ...args], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`nodetorch: pip download ${args.join(' ')} failed (exit ${r.status})`);
    };
    pip([`torch==${version}`]);
    const torchWheel = fs.readdirSync(wheels).find((f) => f.startsWith('torch-') && f.endsWith('.whl'));
    if (!torchWheel) throw new Error('nodetorch: pip download gave no torch wheel');
    const meta = run(python, ['-c', `import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.read([n for n in z.namelist() if n.endswith('.dist-info/METADATA')][0]).decode())`, path.join(wheels, torchWheel)]);
    if (meta.status !== 0) throw new Error(`nodetorch: cannot read the torch wheel's metadata: ${meta.stderr}`);
    const reqs = runtimeRequirements(meta.stdout, withCuda);
    if (reqs.length) {
      // The requirements name a meta package (cuda-toolkit) whose dependencies are the libraries: let pip resolve those.
      const r = run(python, ['-m', 'pip', 'download', '--only-binary=:all:', '-d', wheels, ...reqs], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`nodetorch: pip download ${reqs.join(' ')} failed (exit ${r.status})`);
    }
    const staged = path.join(work, 'staged');
    const all = fs.readdirSync(wheels).filter((f) => f.endsWith('.whl')).map((f) => path.join(wheels, f));
    const ex = run(python, ['-c', EXTRACT_PY, staged, withCuda ? '1' : '0', ...all], { stdio: 'inherit' });
    if (ex.status !== 0) throw new Error('nodetorch: unpacking the torch wheel failed');
    fs.renameSync(staged, final); // atomic: a half-unpacked LibTorch is never seen as done
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`LibTorch ${version} ready in ${final} (${seconds} s)`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return describe(path.join(final, 'torch'), 'cache');
}

/** Locates LibTorch, fetching it when nothing is found; throws with what was tried. */
function ensure() {
  const { found, tried, explicit } = locate();
  if (found) return found;
  if (explicit) throw new Error(`nodetorch: LIBTORCH does not point at a LibTorch.\n  ${tried.join('\n  ')}`);
  const d = fetch();
  if (typeof d === 'string') throw new Error(`nodetorch: fetched LibTorch is incomplete: ${d}`);
  return d;
}

/** Points the package's `libtorch` link at the LibTorch in use. */
function link(found) {
  try {
    const current = fs.readlinkSync(LINK);
    if (current === found.linkTarget) return;
    fs.unlinkSync(LINK);
  } catch (e) {
    if (e.code === 'EINVAL') throw new Error(`nodetorch: ${LINK} exists and is not a link; remove it`);
  }
  fs.symlinkSync(found.linkTarget, LINK, 'dir');
}

/** Where the `libtorch` link leads, as a description, or null when it is missing or broken. */
function linked() {
  for (const sub of ['torch', '.']) {
    const folder = path.join(LINK, sub);
    if (fs.existsSync(path.join(folder, 'lib', 'libtorch_cpu.so'))) {
      const d = describe(fs.realpathSync(folder), 'link');
      if (typeof d !== 'string') return d;
    }
  }
  return null;
}

module.exports = { PINNED_TORCH, PKG_ROOT, LINK, torchVersion, cacheRoot, locate, fetch, ensure, link, linked, describe, runtimeRequirements, baseVersion, pythonTorchDecision };

if (require.main === module) {
  // CLI: `node scripts/libtorch.js [--include|--libdir|--json]` (binding.gyp and scripts call this)
  const found = ensure();
  link(found);
  const arg = process.argv[2];
  if (arg === '--include') process.stdout.write(found.includeDirs.join(' '));
  else if (arg === '--libdir') process.stdout.write(found.libDir);
  else process.stdout.write(JSON.stringify(found, null, 2) + '\n');
}
