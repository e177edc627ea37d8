// TensorBoard event files: the framing and protobufs read back (every CRC checked), the TensorBoard
// callback's layout (Keras's), and TensorBoard's own reader listing the scalars (Python tensorboard:
// NODETORCH_TEST_TENSORBOARD_PYTHON, which .ci/run sets up; elsewhere skipped with how to run it).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { readEvents, SummaryWriter, TensorBoard } from '../lib/model/callbacks/tensorboard';
import { needs } from './optional';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-tb-'));
const eventFile = (dir: string) => path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('events.out.tfevents.'))!);

test('SummaryWriter writes TFRecords of Event protobufs that read back, CRCs checked', () => {
  const dir = tmp();
  const w = new SummaryWriter(dir, { filenameSuffix: '.x' });
  w.addScalar('loss', 0.5, 1, 100);
  w.addScalar('loss', 0.25, 2, 101);
  w.addScalars('acc', { train: 0.75, val: 0.5 }, 3, 102);
  w.close();
  expect(path.basename(w.file)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d+\\.${os.hostname()}\\.${process.pid}\\.\\d+\\.x$`));
  const events = readEvents(w.file);
  expect(events[0].fileVersion).toBe('brain.Event:2');
  expect(events.slice(1)).toEqual([
    { wallTime: 100, step: 1, values: [{ tag: 'loss', value: 0.5 }] },
    { wallTime: 101, step: 2, values: [{ tag: 'loss', value: 0.25 }] },
    { wallTime: 102, step: 3, values: [{ tag: 'acc/train', value: 0.75 }, { tag: 'acc/val', value: 0.5 }] },
  ]);
  const bytes = fs.readFileSync(w.file);
  bytes[bytes.length - 6] ^= 1; // one bit of the last record's data
  fs.writeFileSync(w.file, bytes);
  expect(() => readEvents(w.file)).toThrow(/bad data CRC/);
  expect(() => w.addScalar('x', 1)).toThrow(/closed/);
  expect(() => new SummaryWriter(dir).addScalar('x', 1, -1)).toThrow(/globalStep/);
});

async function trainWithTensorBoard(logDir: string): Promise<torch.History> {
  torch.manualSeed(0);
  const x = torch.randn([200, 8]);
  const y = x.narrow(1, 0, 3).argmax(1);
  const net = new torch.nn.Sequential(new torch.nn.Linear(8, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 3));
  const model = new torch.Model(net, { optimizer: new torch.optim.SGD(net.parameters(), { lr: 0.1 }), loss: new torch.nn.CrossEntropyLoss(), metrics: ['accuracy'] });
  return model.fit([x, y], { epochs: 3, batchSize: 20, validationSplit: 0.2, verbose: 0, callbacks: [new TensorBoard({ logDir, updateFreq: 'batch' })] });
}

test('the TensorBoard callback writes Keras’s layout: epoch scalars in train/ and validation/, batch scalars', async () => {
  const dir = tmp();
  const h = await trainWithTensorBoard(dir);
  const scalars = (run: string) => {
    const out: Record<string, [number, number][]> = {};
    for (const e of readEvents(eventFile(path.join(dir, run)))) for (const v of e.values) (out[v.tag] ??= []).push([e.step, v.value]);
    return out;
  };
  const train = scalars('train');
  const validation = scalars('validation');
  expect(train.epoch_loss.map(([s]) => s)).toEqual([0, 1, 2]);
  train.epoch_loss.forEach(([, v], i) => expect(v).toBeCloseTo(h.history.loss[i], 6)); // float32 in the file
  train.epoch_accuracy.forEach(([, v], i) => expect(v).toBeCloseTo(h.history.accuracy[i], 6));
  expect(train.epoch_learning_rate.map(([, v]) => v)).toEqual([0.1, 0.1, 0.1].map((v) => Math.fround(v)));
  validation.epoch_loss.forEach(([, v], i) => expect(v).toBeCloseTo(h.history.val_loss[i], 6));
  expect(Object.keys(validation).sort()).toEqual(['epoch_accuracy', 'epoch_loss']);
  expect(train.batch_loss.length).toBeGreaterThan(0);
  expect(train.batch_loss.every(([s]) => s >= 1 && s <= 24)).toBe(true); // 8 batches × 3 epochs
});

const python = process.env.NODETORCH_TEST_TENSORBOARD_PYTHON ?? path.join(os.homedir(), 'torch-venv', 'bin', 'python');
const hasTensorBoard = fs.existsSync(python) && spawnSync(python, ['-c', 'import tensorboard'], { encoding: 'utf8' }).status === 0;
needs({
  what: `a Python with the tensorboard package (NODETORCH_TEST_TENSORBOARD_PYTHON, or ${python})`,
  present: hasTensorBoard,
  install: 'python3 -m venv ~/tb-venv && ~/tb-venv/bin/pip install tensorboard, then NODETORCH_TEST_TENSORBOARD_PYTHON=~/tb-venv/bin/python',
})('TensorBoard’s own reader (EventAccumulator) lists the scalars fit wrote', async () => {
  const dir = tmp();
  const h = await trainWithTensorBoard(dir);
  const r = spawnSync(python, [path.join(__dirname, '..', 'scripts', 'check_tensorboard.py'), dir], { encoding: 'utf8' });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  const runs = JSON.parse(r.stdout) as Record<string, Record<string, [number, number][]>>;
  expect(Object.keys(runs).sort()).toEqual(['train', 'validation']);
  expect(runs.train.epoch_loss.map(([s]) => s)).toEqual([0, 1, 2]);
  runs.train.epoch_loss.forEach(([, v], i) => expect(v).toBeCloseTo(h.history.loss[i], 6));
  runs.validation.epoch_accuracy.forEach(([, v], i) => expect(v).toBeCloseTo(h.history.val_accuracy[i], 6));
  expect(runs.train.batch_loss.length).toBeGreaterThan(0);
});
