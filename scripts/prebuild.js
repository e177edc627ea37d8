'use strict';
// Builds prebuilds/<platform>-<arch>/nodetorch.node with prebuildify (node-gyp,
// Node-API) from the same sources as the cmake-js build. Node's headers come from
// the installed Node (nodedir), so nothing is downloaded.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');
const { nodeDir } = require('./nodedir');


function prebuild() {
  libtorch.link(libtorch.ensure());
  const started = Date.now();
  const env = { ...process.env, npm_config_nodedir: nodeDir(), JOBS: String(require('os').availableParallelism()) };
  if (spawnSync('ccache', ['--version']).status === 0 && !env.CXX) {
    env.CXX = 'ccache g++';
    env.CC = 'ccache gcc';
  }
  // node-gyp rebuilds in ./build, which is the cmake-js build's folder: stage the
  // sources elsewhere so the two builds never clobber each other.
  const root = libtorch.PKG_ROOT;
  const stage = path.join(root, 'build-prebuild');
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['binding.gyp', 'package.json', 'native', 'scripts']) {
    fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
  }
  for (const link of ['node_modules', 'libtorch']) {
    fs.rmSync(path.join(stage, link), { force: true, recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(root, link)), path.join(stage, link), 'dir');
  }
  const bin = require.resolve('prebuildify/bin.js');
  const r = spawnSync(process.execPath, [bin, '--napi', '--strip', '-t', process.versions.node], { cwd: stage, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`nodetorch: prebuildify failed (exit ${r.status})`);
  fs.cpSync(path.join(stage, 'prebuilds'), path.join(root, 'prebuilds'), { recursive: true });
  process.stderr.write(`nodetorch: prebuild done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

module.exports = { prebuild };

if (require.main === module) {
  try {
    prebuild();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
