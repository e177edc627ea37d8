'use strict';
// The installed Node's own headers (include/node), used by both builds so that
// nothing is downloaded: npm's `nodedir` setting, else the folder above `node`.
// Headers of another Node version are never used: the addon is built at the
// experimental Node-API level, per Node ABI, so a `nodedir` left over from
// another Node (a global npmrc, a second Node on the PATH) is passed over with a
// printed line.
const fs = require('fs');
const path = require('path');

/** The version that dir/include/node/node_version.h declares ("24.19.0"), or null. */
function headersVersion(dir) {
  let text;
  try {
    text = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8');
  } catch {
    return null;
  }
  const n = (name) => (new RegExp(`#define ${name} (\\d+)`).exec(text) || [])[1];
  const [major, minor, patch] = [n('NODE_MAJOR_VERSION'), n('NODE_MINOR_VERSION'), n('NODE_PATCH_VERSION')];
  return major && minor && patch ? `${major}.${minor}.${patch}` : null;
}

function nodeDir(version = process.versions.node) {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].filter(Boolean);
  const passedOver = [];
  for (const dir of candidates) {
    if (!fs.existsSync(path.join(dir, 'include', 'node', 'js_native_api.h'))) continue;
    const v = headersVersion(dir);
    // Same major and minor: the same ABI and the same Node-API (experimental parts included).
    if (v && v.split('.').slice(0, 2).join('.') === version.split('.').slice(0, 2).join('.')) {
      for (const p of passedOver) process.stderr.write(`nodetorch: ${p}\n`);
      return dir;
    }
    passedOver.push(`the Node headers in ${dir} are for Node ${v ?? '(unknown version)'}, not this Node ${version}: not used`);
  }
  throw new Error(
    `nodetorch: no headers of this Node (${version}) in ${candidates.join(' or ')}` +
      (passedOver.length ? ` (${passedOver.join('; ')})` : '') +
      '.\nInstall the headers package of your Node (e.g. Debian: nodejs with libnode-dev) or set npm_config_nodedir to a folder with include/node.',
  );
}

module.exports = { nodeDir, headersVersion };
