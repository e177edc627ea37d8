// Child process for hardening.test.ts: reads the gradient of many dropped
// parameters, twice each, so that garbage collection runs while tensors are
// made and released. Releasing native memory from a finalizer must not call
// into V8: on Node 20 that made a later report of new memory fail a fatal check
// in V8's collector ("Check failed: marking_done_").
// Usage: node grad_reads.js <dist/lib> <iterations>
'use strict';
const [dist, n] = process.argv.slice(2);
const torch = require(dist);
const { native } = require(`${dist}/native`);
let reads = 0;
for (let i = 0; i < Number(n); i++) {
  const p = torch.randn(100, 100, { requiresGrad: true });
  p.sum().backward();
  // Two handles of one gradient (as two wrappers of it would hold), both dropped.
  if (native.tensorShape(native.tensorGrad(p.handle))[0] === 100) reads++;
  if (native.tensorShape(native.tensorGrad(p.handle))[1] === 100) reads++;
}
console.log(JSON.stringify({ reads }));
