// Child process for hardening.test.ts: terminates workers while they are inside
// nodetorch calls, N times per case, then shows the host still computes.
// Usage: node terminate.js <dist/lib> <case> <times> [scripted.pt]
'use strict';
const { Worker } = require('worker_threads');
const [dist, kind, timesArg, scripted] = process.argv.slice(2);
const times = Number(timesArg);
const bodies = {
  ops: `for (;;) torch.ones(10).sum();`,
  loader0: `const ds = new torch.data.TensorDataset(torch.randn(512, 1, 28, 28), torch.randint(0, 10, [512]));
    for (;;) for (const b of new torch.data.DataLoader(ds, { batchSize: 64, shuffle: true, prefetch: 0 })) {}`,
  loader2: `const ds = new torch.data.TensorDataset(torch.randn(512, 1, 28, 28), torch.randint(0, 10, [512]));
    for (;;) for (const b of new torch.data.DataLoader(ds, { batchSize: 64, shuffle: true, prefetch: 2 })) {}`,
  jit: `const m = torch.jit.load(${JSON.stringify(scripted)}); const x = torch.randn(2, 1, 10, 10);
    for (;;) m.forward(x);`,
};
if (!bodies[kind]) throw new Error(`unknown case ${kind}`);
(async () => {
  let terminated = 0;
  for (let i = 0; i < times; i++) {
    const w = new Worker(
      `const torch = require(${JSON.stringify(dist)}); require('worker_threads').parentPort.postMessage('go'); ${bodies[kind]}`,
      { eval: true },
    );
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    // Let it get well into its loop, at a different point each time.
    await new Promise((r) => setTimeout(r, 2 + (i * 7) % 25));
    await w.terminate();
    terminated++;
  }
  const torch = require(dist);
  console.log(JSON.stringify({ terminated, sum: torch.ones(3).sum().item() }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
