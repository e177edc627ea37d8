// Shared by the fuzz targets: the compiled library, and what counts as a finding.
// An input may give a result or throw one of the expected typed errors; anything
// else (a TypeError, a RangeError, a stack overflow, a native error) is a finding.
'use strict';
const path = require('path');

const DIST = path.join(__dirname, '..', '..', 'dist', 'lib');
const lib = (name) => require(path.join(DIST, name));

/** Runs `fn`: `{ value }` when it returns, null when it throws one of `expected`; any other error is rethrown. */
function expectClean(fn, ...expected) {
  try {
    return { value: fn() };
  } catch (e) {
    if (expected.some((cls) => e instanceof cls)) return null;
    throw e;
  }
}

/** Walks a loaded value: every part must be a tensor, a plain value, an array or a plain object. */
function checkValue(v, Tensor, seen = new Set()) {
  if (v === null || ['number', 'bigint', 'string', 'boolean'].includes(typeof v)) return;
  if (v instanceof Tensor) {
    void v.shape;
    return;
  }
  if (typeof v !== 'object') throw new Error(`a ${typeof v} in the result`);
  if (seen.has(v)) return; // a pickle may build a list that contains itself
  seen.add(v);
  if (Array.isArray(v)) return v.forEach((x) => checkValue(x, Tensor, seen));
  for (const k of Object.keys(v)) checkValue(v[k], Tensor, seen);
}

module.exports = { lib, expectClean, checkValue };
