#!/usr/bin/env node
// The nodetorch command (docs/cli.md): train, evaluate, predict.
'use strict';
require('../dist/lib/cli')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
