'use strict';
// The installed Node's own headers (include/node), used by both builds so that
// nothing is downloaded: npm's `nodedir` setting, else the folder above `node`.
const fs = require('fs');
const path = require('path');

function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'include', 'node', 'js_native_api.h'))) return dir;
  }
  throw new Error(
    `nodetorch: Node's headers (include/node/js_native_api.h) are not in ${candidates.join(' or ')}.\n` +
      'Install the headers package of your Node (e.g. Debian: nodejs with libnode-dev) or set npm_config_nodedir to a folder with include/node.',
  );
}

module.exports = { nodeDir };
