// Training while another process saturates a core: seed 001's ConvNet (LeNet-
// style, batch 64, SGD lr 0.001 momentum 0.9) for a number of batches, quiet and
// beside a busy loop, for several OpenMP settings, side by side in one run.
// Prints wall time, CPU time and the busy/quiet ratio for each setting.
//
//   npx tsc -p tsconfig.json && node dist/bench/busy_machine.js [--batches 300] [--repeats 3] [--settings default,passive,...] [--quiet-only]
import { spawn, spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const batches = Number(opt('batches', '300'));
const repeats = Number(opt('repeats', '1'));
const dist = path.resolve(__dirname, '..', 'lib');

/** Settings: extra environment for the training process (nodetorch's defaults apply to what is not set). */
const SETTINGS: Record<string, NodeJS.ProcessEnv> = {
  default: {},
  'active-spin': { OMP_WAIT_POLICY: 'ACTIVE' },
  'libgomp-default': { OMP_WAIT_POLICY: '', NODETORCH_OMP_WAIT_POLICY: 'keep' },
  passive: { OMP_WAIT_POLICY: 'PASSIVE' },
  'spin-1k': { GOMP_SPINCOUNT: '1000', OMP_WAIT_POLICY: '', NODETORCH_OMP_WAIT_POLICY: 'keep' },
  'spin-10k': { GOMP_SPINCOUNT: '10000', OMP_WAIT_POLICY: '', NODETORCH_OMP_WAIT_POLICY: 'keep' },
  'spin-100k': { GOMP_SPINCOUNT: '100000', OMP_WAIT_POLICY: '', NODETORCH_OMP_WAIT_POLICY: 'keep' },
  '1-thread': { OMP_NUM_THREADS: '1' },
};
const chosen = opt('settings', Object.keys(SETTINGS).join(',')).split(',');
const quietOnly = process.argv.includes('--quiet-only');

const child = `
  const torch = require(${JSON.stringify(dist)});
  const { nn, F } = torch;
  torch.manualSeed(1);
  class ConvNet extends nn.Module {
    conv1 = new nn.Conv2d(1, 6, { kernelSize: 3 });
    conv2 = new nn.Conv2d(6, 16, { kernelSize: 3 });
    fc1 = new nn.Linear(400, 120);
    fc2 = new nn.Linear(120, 84);
    fc3 = new nn.Linear(84, 10);
    forward(x) {
      x = F.maxPool2d(F.relu(this.conv1.forward(x)), 2);
      x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
      x = x.view(-1, 400);
      return this.fc3.forward(F.relu(this.fc2.forward(F.relu(this.fc1.forward(x)))));
    }
  }
  const { datasets, transforms } = torch.vision;
  const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
  const loader = new torch.data.DataLoader(new datasets.MNIST('./data', { train: true, transform }), { batchSize: 64, shuffle: true });
  const model = new ConvNet();
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), y).backward();
    optimizer.step();
    if (++n === ${batches}) break;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1e6, threads: torch.getNumThreads() }));
`;

interface Result {
  wall: number;
  cpu: number;
  threads: number;
}

function train(env: NodeJS.ProcessEnv): Result {
  const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function best(env: NodeJS.ProcessEnv): Result {
  let out: Result | undefined;
  for (let i = 0; i < repeats; i++) {
    const r = train(env);
    if (!out || r.wall < out.wall) out = r;
  }
  return out!;
}

console.log(`${batches} batches of seed 001's ConvNet, ${os.availableParallelism()} cores (${os.cpus()[0].model}), best of ${repeats}`);
console.log('setting | threads | quiet s (CPU s) | one core busy s (CPU s) | busy / quiet');
for (const name of chosen) {
  const env = SETTINGS[name];
  if (!env) throw new Error(`unknown setting ${name}`);
  const quiet = best(env);
  if (quietOnly) {
    console.log(`${name} | ${quiet.threads} | ${quiet.wall.toFixed(2)} (${quiet.cpu.toFixed(2)}) | - | -`);
    continue;
  }
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  let busy: Result;
  try {
    busy = best(env);
  } finally {
    hog.kill('SIGKILL');
  }
  console.log(`${name} | ${quiet.threads} | ${quiet.wall.toFixed(2)} (${quiet.cpu.toFixed(2)}) | ${busy.wall.toFixed(2)} (${busy.cpu.toFixed(2)}) | ${(busy.wall / quiet.wall).toFixed(2)}`);
}
