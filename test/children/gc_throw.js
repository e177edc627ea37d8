// Child process for hardening.test.ts: native errors thrown while dropped
// tensors are being collected (their finalizers run inside garbage collection).
// Usage: node gc_throw.js <dist/lib> <iterations>
'use strict';
const [dist, n] = process.argv.slice(2);
const torch = require(dist);
const small = torch.zeros(4);
let errors = 0;
for (let i = 0; i < Number(n); i++) {
  for (let j = 0; j < 3; j++) torch.zeros(8); // garbage whose finalizers run during collection
  try {
    small.view(3); // LibTorch refuses: a native error every iteration
  } catch (e) {
    if (e.name === 'TorchError') errors++;
  }
}
console.log(JSON.stringify({ errors }));
