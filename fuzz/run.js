#!/usr/bin/env node
// Runs one coverage-guided fuzz target with Jazzer.js (libFuzzer underneath).
//
//   node fuzz/run.js <target> [--runs=N] [--max-len=N] [-- <libFuzzer flags>]
//
// targets: torch-load, safetensors, pickle, idx (fuzz/targets/<target>.js).
// The corpus is fuzz/work/corpus/<target> (seeded by fuzz/seeds.js on first use and
// grown by the run); crashes and hangs are written to fuzz/work/findings/<target>/.
// Needs `npm run build:ts` (the targets load dist/lib) and `npm install` in fuzz/
// (see docs/fuzzing.md, also for machines with a C library older than glibc 2.38).
// Line coverage of the readers over the corpus: node fuzz/coverage.js <target>.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const HERE = __dirname;
const ROOT = path.join(HERE, '..');
const TARGETS = ['torch-load', 'safetensors', 'pickle', 'idx'];
const MAX_LEN = { 'torch-load': 16384, safetensors: 8192, pickle: 4096, idx: 4096 };

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const passThrough = dash < 0 ? [] : argv.slice(dash + 1);
const target = own.find((a) => !a.startsWith('--'));
if (!target || !TARGETS.includes(target)) {
  console.error(`usage: node fuzz/run.js <${TARGETS.join('|')}> [--runs=N] [--max-len=N] [-- <libFuzzer flags>]`);
  process.exit(2);
}
const flag = (name) => own.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const runs = flag('runs') ?? '1000000';
const maxLen = flag('max-len') ?? String(MAX_LEN[target]);

if (!fs.existsSync(path.join(ROOT, 'dist', 'lib', 'torchfile.js'))) {
  console.error('dist/lib is missing: run `npm run build:ts` (or npm install) at the repository root first');
  process.exit(2);
}
const jazzer = path.join(HERE, 'node_modules', '.bin', 'jazzer');
if (!fs.existsSync(jazzer)) {
  console.error('Jazzer.js is not installed: run `npm install` in fuzz/ (see docs/fuzzing.md)');
  process.exit(2);
}
const corpus = path.join(HERE, 'work', 'corpus', target);
if (!fs.existsSync(corpus) || fs.readdirSync(corpus).length === 0) require('./seeds').writeSeeds(target);
const findings = path.join(HERE, 'work', 'findings', target);
fs.mkdirSync(findings, { recursive: true });

const args = [
  path.join(HERE, 'targets', `${target}.js`),
  corpus,
  '--sync',
  '-i', `${path.sep}dist${path.sep}lib${path.sep}`,
  '--timeout', '10000',
  '--',
  `-runs=${runs}`,
  `-max_len=${maxLen}`,
  `-artifact_prefix=${findings}${path.sep}`,
  '-rss_limit_mb=6144',
  '-print_final_stats=1',
  ...passThrough,
];
console.log(`fuzzing ${target}: ${runs} runs, corpus ${path.relative(ROOT, corpus)}, findings ${path.relative(ROOT, findings)}`);
const r = spawnSync(jazzer, args, { stdio: 'inherit', cwd: HERE });
if (r.status !== 0) {
  console.error(`\n${target}: stopped with status ${r.status}. A crash or hang is in ${path.relative(ROOT, findings)}: ` +
    'fix it, then copy the input to test/fixtures/fuzz/ so that test/files_fuzz_regressions.test.ts replays it.');
}
process.exit(r.status ?? 1);
