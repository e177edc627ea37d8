// Keras's callbacks: the progress bar's output, EarlyStopping, ModelCheckpoint, LearningRateScheduler,
// ReduceLROnPlateau, CSVLogger — driven by real fits, or by their hooks with scripted logs where Keras's rules
// are the point. (BackupAndRestore: test/backup_restore.test.ts; TensorBoard: test/tensorboard.test.ts.)
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import type { Logs, Progress, TrainingModel } from '../lib';
const { callbacks } = torch;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nodetorch-cb-'));

function setup(lr = 0.1) {
  torch.manualSeed(0);
  const x = torch.randn([240, 8]);
  const y = x.narrow(1, 0, 3).argmax(1);
  const net = new torch.nn.Sequential(new torch.nn.Linear(8, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 3));
  const model = new torch.Model(net, { optimizer: new torch.optim.SGD(net.parameters(), { lr }), loss: new torch.nn.CrossEntropyLoss(), metrics: ['accuracy'] });
  return { x, y, net, model };
}

/** A TrainingModel stand-in for driving a callback's hooks with scripted logs. */
function fakeModel(): TrainingModel & { weights: number; lrs: number[] } {
  const m = {
    weights: 0,
    lrs: [0.1, 0.01],
    stopTraining: false,
    resumeEpoch: null,
    module: null as never,
    optimizer: null,
    scheduler: null,
    params: { epochs: 10, steps: 5, verbose: 0 },
    getLearningRates: () => m.lrs.slice(),
    setLearningRates: (lr: number | number[]) => void (m.lrs = typeof lr === 'number' ? m.lrs.map(() => lr) : lr.slice()),
    getWeights: () => ({ w: torch.tensor(m.weights) }),
    setWeights: (w: Record<string, torch.Tensor>) => void (m.weights = w.w.item()),
    save: () => undefined,
    saveTrainingState: () => undefined,
    loadTrainingState: () => 0,
  };
  return m;
}

describe('ProgressBar', () => {
  function stream(isTTY: boolean) {
    const chunks: string[] = [];
    return { isTTY, chunks, write: (s: string) => chunks.push(s) > 0 };
  }
  const progress = (batch: number, elapsed: number): Progress => ({ phase: 'train', epoch: 0, epochs: 2, batch, batches: 4, samples: batch * 10, logs: { loss: 1 / (batch + 1), accuracy: batch / 4 }, elapsed });

  test('without a terminal: plain lines, one per epoch end and one per interval', () => {
    let now = 0;
    const s = stream(false);
    const bar = new callbacks.ProgressBar({ stream: s as never, verbose: 1, intervalSecs: 1, width: 10, now: () => now });
    bar.setModel(fakeModel());
    bar.onEpochBegin(0);
    now = 500;
    bar.onProgress(progress(1, 0.5)); // within the interval: nothing
    now = 1200;
    bar.onProgress(progress(2, 1.2));
    now = 2400;
    bar.onProgress(progress(4, 2.4));
    bar.onEpochEnd(0, { loss: 0.2, accuracy: 1, val_loss: 0.3, val_accuracy: 0.5, lr: 0.1 });
    expect(s.chunks.join('')).toBe(
      'Epoch 1/10\n' +
        '2/4 [====>.....] - ETA: 1s - 17 samples/s - loss: 0.3333 - accuracy: 0.5000\n' +
        '4/4 [==========] - 2s 600ms/step - 17 samples/s - loss: 0.2000 - accuracy: 1.0000 - val_loss: 0.3000 - val_accuracy: 0.5000\n',
    );
  });

  test('on a terminal: one line redrawn in place; verbose 2: one line per epoch; verbose 0: nothing', () => {
    let now = 0;
    const s = stream(true);
    const bar = new callbacks.ProgressBar({ stream: s as never, verbose: 1, width: 10, now: () => now });
    bar.onEpochBegin(0);
    now = 200;
    bar.onProgress(progress(1, 0.2));
    now = 250;
    bar.onProgress(progress(2, 0.25)); // under 100 ms after the last draw: skipped
    now = 400;
    bar.onProgress(progress(3, 0.4));
    bar.onEpochEnd(0, { loss: 0.2, accuracy: 1 });
    const out = s.chunks.join('');
    expect(out.match(/\r/g)!.length).toBe(3);
    expect(out).toContain('\r1/4 [=>........] - ETA: 1s'); // Keras's bar: '=' × (filled − 1), '>'
    expect(out).toContain('\x1b[K');
    expect(out.endsWith('\x1b[K\n')).toBe(true);
    const two = stream(true);
    const bar2 = new callbacks.ProgressBar({ stream: two as never, verbose: 2 });
    bar2.onEpochBegin(0);
    bar2.onProgress(progress(4, 2));
    bar2.onEpochEnd(0, { loss: 0.25 });
    expect(two.chunks).toEqual(['Epoch 1/? - 2s - loss: 0.2500\n']);
    const zero = stream(true);
    const bar0 = new callbacks.ProgressBar({ stream: zero as never, verbose: 0 });
    bar0.onEpochBegin(0);
    bar0.onProgress(progress(4, 2));
    bar0.onEpochEnd(0, { loss: 0.25 });
    expect(zero.chunks).toEqual([]);
  });
});

