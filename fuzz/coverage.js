#!/usr/bin/env node
// Line coverage of the file readers reached by a fuzz target's corpus: replays every input of
// fuzz/work/corpus/<target> through the target (no fuzzer, no instrumentation) under V8's precise
// coverage, and counts the executable lines of dist/lib/{torchfile,serialization,vision/idx}.js
// whose code ran.   node fuzz/coverage.js <target|all>
'use strict';
const fs = require('fs');
const path = require('path');
const inspector = require('inspector');

const HERE = __dirname;
const TARGETS = ['torch-load', 'safetensors', 'pickle', 'idx'];
const FILES = ['torchfile.js', 'serialization.js', path.join('vision', 'idx.js')].map((f) => path.join(HERE, '..', 'dist', 'lib', f));
/** The reading functions each target exercises (the writers and unrelated code are left out of the count). */
const READERS = {
  'torch-load': ['bufferSource', 'u64', 'readZip', 'dataStart', 'readEntry', 'unpickle', 'pyInt', 'describe', 'readTorchFile', 'tensorFromSource', 'zipEntryNames', 'detectFormat'],
  pickle: ['unpickle', 'pyInt', 'describe'],
  safetensors: ['bufferSource', 'parseSafetensors', 'readSafetensors', 'topLevelKeys', 'tensorFromSource'],
  idx: ['parseHeader', 'checkOptions', 'gunzipError', 'gzipPrefix', 'readAt', 'openError', 'load', 'readIdxHeader', 'readIdx'],
};

const session = new inspector.Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));

/** Per line of `source`: whether its first code character ran (null for lines without code or outside `within`). */
function lineCoverage(source, functions, within) {
  // Innermost range wins: V8 lists enclosing ranges before the ranges nested in them.
  const count = new Int32Array(source.length).fill(-1);
  for (const fn of functions) for (const r of fn.ranges) count.fill(r.count, r.startOffset, r.endOffset);
  const lines = [];
  let offset = 0;
  let inComment = false;
  for (const line of source.split('\n')) {
    const t = line.trim();
    let code = t.length > 0 && !t.startsWith('//') && !inComment && !/^[}\])]*;?$/.test(t) && !t.startsWith('"use strict"') && !t.startsWith('//# sourceMappingURL');
    if (t.startsWith('/*')) (inComment = !t.includes('*/')), (code = false);
    else if (inComment) (inComment = !t.includes('*/')), (code = false);
    const at = offset + line.indexOf(t[0]);
    const inside = within.some(([a, b]) => at >= a && at < b);
    lines.push(code && inside ? count[at] > 0 : null);
    offset += line.length + 1;
  }
  return lines;
}

async function run(target) {
  const fuzz = require(path.join(HERE, 'targets', `${target}.js`)).fuzz;
  const dir = path.join(HERE, 'work', 'corpus', target);
  const inputs = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  for (const f of inputs) fuzz(fs.readFileSync(path.join(dir, f)));
  const { result } = await post('Profiler.takePreciseCoverage');
  await post('Profiler.stopPreciseCoverage');
  const out = { target, inputs: inputs.length, files: {} };
  for (const file of FILES) {
    const entry = result.find((s) => s.url === `file://${file}` || s.url === file);
    if (!entry) continue;
    // A function's first range is its whole body; nested functions of a reader count with it.
    const within = entry.functions.filter((f) => READERS[target].includes(f.functionName)).map((f) => [f.ranges[0].startOffset, f.ranges[0].endOffset]);
    if (!within.length) continue;
    const lines = lineCoverage(fs.readFileSync(file, 'utf8'), entry.functions, within).filter((l) => l !== null);
    const names = entry.functions.filter((f) => READERS[target].includes(f.functionName)).map((f) => f.functionName);
    out.files[path.relative(path.join(HERE, '..'), file)] = `${lines.filter(Boolean).length}/${lines.length} lines (${((100 * lines.filter(Boolean).length) / lines.length).toFixed(1)}%) of ${[...new Set(names)].join(', ')}`;
  }
  return out;
}

(async () => {
  const which = process.argv[2];
  if (!which || (which !== 'all' && !TARGETS.includes(which))) {
    console.error(`usage: node fuzz/coverage.js <${TARGETS.join('|')}|all>`);
    process.exit(2);
  }
  // One process per target, so that one target's inputs do not count for another.
  if (which === 'all') {
    for (const t of TARGETS) require('child_process').spawnSync(process.execPath, [__filename, t], { stdio: 'inherit' });
    return;
  }
  console.log(JSON.stringify(await run(which)));
})();
