'use strict';
// Builds prebuilds/<platform>-<arch>/node.abi<N>.node with prebuildify (node-gyp)
// from the same sources as the cmake-js build, for the Node that runs this script.
// Node's headers come from the installed Node (nodedir), so nothing is downloaded.
//
// The addon is built at the experimental Node-API level (NAPI_EXPERIMENTAL: see
// docs/compilation.md), which is not a stable ABI across Node versions, so a
// prebuild is tagged with the Node ABI it was built for (process.versions.modules)
// and node-gyp-build loads it only on that ABI. Never `--napi`: that names the
// file without an ABI tag, and node-gyp-build would load it on every Node.
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
  fs.rmSync(path.join(stage, 'prebuilds'), { recursive: true, force: true });
  const bin = require.resolve('prebuildify/bin.js');
  const args = [bin, '--no-napi', '--name', 'node', '--strip', '-t', process.versions.node];
  const r = spawnSync(process.execPath, args, { cwd: stage, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`nodetorch: prebuildify failed (exit ${r.status})`);
  const tuple = `${process.platform}-${process.arch}`;
  const made = path.join(stage, 'prebuilds', tuple, prebuildName());
  if (!fs.existsSync(made)) throw new Error(`nodetorch: prebuildify did not make ${made}`);
  const dest = path.join(root, 'prebuilds', tuple);
  fs.mkdirSync(dest, { recursive: true });
  // Untagged or Node-API-tagged files would be loaded on every Node ABI: remove them.
  for (const f of fs.readdirSync(dest)) if (f.endsWith('.node') && !/\.abi\d+\./.test(f)) fs.rmSync(path.join(dest, f));
  fs.copyFileSync(made, path.join(dest, prebuildName()));
  process.stderr.write(`nodetorch: prebuild ${path.join('prebuilds', tuple, prebuildName())} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return path.join(dest, prebuildName());
}

/** The prebuild's file name for a Node ABI (default: the running Node's), as node-gyp-build matches it. */
function prebuildName(abi = process.versions.modules) {
  return `node.abi${abi}.node`;
}

module.exports = { prebuild, prebuildName };

if (require.main === module) {
  try {
    prebuild();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
