#!/usr/bin/env node
// npm run example -- <name> [args...]: runs dist/examples/<name>.js (compiled by `npm run build:ts`).
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const dir = path.join(__dirname, '..', 'dist', 'examples');
const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort() : [];
const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log(`usage: npm run example -- <name> [--epochs N] [--device cuda] ...\nexamples: ${names.join(', ') || '(none built: run npm run build:ts)'}`);
  process.exit(name ? 0 : 1);
}
if (!names.includes(name)) {
  console.error(`no example '${name}'; examples: ${names.join(', ') || '(none built: run npm run build:ts)'}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [path.join(dir, `${name}.js`), ...args], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
