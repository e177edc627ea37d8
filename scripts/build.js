'use strict';
// Builds the addon from source with cmake-js against the LibTorch that
// scripts/libtorch.js finds (or fetches). Usage: node scripts/build.js [--debug] [--clean]
const path = require('path');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');
const { nodeDir } = require('./nodedir');

function build(argv = process.argv.slice(2)) {
  const found = libtorch.ensure();
  libtorch.link(found);
  const started = Date.now();
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, argv.includes('--clean') ? 'rebuild' : 'compile', `--CDLIBTORCH_DIR=${found.root}`, `--CDNODE_INCLUDE_DIR=${path.join(nodeDir(), 'include', 'node')}`];
  if (argv.includes('--debug')) args.push('--debug');
  const jobs = process.env.CMAKE_BUILD_PARALLEL_LEVEL || String(Math.max(1, require('os').availableParallelism()));
  const r = spawnSync(process.execPath, args, {
    cwd: libtorch.PKG_ROOT,
    stdio: 'inherit',
    env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: jobs },
  });
  if (r.status !== 0) throw new Error(`nodetorch: cmake-js failed (exit ${r.status})`);
  process.stderr.write(`nodetorch: native build done in ${((Date.now() - started) / 1000).toFixed(1)} s against LibTorch ${found.version} (${found.source})\n`);
  return path.join(libtorch.PKG_ROOT, 'build', 'Release', 'nodetorch.node');
}

module.exports = { build };

if (require.main === module) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