describe('EarlyStopping (Keras’s rules)', () => {
  function drive(es: InstanceType<typeof callbacks.EarlyStopping>, values: number[], monitor = 'val_loss') {
    const m = fakeModel();
    es.setModel(m);
    es.onTrainBegin();
    let epoch = 0;
    for (; epoch < values.length && !m.stopTraining; epoch++) {
      m.weights = epoch; // the weights "after" this epoch
      es.onEpochEnd(epoch, { [monitor]: values[epoch] });
    }
    es.onTrainEnd();
    return { ran: epoch, m };
  }
  test('stops after `patience` epochs without improvement, and restores the best weights', () => {
    const es = new callbacks.EarlyStopping({ patience: 2, restoreBestWeights: true });
    const { ran, m } = drive(es, [1.0, 0.8, 0.85, 0.9, 0.7, 0.6]);
    expect(ran).toBe(4);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.bestEpoch).toBe(1);
    expect(m.weights).toBe(1);
  });
  test('minDelta, max mode (auto for accuracy), baseline', () => {
    expect(drive(new callbacks.EarlyStopping({ monitor: 'val_loss', minDelta: 0.1, patience: 1 }), [1.0, 0.95, 0.91]).ran).toBe(2);
    expect(drive(new callbacks.EarlyStopping({ monitor: 'val_accuracy', patience: 1 }), [0.5, 0.6, 0.55, 0.7], 'val_accuracy').ran).toBe(3);
    // improvements that do not beat the baseline do not restart the wait
    expect(drive(new callbacks.EarlyStopping({ monitor: 'val_accuracy', patience: 2, baseline: 0.9 }), [0.5, 0.6, 0.6, 0.6], 'val_accuracy').ran).toBe(3);
    expect(drive(new callbacks.EarlyStopping({ monitor: 'val_accuracy', patience: 2 }), [0.5, 0.6, 0.6, 0.6], 'val_accuracy').ran).toBe(4);
  });
  test('bad options are refused', () => {
    expect(() => new callbacks.EarlyStopping({ mode: 'up' as never })).toThrow(/mode/);
    expect(() => new callbacks.EarlyStopping({ patience: -1 })).toThrow(/patience/);
  });
  test('in a fit: training ends early', async () => {
    const { x, y, model } = setup(0); // lr 0: nothing improves
    const h = await model.fit([x, y], { epochs: 10, validationSplit: 0.25, verbose: 0, callbacks: [new callbacks.EarlyStopping({ patience: 2 })] });
    expect(h.epoch).toEqual([0, 1, 2]);
  });
});

