// The addon keeps no per-process JS state: it loads in worker threads, several
// at once, and again after a worker is terminated.
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as torch from '../lib';

const DIST = path.join(__dirname, '..', 'dist', 'lib');

function startWorker(seed: number, stayAlive = false): { worker: Worker; result: Promise<number[]> } {
  const code = `
    const { parentPort, workerData } = require('worker_threads');
    const torch = require(workerData.dist);
    // Its own generator: the default one is process-wide (shared with the other workers, as in
    // PyTorch's threads), so seeding it here would race with them.
    const g = new torch.Generator().manualSeed(workerData.seed);
    const x = torch.randn(64, 64, { generator: g, requiresGrad: true });
    const loss = x.matmul(x).relu().sum();
    loss.backward();
    let err = '';
    try { torch.ones(2).matmul(torch.ones(3)); } catch (e) { err = e.name; }
    parentPort.postMessage({ sum: x.grad.sum().item(), err });
    if (workerData.stayAlive) setInterval(() => torch.ones(100).sum(), 10);
  `;
  const worker = new Worker(code, { eval: true, workerData: { dist: DIST, seed, stayAlive } });
  const result = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (m) => resolve([m.sum, m.err === 'TorchError' ? 1 : 0]));
    worker.once('error', reject);
  });
  return { worker, result };
}

describe('worker threads', () => {
  test('two workers at once and the main thread compute the same results', async () => {
    // Each draws from its own torch.Generator seeded with 3: that is what is guaranteed to give the
    // same numbers in every thread, whatever the others do at the same time.
    const expected = (() => {
      const x = torch.randn(64, 64, { generator: new torch.Generator().manualSeed(3), requiresGrad: true });
      x.matmul(x).relu().sum().backward();
      return x.grad!.sum().item();
    })();
    const a = startWorker(3);
    const b = startWorker(3);
    const [ra, rb] = await Promise.all([a.result, b.result]);
    expect(ra[0]).toBeCloseTo(expected, 3);
    expect(rb[0]).toBeCloseTo(expected, 3);
    expect(ra[1]).toBe(1); // errors in a worker are TorchErrors of that worker's realm
    await Promise.all([a.worker.terminate(), b.worker.terminate()]);
  });

  test('the addon loads again after a busy worker is terminated', async () => {
    const busy = startWorker(1, true);
    await busy.result;
    await busy.worker.terminate();
    const again = startWorker(2);
    const r = await again.result;
    expect(Number.isFinite(r[0])).toBe(true);
    await again.worker.terminate();
    expect(torch.ones(3).sum().item()).toBe(3); // and the main thread is unaffected
  });
});
