'use strict';
// `npm install`: locate LibTorch (fetching the pinned wheel with pip when none is
// found), link it into the package, then use the prebuild for this Node's ABI if
// there is one and it loads, else build from source with cmake-js.
// NODETORCH_BUILD_FROM_SOURCE=1 skips prebuilds.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');

/**
 * Whether there is a prebuild for this Node — prebuilds/<platform>-<arch>/node.abi<N>.node with
 * N = process.versions.modules, chosen by node-gyp-build as the loader chooses it — and it loads (in a
 * child process, so a bad one cannot hurt this one). Prebuilds for other ABIs are never used: the addon
 * is built at the experimental Node-API level (see scripts/prebuild.js).
 */
function prebuildLoads(root = libtorch.PKG_ROOT) {
  // PREBUILDS_ONLY: look at prebuilds/ only, whatever build/ holds.
  const r0 = spawnSync(process.execPath, ['-e', `process.stdout.write(require('node-gyp-build').path(${JSON.stringify(root)}))`], {
    encoding: 'utf8',
    env: { ...process.env, PREBUILDS_ONLY: '1' },
    cwd: root,
  });
  if (r0.status !== 0) {
    const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    const there = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
    if (there.length) {
      process.stderr.write(`nodetorch: no prebuild for this Node (ABI ${process.versions.modules}, Node ${process.versions.node}) among ${there.join(', ')}; building from source\n`);
    }
    return false;
  }
  const file = r0.stdout;
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`nodetorch: the prebuild ${path.relative(root, file)} does not load here (${r.stderr.trim().split('\n')[0]}); building from source\n`);
  return r.status === 0;
}

function main() {
  try {
    const found = libtorch.ensure();
    libtorch.link(found);
    process.stderr.write(`nodetorch: LibTorch ${found.version} from ${found.source}: ${found.root}\n`);
    if (!process.env.NODETORCH_BUILD_FROM_SOURCE && prebuildLoads()) {
      process.stderr.write('nodetorch: using the prebuilt addon\n');
    } else {
      require('./build').build();
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

module.exports = { prebuildLoads };

if (require.main === module) main();
