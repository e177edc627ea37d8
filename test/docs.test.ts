// The documentation tells the truth: every TypeScript block (```ts) of README.md and docs/*.md
// compiles, strict, against the package's published types (`import ... from 'nodetorch'` resolves to
// this package through its package.json `exports`, as in a user's project), and runs in a child
// process from an empty folder, as a user would paste it into a file of their own.
//
// A block that needs something optional says so in an HTML comment on the line(s) before it:
//   <!-- doc-test: needs cuda -->            a CUDA GPU (skipped without one, in CI too)
//   <!-- doc-test: needs fashion-mnist -->   Debian's dataset-fashion-mnist (skipped outside CI without it)
//   <!-- doc-test: needs env NAME -->        the environment variable NAME (e.g. a mirror's URL)
// Such a block is still compiled; only its run is skipped, with the reason printed (test/optional.ts).
//
// The counts the README states (layers, losses, dtypes, schedulers) are checked against the library.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as torch from '../lib';
import { needs, Requirement } from './optional';

const ROOT = path.join(__dirname, '..');
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

interface Block {
  /** "docs/data.md:9": the file and the line of the opening fence. */
  name: string;
  code: string;
  needs: string[];
}

/** The ```ts blocks of a Markdown file, with the doc-test directives of the comments just before each. */
function blocksOf(file: string): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (open[1] === 'ts' || open[1] === 'typescript') {
      const directives: string[] = [];
      for (let j = i - 1; j >= 0 && (lines[j].trim() === '' || /^<!--.*-->$/.test(lines[j].trim())); j--) {
        const m = /^<!--\s*doc-test:\s*(.*?)\s*-->$/.exec(lines[j].trim());
        if (m) directives.push(m[1]);
      }
      const needsList = directives.map((d) => {
        const m = /^needs (.+)$/.exec(d);
        if (!m) throw new Error(`${file}:${i + 1}: unknown doc-test directive "${d}"`);
        return m[1];
      });
      blocks.push({ name: `${file}:${i + 1}`, code: lines.slice(i + 1, end).join('\n') + '\n', needs: needsList });
    }
    i = end;
  }
  return blocks;
}

function requirement(need: string): Requirement {
  if (need === 'cuda') {
    return { what: 'a CUDA GPU', present: torch.cuda.isAvailable(), install: 'run on a machine with an NVIDIA GPU and a CUDA LibTorch (NODETORCH_CUDA=1)', enforcedInCI: false };
  }
  if (need === 'fashion-mnist') {
    return { what: `Debian's dataset-fashion-mnist (${FASHION_DIR})`, present: fs.existsSync(path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz')), install: 'apt-get install dataset-fashion-mnist' };
  }
  const env = /^env ([A-Z_][A-Z0-9_]*)$/.exec(need);
  if (env) {
    return { what: `the environment variable ${env[1]}`, present: !!process.env[env[1]], install: `set ${env[1]} (see the text around the block)`, enforcedInCI: false };
  }
  throw new Error(`unknown need "${need}"`);
}

const FILES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const BLOCKS = FILES.flatMap(blocksOf);

// A user's project: a folder with a package.json, node_modules/nodetorch (this package) and the
// Node types; each block is one file of it. Built once, compiled as one program.
const PROJECT = fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-docs-'));
afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));
const fileOf = (b: Block) => path.join(PROJECT, 'src', `${b.name.replace(/[^\w]+/g, '_')}.ts`);
const outOf = (b: Block) => path.join(PROJECT, 'out', `${b.name.replace(/[^\w]+/g, '_')}.js`);

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  fs.mkdirSync(path.join(PROJECT, 'src'), { recursive: true });
  fs.mkdirSync(path.join(PROJECT, 'node_modules', '@types'), { recursive: true });
  fs.writeFileSync(path.join(PROJECT, 'package.json'), JSON.stringify({ name: 'doc-user', private: true, type: 'commonjs' }));
  fs.symlinkSync(ROOT, path.join(PROJECT, 'node_modules', 'nodetorch'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(PROJECT, 'node_modules', '@types', 'node'), 'dir');
  for (const b of BLOCKS) fs.writeFileSync(fileOf(b), b.code);
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    skipLibCheck: false,
    types: ['node'],
    rootDir: path.join(PROJECT, 'src'),
    outDir: path.join(PROJECT, 'out'),
  };
  const program = ts.createProgram(BLOCKS.map(fileOf), options);
  const emitted = program.emit();
  diagnostics = new Map(BLOCKS.map((b) => [b.name, [] as string[]]));
  const global: string[] = [];
  for (const d of [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const block = d.file && BLOCKS.find((b) => fileOf(b) === path.resolve(d.file!.fileName));
    if (block && d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      diagnostics.get(block.name)!.push(`line ${line + 1}:${character + 1} (${block.code.split('\n')[line].trim()}): TS${d.code} ${text}`);
    } else {
      global.push(`${d.file ? d.file.fileName : '(options)'}: TS${d.code} ${text}`);
    }
  }
  // Errors outside the blocks (the package's own .d.ts files, the options) fail every block.
  for (const b of BLOCKS) diagnostics.get(b.name)!.push(...global);
});

