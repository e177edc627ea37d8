'use strict';
// `npm install`: locate LibTorch (fetching the pinned wheel with pip when none is
// found), link it into the package, then use a matching prebuild if it loads,
// else build from source with cmake-js. NODETORCH_BUILD_FROM_SOURCE=1 skips prebuilds.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const libtorch = require('./libtorch');

function prebuildLoads() {
  const dir = path.join(libtorch.PKG_ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!fs.existsSync(dir)) return false;
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.node'));
  if (!file) return false;
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(dir, file))})`], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`nodetorch: the prebuild does not load here (${r.stderr.trim().split('\n')[0]}); building from source\n`);
  return r.status === 0;
}

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
