// The event loop while a model trains: seed 002's Net trained with Model.fit on
// MNIST, while an HTTP server on 127.0.0.1 in the same process is asked for a
// page every 20 ms. Prints the event loop's delay (monitorEventLoopDelay: p50,
// p99, max), the requests answered and their latency, for the native engine
// and for the JavaScript loop, side by side.
//
//   npm run build:ts && node dist/bench/event_loop.js [--limit 60000] [--epochs 1] [--engine auto|js|both] [--json]
import * as http from 'http';
import { AddressInfo } from 'net';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as torch from '../lib';
import { Net } from '../lib/model/zoo';
const { nn, optim } = torch;
const { datasets, transforms } = torch.vision;

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export interface EventLoopRun {
  engine: string;
  path: string;
  fitSeconds: number;
  delayMs: { p50: number; p99: number; max: number };
  requests: number;
  answered: number;
  latencyMs: { p50: number; max: number };
}

async function measure(engine: 'auto' | 'js', limit: number, epochs: number): Promise<EventLoopRun> {
  torch.manualSeed(1);
  const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
  const full = new datasets.MNIST('./data', { train: true, transform });
  const train = limit < full.length ? new torch.data.Subset(full, Array.from({ length: limit }, (_, i) => i)) : full;
  const loader = new torch.data.DataLoader(train, { batchSize: 64, shuffle: true });
  const net = new Net();
  const model = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.5 }), loss: new nn.NLLLoss(), engine });

  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let requests = 0;
  let training = true;
  const ask = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      requests++;
      http
        .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            resolve();
          });
        })
        .on('error', () => resolve());
    });
  const client = (async () => {
    while (training) {
      await ask();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t0 = performance.now();
  await model.fit(loader, { epochs, verbose: 0 });
  const fitSeconds = (performance.now() - t0) / 1000;
  h.disable();
  training = false;
  await client;
  agent.destroy();
  server.close();
  const ms = (ns: number) => ns / 1e6;
  latencies.sort((a, b) => a - b);
  return {
    engine,
    path: model.engineReport.train,
    fitSeconds,
    delayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
    requests,
    answered: latencies.length,
    latencyMs: { p50: latencies[Math.floor(latencies.length / 2)] ?? NaN, max: latencies[latencies.length - 1] ?? NaN },
  };
}

async function main(): Promise<void> {
  const limit = Number(opt('limit', '60000'));
  const epochs = Number(opt('epochs', '1'));
  const which = opt('engine', 'both');
  const engines: ('auto' | 'js')[] = which === 'both' ? ['auto', 'js'] : [which as 'auto' | 'js'];
  const runs: EventLoopRun[] = [];
  for (const e of engines) runs.push(await measure(e, limit, epochs));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(runs));
    return;
  }
  console.log(`seed 002 Net, Model.fit, batch 64, ${limit} samples × ${epochs} epoch(s), requests every 20 ms`);
  console.log('engine | fit s | loop delay p50 / p99 / max ms | requests answered | latency p50 / max ms');
  for (const r of runs) {
    console.log(`${r.engine} | ${r.fitSeconds.toFixed(1)} | ${r.delayMs.p50.toFixed(1)} / ${r.delayMs.p99.toFixed(1)} / ${r.delayMs.max.toFixed(1)} | ${r.answered}/${r.requests} | ${r.latencyMs.p50.toFixed(1)} / ${r.latencyMs.max.toFixed(1)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
