// scripts/nodedir.js: the builds use the headers of the Node that runs them, never another Node's
// (a `nodedir` left in an npmrc by another Node would build an addon for the wrong ABI).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeDir, headersVersion } = require('../scripts/nodedir') as { nodeDir(version?: string): string; headersVersion(dir: string): string | null };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-nodedir-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fakeHeaders(version: string): string {
  const dir = path.join(tmp, `node-${version}`);
  const inc = path.join(dir, 'include', 'node');
  fs.mkdirSync(inc, { recursive: true });
  const [major, minor, patch] = version.split('.');
  fs.writeFileSync(path.join(inc, 'node_version.h'), `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`);
  fs.writeFileSync(path.join(inc, 'js_native_api.h'), '');
  return dir;
}

function withNodedir<T>(dir: string, fn: () => T): T {
  const saved = process.env.npm_config_nodedir;
  process.env.npm_config_nodedir = dir;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.npm_config_nodedir;
    else process.env.npm_config_nodedir = saved;
  }
}

test('headersVersion reads node_version.h', () => {
  expect(headersVersion(fakeHeaders('24.19.0'))).toBe('24.19.0');
  expect(headersVersion(path.join(tmp, 'nothing'))).toBeNull();
});

test("this Node's own headers are found, and are this Node's", () => {
  const dir = nodeDir();
  expect(headersVersion(dir)!.split('.').slice(0, 2)).toEqual(process.versions.node.split('.').slice(0, 2));
});

test('npm_config_nodedir is used when it holds the headers of the running Node version', () => {
  const dir = fakeHeaders('99.1.0');
  expect(withNodedir(dir, () => nodeDir('99.1.0'))).toBe(dir);
});

test("another Node's headers are never used, and the error says whose they are", () => {
  const other = fakeHeaders('98.0.3');
  expect(() => withNodedir(other, () => nodeDir('99.1.0'))).toThrow(`the Node headers in ${other} are for Node 98.0.3, not this Node 99.1.0: not used`);
});
