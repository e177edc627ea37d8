// `prebuildify --napi` output (prebuilds/linux-x64/nodetorch.node) is what
// node-gyp-build loads when there is no build/: checked in a copy of the
// package that has no build/ folder at all.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PREBUILD = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'nodetorch.node');

function newestSource(): number {
  const files = ['binding.gyp', ...fs.readdirSync(path.join(ROOT, 'native')).map((f) => path.join('native', f))];
  return Math.max(...files.map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs));
}

describe('prebuild', () => {
  beforeAll(() => {
    // Make (or refresh) the prebuild, as `npm run prebuildify` does.
    if (!fs.existsSync(PREBUILD) || fs.statSync(PREBUILD).mtimeMs < newestSource()) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'prebuild.js')], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`prebuild failed: ${r.stderr.slice(-2000)}`);
    }
  });

  test('loads and works in a copy of the package without build/', () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-prebuild-'));
    try {
      for (const f of ['package.json', 'binding.gyp', 'dist', 'prebuilds', 'scripts']) fs.cpSync(path.join(ROOT, f), path.join(pkg, f), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
      fs.symlinkSync(fs.readlinkSync(path.join(ROOT, 'libtorch')), path.join(pkg, 'libtorch'), 'dir');
      expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
      const script = `
        const torch = require(${JSON.stringify(path.join(pkg, 'dist', 'lib'))});
        const loaded = require('node-gyp-build').path(${JSON.stringify(pkg)});
        const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true });
        x.matmul(x).sum().backward();
        console.log(JSON.stringify({ loaded, grad: x.grad.tolist() }));
      `;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out.loaded).toBe(path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`, 'nodetorch.node'));
      expect(out.grad).toEqual([[7, 11], [9, 13]]); // onesᵀ·Xᵀ + Xᵀ·ones
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  });

  test('a missing LibTorch gives one error that lists what was tried and how to fix it', () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-nolib-'));
    try {
      for (const f of ['package.json', 'binding.gyp', 'dist', 'prebuilds']) fs.cpSync(path.join(ROOT, f), path.join(pkg, f), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(pkg, 'dist', 'lib'))})`], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/the native addon could not be loaded: .*libc10\.so/);
      expect(r.stderr).toMatch(/libtorch: missing/);
      expect(r.stderr).toMatch(/set LIBTORCH to a LibTorch folder/);
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  });
});
