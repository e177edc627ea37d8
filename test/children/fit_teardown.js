// Child process for model_teardown.test.ts. Mode 'workers': three workers each start a long Model.fit
// (with batch callbacks or without) and are terminated mid-run; the main thread then trains. Mode 'exit':
// process.exit(3) while fit trains natively. Neither may crash the process.
// Usage: node fit_teardown.js <dist/lib> workers|exit
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const [dist, mode] = isMainThread ? process.argv.slice(2) : [workerData.dist, 'worker'];
const torch = require(dist);

function longFit(callbacks) {
  const x = torch.randn([20000, 20]);
  const y = x.narrow(1, 0, 5).argmax(1);
  const net = new torch.nn.Sequential(new torch.nn.Linear(20, 128), new torch.nn.ReLU(), new torch.nn.Linear(128, 5));
  const m = new torch.Model(net, { optimizer: new torch.optim.Adam(net.parameters()), loss: new torch.nn.CrossEntropyLoss() });
  return m.fit([x, y], { epochs: 50, batchSize: 16, verbose: 0, callbacks });
}

if (mode === 'worker') {
  const progress = { onProgress: (p) => p.batch > 2 && parentPort.postMessage('training') };
  longFit(workerData.sync ? [progress, { onBatchEnd: () => {} }] : [progress]).catch(() => {});
} else if (mode === 'workers') {
  (async () => {
    for (const sync of [true, false, true]) {
      const w = new Worker(__filename, { workerData: { dist, sync } });
      await new Promise((resolve) => w.once('message', resolve)); // natively training
      await w.terminate();
    }
    const net = new torch.nn.Linear(4, 2);
    const m = new torch.Model(net, { optimizer: new torch.optim.SGD(net.parameters(), { lr: 0.1 }), loss: new torch.nn.CrossEntropyLoss() });
    const h = await m.fit([torch.randn([64, 4]), torch.randint(0, 2, [64])], { verbose: 0 });
    console.log(JSON.stringify({ terminated: 3, epochs: h.epoch }));
  })();
} else {
  let started = false;
  longFit([{ onProgress: (p) => {
    if (p.batch > 2 && !started) {
      started = true;
      setTimeout(() => process.exit(3), 50);
    }
  } }]);
}