test('the docs have TypeScript blocks to check', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(8);
  expect(BLOCKS.map((b) => b.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:\d+$/), expect.stringMatching(/^docs\/data\.md:\d+$/)]));
});

describe.each(BLOCKS.map((b) => [b.name, b] as const))('%s', (_name, block) => {
  test('compiles (strict) against the package types', () => {
    expect(diagnostics.get(block.name)).toEqual([]);
  });

  // A block that needs something missing is skipped, saying what (the first missing need decides).
  const missing = block.needs.map(requirement).find((r) => !r.present);
  const run = missing ? needs(missing) : (name: string, fn: () => unknown) => test(name, fn as jest.ProvidesCallback);
  run(`runs (${block.needs.length ? `needs ${block.needs.join(', ')}` : 'as pasted'})`, () => {
    expect(diagnostics.get(block.name)).toEqual([]);
    const cwd = fs.mkdtempSync(path.join(PROJECT, 'run-'));
    const r = spawnSync(process.execPath, [outOf(block)], { cwd, encoding: 'utf8' });
    if (r.stdout.trim()) console.log(`${block.name} printed:\n${r.stdout.trim().slice(0, 2000)}`);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  });
});

describe('the counts the README states', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
  /** The number the README puts before `noun` (digits or a word), exactly once. */
  function stated(noun: string): number {
    const matches = [...readme.matchAll(new RegExp(`\\b(\\d+|${WORDS.join('|')}) ${noun}\\b`, 'g'))];
    expect(matches.map((m) => m[0])).toHaveLength(1);
    const n = matches[0][1];
    return /^\d+$/.test(n) ? Number(n) : WORDS.indexOf(n);
  }
  const nn = torch.nn as unknown as Record<string, unknown>;
  const classes = Object.entries(nn).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof torch.nn.Module);
  const CONTAINERS = ['Sequential', 'ModuleList', 'ModuleDict'];
  const losses = classes.filter(([k]) => k.endsWith('Loss')).map(([k]) => k);
  const layers = classes.filter(([k]) => !k.endsWith('Loss') && !CONTAINERS.includes(k) && k !== 'Layer').map(([k]) => k);

  test('layers: the nn classes that are neither losses nor containers', () => {
    expect(layers).toEqual(expect.arrayContaining(['Linear', 'Conv2d', 'BatchNorm2d', 'Dropout']));
    expect(stated('layers')).toBe(layers.length);
  });

  test('losses: the nn classes named *Loss', () => {
    expect(losses).toEqual(expect.arrayContaining(['CrossEntropyLoss', 'NLLLoss', 'FocalLoss']));
    expect(stated('losses')).toBe(losses.length);
  });

  test('dtypes', () => {
    expect(stated('dtypes')).toBe(torch.DTYPES.length);
  });

  test('learning-rate schedulers', () => {
    const names = Object.entries(torch.optim.lrScheduler).filter(([k, v]) => typeof v === 'function' && /^[A-Z]/.test(k) && k !== 'LRScheduler').map(([k]) => k);
    expect(names).toEqual(expect.arrayContaining(['StepLR', 'OneCycleLR', 'ReduceLROnPlateau']));
    expect(stated('learning-rate schedulers')).toBe(names.length);
  });
});
