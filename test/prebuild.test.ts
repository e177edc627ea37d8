// The prebuild (scripts/prebuild.js: prebuildify without --napi, so the file is
// prebuilds/linux-x64/node.abi<N>.node for this Node's ABI N) is what node-gyp-build
// loads when there is no build/: checked in a copy of the package that has no build/
// folder at all. The addon is built at the experimental Node-API level, so a prebuild
// for another ABI must be refused, never loaded.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const TUPLE = `${process.platform}-${process.arch}`;
const ABI = process.versions.modules;
const PREBUILD = path.join(ROOT, 'prebuilds', TUPLE, `node.abi${ABI}.node`);
/** An ABI that is not this Node's (Node 20 is 115, Node 22 is 127, Node 24 is 137). */
const OTHER_ABI = ABI === '115' ? '137' : '115';

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
      expect(out.loaded).toBe(path.join(pkg, 'prebuilds', TUPLE, `node.abi${ABI}.node`));
      expect(out.grad).toEqual([[7, 11], [9, 13]]); // onesᵀ·Xᵀ + Xᵀ·ones
    } finally {
      fs.rmSync(pkg, { recursive: true, force: true });
    }
  });

  test('the prebuild is tagged with the Node ABI only, and nothing untagged is left beside it', () => {
    const files = fs.readdirSync(path.dirname(PREBUILD)).filter((f) => f.endsWith('.node'));
    expect(files).toContain(`node.abi${ABI}.node`);
    expect(files.every((f) => /^node\.abi\d+\.node$/.test(f))).toBe(true);
    // Its tags, as node-gyp-build reads them: an ABI, and not "napi" (which would match every ABI).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tags = require('node-gyp-build').parseTags(`node.abi${ABI}.node`);
    expect(tags).toMatchObject({ runtime: 'node', abi: ABI });
    expect(tags.napi).toBeUndefined();
  });

  test('a prebuild for another Node ABI is refused with a clear message, not loaded', () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-otherabi-'));
    try {
      for (const f of ['package.json', 'binding.gyp', 'dist', 'scripts']) fs.cpSync(path.join(ROOT, f), path.join(pkg, f), { recursive: true });
      fs.mkdirSync(path.join(pkg, 'prebuilds', TUPLE), { recursive: true });
      // The real prebuild, renamed as if built for another Node.
      fs.copyFileSync(PREBUILD, path.join(pkg, 'prebuilds', TUPLE, `node.abi${OTHER_ABI}.node`));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
      fs.symlinkSync(fs.readlinkSync(path.join(ROOT, 'libtorch')), path.join(pkg, 'libtorch'), 'dir');
      expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(pkg, 'dist', 'lib'))}); console.log('loaded')`], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stdout).not.toContain('loaded');
      expect(r.stderr).toContain('nodetorch: the native addon could not be loaded: No native build was found for ');
      expect(r.stderr).toContain(`runtime=node abi=${ABI} `);
      expect(r.stderr).toContain(`node=${process.versions.node}`);
      expect(r.stderr).toMatch(/run `npm rebuild nodetorch`/);
      expect(r.stderr).toContain(`node.abi${OTHER_ABI}.node (for Node ABI ${OTHER_ABI}, not this Node ${process.versions.node}'s ABI ${ABI})`);
      // npm install's check (scripts/install.js) refuses it too, and says why, so it builds from source.
      const i = spawnSync(process.execPath, ['-e', `process.exit(require(${JSON.stringify(path.join(pkg, 'scripts', 'install.js'))}).prebuildLoads() ? 0 : 3)`], { encoding: 'utf8' });
      expect(i.status).toBe(3);
      expect(i.stderr).toContain(`nodetorch: no prebuild for this Node (ABI ${ABI}, Node ${process.versions.node}) among node.abi${OTHER_ABI}.node; building from source`);
      // The same file under this ABI's name loads: the refusal is the tag, not the file.
      fs.renameSync(path.join(pkg, 'prebuilds', TUPLE, `node.abi${OTHER_ABI}.node`), path.join(pkg, 'prebuilds', TUPLE, `node.abi${ABI}.node`));
      const ok = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(pkg, 'dist', 'lib'))}); console.log('loaded')`], { encoding: 'utf8' });
      expect(ok.stdout.trim()).toBe('loaded');
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