test('ModelCheckpoint saves every epoch or the best only, with the epoch and logs in the name, loadable', async () => {
  const dir = tmp();
  const { x, y, net, model } = setup();
  const every = new callbacks.ModelCheckpoint(path.join(dir, 'w-{epoch:02d}.safetensors'), { saveBestOnly: false });
  const best = new callbacks.ModelCheckpoint(path.join(dir, 'best-{epoch}-{val_loss:.3f}.safetensors'), { saveBestOnly: true });
  const full = new callbacks.ModelCheckpoint(path.join(dir, 'state.pt'), { saveWeightsOnly: false });
  const h = await model.fit([x, y], { epochs: 3, validationSplit: 0.25, verbose: 0, callbacks: [every, best, full] });
  expect(every.saved.map((f) => path.basename(f))).toEqual(['w-01.safetensors', 'w-02.safetensors', 'w-03.safetensors']);
  const improving = h.history.val_loss.map((v, i, a) => a.slice(0, i).every((p) => v < p));
  expect(best.saved.length).toBe(improving.filter(Boolean).length);
  expect(path.basename(best.saved[0])).toBe(`best-1-${h.history.val_loss[0].toFixed(3)}.safetensors`);
  const w3 = torch.safetensors.loadFile(every.saved[2]);
  for (const [k, t] of Object.entries(net.stateDict())) expect(torch.equal(w3[k], t)).toBe(true);
  const fresh = setup();
  fresh.model.load(path.join(dir, 'state.pt')); // weights, optimizer, scheduler
  for (const [k, t] of Object.entries(net.stateDict())) expect(torch.equal(fresh.net.stateDict()[k], t)).toBe(true);
  expect(() => callbacks.formatFilepath('{nope}', 0, {})).toThrow(/'nope'/);
});

test('LearningRateScheduler sets each epoch’s rate; the native engine uses it', async () => {
  const a = setup();
  const h = await a.model.fit([a.x, a.y], { epochs: 3, verbose: 0, callbacks: [new callbacks.LearningRateScheduler((epoch) => 0.1 / (epoch + 1))] });
  expect(h.history.lr).toEqual([0.1, 0.05, 0.1 / 3]);
  // the same schedule set by hand, epoch by epoch, gives the same weights
  const b = setup();
  for (let e = 0; e < 3; e++) {
    b.model.setLearningRates(0.1 / (e + 1));
    await b.model.fit([b.x, b.y], { epochs: 1, verbose: 0 });
  }
  // (separate fits shuffle from the same global stream, so the orders match)
  for (const [k, t] of Object.entries(a.net.stateDict())) expect(torch.equal(b.net.stateDict()[k], t)).toBe(true);
});

test('ReduceLROnPlateau: factor after patience, cooldown, minLr', () => {
  const r = new callbacks.ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, minLr: 0.004 });
  const m = fakeModel();
  r.setModel(m);
  r.onTrainBegin();
  const lrs: number[][] = [];
  [1, 1, 1, 1, 1, 1].forEach((v, e) => {
    r.onEpochEnd(e, { val_loss: v });
    lrs.push(m.lrs.slice());
  });
  // Keras's order: the cooldown counter drops first, then a reduction is allowed once it is 0
  expect(lrs).toEqual([
    [0.1, 0.01],
    [0.05, 0.005],
    [0.05, 0.005], // cooldown
    [0.025, 0.004], // minLr
    [0.025, 0.004],
    [0.0125, 0.004],
  ]);
  expect(() => new callbacks.ReduceLROnPlateau({ factor: 1 })).toThrow(/factor/);
});

test('CSVLogger writes a header and a row per epoch, appending when asked', async () => {
  const file = path.join(tmp(), 'log.csv');
  const { x, y, model } = setup();
  const h = await model.fit([x, y], { epochs: 2, validationSplit: 0.25, verbose: 0, callbacks: [new callbacks.CSVLogger(file)] });
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n');
  expect(rows[0]).toBe('epoch,accuracy,loss,lr,val_accuracy,val_loss');
  expect(rows.length).toBe(3);
  expect(rows[2].split(',').map(Number)).toEqual([1, h.history.accuracy[1], h.history.loss[1], 0.1, h.history.val_accuracy[1], h.history.val_loss[1]]);
  await model.fit([x, y], { epochs: 1, validationSplit: 0.25, verbose: 0, callbacks: [new callbacks.CSVLogger(file, { append: true, separator: ',' })] });
  const again = fs.readFileSync(file, 'utf8').trim().split('\n');
  expect(again.length).toBe(4);
  expect(again.filter((l) => l.startsWith('epoch')).length).toBe(1);
});

test('a monitor the logs lack warns once and does nothing', async () => {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const { x, y, model } = setup();
    const h = await model.fit([x, y], { epochs: 3, verbose: 0, callbacks: [new callbacks.EarlyStopping({ monitor: 'val_f1' })] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(spy.mock.calls.filter((c) => String(c[0]).includes("'val_f1'")).length).toBe(1);
  } finally {
    spy.mockRestore();
  }
});
void (null as unknown as Logs);
