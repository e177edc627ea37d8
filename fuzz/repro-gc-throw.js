#!/usr/bin/env node
// The process abort the pickle fuzz target found (docs/fuzzing.md, finding 2), without any file:
// a native error thrown while tensors become garbage. On Node 20 with the addon at the experimental
// Node-API level, a tensor finalizer runs inside the garbage collection that the throw's message
// allocation can start; Node then takes the error in flight for the finalizer's and calls into
// JavaScript inside the collection:
//   # Fatal error in , line 0
//   # Check failed: AllowJavascriptExecution::IsAllowed(isolate).
// Prints "survived" when the native layer no longer aborts.   node fuzz/repro-gc-throw.js [iterations]
'use strict';
const path = require('path');
const lib = path.join(__dirname, '..', 'dist', 'lib');
const torch = require(lib);
const { callT } = require(path.join(lib, 'ops'));

const small = torch.zeros(4);
let errors = 0;
for (let i = 0; i < Number(process.argv[2] || 300000); i++) {
  for (let j = 0; j < 3; j++) torch.zeros(8); // garbage with finalizers
  try {
    callT('aten::as_strided', small, [100], [1], 0); // LibTorch refuses: a native throw
  } catch {
    errors++;
  }
}
console.log(`survived ${errors} native errors`);
