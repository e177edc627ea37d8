// torch.Model: fit / evaluate / predict, the native engine against the JavaScript loop (same numbers),
// the tracing fallback, callbacks, the locking rule, abort.
import * as torch from '../lib';
import type { Callback, TrainingModel } from '../lib';
const { nn, optim, F } = torch;

class Mlp extends nn.Module {
  fc1 = new nn.Linear(20, 32);
  drop = new nn.Dropout(0.2);
  fc2 = new nn.Linear(32, 5);
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2(this.drop(F.relu(this.fc1(x))));
  }
}

/** Forward with control flow that depends on the data: cannot be traced. */
class Branchy extends Mlp {
  forward(x: torch.Tensor): torch.Tensor {
    const h = F.relu(this.fc1(x));
    return h.sum().item() > 0 ? this.fc2(h) : this.fc2(h.neg());
  }
}

function data(n = 300, seed = 0): [torch.Tensor, torch.Tensor] {
  torch.manualSeed(seed);
  const x = torch.randn([n, 20]);
  const y = x.narrow(1, 0, 5).argmax(1); // learnable
  return [x, y];
}

type OptName = 'sgd' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'rmsprop-centered' | 'adagrad' | 'adadelta';
function makeOptimizer(name: OptName, params: torch.Tensor[]): torch.optim.Optimizer<any> {
  switch (name) {
    case 'sgd': return new optim.SGD(params, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 });
    case 'nesterov': return new optim.SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true });
    case 'adam': return new optim.Adam(params, { lr: 0.01, amsgrad: true, weightDecay: 1e-3 });
    case 'adamw': return new optim.AdamW(params, { lr: 0.01 });
    case 'rmsprop': return new optim.RMSprop(params, { lr: 0.01, momentum: 0.5, weightDecay: 1e-3 });
    case 'rmsprop-centered': return new optim.RMSprop(params, { lr: 0.01, centered: true, alpha: 0.9 });
    case 'adagrad': return new optim.Adagrad(params, { lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 });
    case 'adadelta': return new optim.Adadelta(params);
  }
}

interface Trained {
  weights: Record<string, torch.Tensor>;
  history: torch.History;
  report: Record<string, string>;
  model: torch.Model;
}

async function train(engine: 'auto' | 'js', opt: OptName, options: torch.FitOptions = {}, Net: new () => Mlp = Mlp): Promise<Trained> {
  const [x, y] = data();
  const [vx, vy] = data(100, 1);
  torch.manualSeed(7);
  const net = new Net();
  const model = new torch.Model(net, { optimizer: makeOptimizer(opt, net.parameters()), loss: new nn.CrossEntropyLoss(), metrics: ['accuracy', 'top2_accuracy'], engine });
  const history = await model.fit(new torch.data.DataLoader(new torch.data.TensorDataset(x, y), { batchSize: 32, shuffle: true }), {
    epochs: 3,
    verbose: 0,
    validationData: [vx, vy],
    ...options,
  });
  return { weights: net.stateDict(), history, report: model.engineReport, model };
}

function expectSameWeights(a: Record<string, torch.Tensor>, b: Record<string, torch.Tensor>): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) expect(torch.equal(a[k], b[k])).toBe(true);
}

describe('Model.fit: the native engine gives the JavaScript loop’s numbers exactly', () => {
  test.each<OptName>(['sgd', 'nesterov', 'adam', 'adamw', 'rmsprop', 'rmsprop-centered', 'adagrad'])('%s', async (opt) => {
    const nat = await train('auto', opt);
    const js = await train('js', opt);
    expect(nat.report.train).toMatch(/^native/);
    expect(nat.report.eval).toMatch(/^native/);
    expect(js.report.train).toMatch(/^js/);
    expectSameWeights(nat.weights, js.weights);
    expect(nat.history).toEqual(js.history);
    expect(nat.history.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(nat.history.history).sort()).toEqual(['accuracy', 'loss', 'lr', 'top2_accuracy', 'val_accuracy', 'val_loss', 'val_top2_accuracy']);
    // it learned something: the last epoch's loss is below the first's
    expect(nat.history.history.loss[2]).toBeLessThan(nat.history.history.loss[0]);
  });

  test('gradClipNorm clips the same way in both', async () => {
    const nat = await train('auto', 'sgd', { gradClipNorm: 0.1 });
    const js = await train('js', 'sgd', { gradClipNorm: 0.1 });
    const unclipped = await train('js', 'sgd');
    expectSameWeights(nat.weights, js.weights);
    expect(torch.equal(nat.weights['fc1.weight'], unclipped.weights['fc1.weight'])).toBe(false);
  });

  test('an optimizer without a native update trains from JavaScript, and says why', async () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const r = await train('auto', 'adadelta');
      expect(r.report.train).toMatch(/^js: Adadelta has no native update/);
      expect(r.report.eval).toMatch(/^native/);
      const calls = spy.mock.calls.filter((c) => String(c[0]).includes('Adadelta'));
      expect(calls.length).toBe(1); // one notice, not one per epoch
      expect(calls[0][1]).toEqual({ code: 'NODETORCH_JS_TRAINING_LOOP' });
    } finally {
      spy.mockRestore();
    }
  });

  test('a forward whose control flow depends on the data falls back to JavaScript, with the same numbers', async () => {
    const nat = await train('auto', 'sgd', {}, Branchy);
    const js = await train('js', 'sgd', {}, Branchy);
    expect(nat.report.train).toMatch(/^js: .*read into JavaScript/);
    expectSameWeights(nat.weights, js.weights);
  });

  test('built-in layers in a Sequential take the native path too', async () => {
    const [x, y] = data();
    const run = async (engine: 'auto' | 'js') => {
      torch.manualSeed(3);
      const net = new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 5));
      const model = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }), loss: new nn.CrossEntropyLoss(), engine });
      await model.fit([x, y], { epochs: 2, batchSize: 50, verbose: 0 });
      return { w: net.stateDict(), report: model.engineReport };
    };
    const a = await run('auto');
    const b = await run('js');
    expect(a.report.train).toMatch(/^native/);
    expectSameWeights(a.w, b.w);
  });
});

describe('Model: evaluate and predict', () => {
  test('evaluate gives the loss, metrics and confusion matrix of the outputs predict gives', async () => {
    const { model } = await train('auto', 'adam');
    const [vx, vy] = data(100, 1);
    const ev = await model.evaluate([vx, vy], { batchSize: 16 });
    const out = await model.predict(vx, { batchSize: 16 });
    expect(out.shape).toEqual([100, 5]);
    const direct = torch.noGrad(() => {
      model.module.eval();
      return model.module(vx) as torch.Tensor;
    });
    expect(torch.allclose(out, direct, { rtol: 0, atol: 1e-6 })).toBe(true);
    const pred = out.argmax(1);
    const correct = pred.eq(vy).sum().item();
    expect(ev.logs.accuracy).toBeCloseTo(correct / 100, 12);
    const loss = F.crossEntropy(out, vy).item();
    expect(ev.logs.loss).toBeCloseTo(loss, 5);
    expect(ev.confusion).not.toBeNull();
    const cm = ev.confusion!;
    expect(cm.length).toBe(5);
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(cm.reduce((s, row, i) => s + row[i], 0)).toBe(correct);
    const yl = vy.tolist() as number[];
    const pl = pred.tolist() as number[];
    expect(cm[yl[0]][pl[0]]).toBeGreaterThan(0);
    const probs = await model.predict(vx, { activation: 'softmax' });
    expect(torch.allclose(probs.sum(1), torch.ones([100]), { atol: 1e-5 })).toBe(true);
  });
});

describe('Model: summary, save and load', () => {
  test('summary lists the layers and counts parameters, trainable and frozen', () => {
    const net = new Mlp();
    net.fc1.requiresGrad_(false);
    const text = new torch.Model(net).summary();
    expect(text).toMatch(/^Model: Mlp/);
    expect(text).toMatch(/fc1 +Linear +672\n/);
    expect(text).toMatch(/fc2 +Linear +165\n/);
    expect(text).toContain('Total params: 837');
    expect(text).toContain('Trainable params: 165');
    expect(text).toContain('Non-trainable params: 672');
  });

  test('save/load: weights as safetensors; with the optimizer, training resumes where it was', async () => {
    const dir = require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'nodetorch-model-'));
    const a = await train('auto', 'adam');
    a.model.save(`${dir}/w.safetensors`);
    a.model.save(`${dir}/state.pt`, { withOptimizer: true });
    const net = new Mlp();
    const b = new torch.Model(net, { optimizer: new optim.Adam(net.parameters(), { lr: 0.01, amsgrad: true, weightDecay: 1e-3 }), loss: new nn.CrossEntropyLoss() });
    b.load(`${dir}/w.safetensors`);
    expectSameWeights(net.stateDict(), a.weights);
    b.load(`${dir}/state.pt`);
    // one more epoch from both, from the same global random state: the same weights, so the optimizer state came too
    const [x, y] = data();
    torch.manualSeed(9);
    await a.model.fit([x, y], { epochs: 1, verbose: 0 });
    torch.manualSeed(9);
    await b.fit([x, y], { epochs: 1, verbose: 0 });
    expectSameWeights(net.stateDict(), a.model.module.stateDict());
    expect(() => b.load(`${dir}/missing.pt`)).toThrow(/no such file/);
  });
});

test('Module.to({ memoryFormat: "channels_last" }) converts the 4-D weights only, keeping the Parameters', () => {
  const net = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Flatten(), new nn.Linear(4 * 6 * 6, 2));
  const conv = net.at(0) as torch.nn.Conv2d;
  const weight = conv.weight;
  const before = weight.detach().clone();
  net.to({ memoryFormat: 'channels_last' });
  expect(conv.weight).toBe(weight); // the same Parameter (an optimizer made before still holds it)
  expect(weight.stride()).toEqual([27, 1, 9, 3]); // NHWC strides of [4, 3, 3, 3]
  expect(torch.equal(weight, before)).toBe(true);
  expect((net.at(2) as torch.nn.Linear).weight.stride()).toEqual([144, 1]);
  const x = torch.randn([2, 3, 8, 8]);
  expect(torch.allclose(net(x), net.to({ memoryFormat: 'contiguous_format' })(x), { atol: 1e-5 })).toBe(true);
  expect(() => net.to({ memory_format: 'channels_last' } as never)).toThrow(/unknown option 'memory_format'/);
});

describe('Model: callbacks', () => {
  test('hooks run in Keras’s order; batch hooks pause the native engine without changing the numbers', async () => {
    const events: string[] = [];
    let seen: TrainingModel | null = null;
    const cb: Callback = {
      setModel: (m) => (seen = m),
      onTrainBegin: () => void events.push('trainBegin'),
      onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
      onBatchBegin: (b) => void events.push(`batchBegin ${b}`),
      onBatchEnd: async (b, logs) => {
        events.push(`batchEnd ${b}`);
        expect(Number.isFinite(logs.loss)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 1)); // async hooks are awaited
      },
      onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${'val_loss' in logs}`),
      onTrainEnd: () => void events.push('trainEnd'),
    };
    const withHooks = await train('auto', 'sgd', { callbacks: [cb] });
    const plain = await train('auto', 'sgd');
    expect(seen).toBe(withHooks.model);
    expect(withHooks.report.train).toMatch(/^native/);
    expectSameWeights(withHooks.weights, plain.weights);
    const batches = Math.ceil(300 / 32);
    const expected = ['trainBegin'];
    for (let e = 0; e < 3; e++) {
      expected.push(`epochBegin ${e}`);
      for (let b = 0; b < batches; b++) expected.push(`batchBegin ${b}`, `batchEnd ${b}`);
      expected.push(`epochEnd ${e} true`);
    }
    expected.push('trainEnd');
    expect(events).toEqual(expected);
  });

  test('stopTraining set in a callback ends fit after that epoch; onProgress sees the running logs', async () => {
    const progress: number[] = [];
    const r = await train('auto', 'sgd', {
      epochs: 10,
      callbacks: [stopAfter(1), { onProgress: (p) => void progress.push(p.batch) }],
    });
    expect(r.history.epoch).toEqual([0, 1]);
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBe(Math.ceil(300 / 32));
  });
});

/** A callback that stops training at the end of epoch `last`. */
function stopAfter(last: number): Callback {
  let model: TrainingModel | null = null;
  return {
    setModel: (m) => (model = m),
    onEpochEnd: (e) => {
      if (e === last) model!.stopTraining = true;
    },
  };
}

describe('Model: one run at a time, locked tensors, abort', () => {
  function bigRun(signal?: AbortSignal, callbacks: Callback[] = []) {
    const [x, y] = data(4000, 2);
    torch.manualSeed(1);
    const net = new Mlp();
    const m = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.01 }), loss: new nn.CrossEntropyLoss() });
    const p = m.fit([x, y], { epochs: 3, batchSize: 8, verbose: 0, signal, callbacks });
    return { m, net, p };
  }

  test('a second fit (or evaluate) while one runs is refused', async () => {
    const { m, p } = bigRun();
    await expect(m.fit(data(), { verbose: 0 })).rejects.toThrow(/busy in fit\(\)/);
    await expect(m.evaluate(data())).rejects.toThrow(/busy in fit\(\)/);
    await p;
    await expect(m.evaluate(data(), { verbose: 0 })).resolves.toHaveProperty('logs');
  });

  test('the module’s tensors are refused to JavaScript while the native thread trains, and usable in callbacks', async () => {
    let inCallback: number | null = null;
    const { net, p } = bigRun(undefined, [{ onEpochEnd: () => void (inCallback = net.fc1.weight.sum().item()) }]);
    // the native engine starts after the first (traced) batches
    let refused: unknown = null;
    for (let i = 0; i < 200 && !refused; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        net.fc1.weight.add(1);
      } catch (e) {
        refused = e;
      }
    }
    await p;
    expect(String(refused)).toMatch(/being trained by Model\.fit\(\) on its native thread/);
    expect(inCallback).not.toBeNull();
    expect(Number.isFinite(net.fc1.weight.sum().item())).toBe(true); // usable again after fit
  });

  test('an AbortSignal stops fit within a batch: it rejects with an AbortError and the model stays usable', async () => {
    const ac = new AbortController();
    let batches = 0;
    const { m, net, p } = bigRun(ac.signal, [{ onProgress: (pr) => { batches = pr.batch; if (pr.batch > 20) ac.abort(); } }]);
    await expect(p).rejects.toThrow(/aborted/);
    expect(batches).toBeLessThan(500);
    expect(Number.isFinite(net.fc1.weight.sum().item())).toBe(true);
    const again = await m.fit(data(), { epochs: 1, verbose: 0 });
    expect(again.epoch).toEqual([0]);
  });

  test('an error on the native thread rejects fit with a TorchError, and the model stays usable', async () => {
    const [x, y] = data(400, 3);
    const bad = y.clone();
    bad.indexPut_([300], torch.tensor(99)); // a class out of range, in a batch the native engine runs
    const net = new Mlp();
    const m = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }), loss: new nn.CrossEntropyLoss() });
    const loader = new torch.data.DataLoader(new torch.data.TensorDataset(x, bad), { batchSize: 20 });
    await expect(m.fit(loader, { verbose: 0 })).rejects.toThrow(torch.TorchError);
    await expect(m.fit(loader, { verbose: 0 })).rejects.toThrow(/out of bounds/);
    expect(Number.isFinite(net.fc1.weight.sum().item())).toBe(true);
    const h = await m.fit([x, y], { verbose: 0 });
    expect(h.epoch).toEqual([0]);
  });

  test('an error thrown by a batch callback stops the native run and rejects fit with it', async () => {
    const [x, y] = data(400, 3);
    const net = new Mlp();
    const m = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }), loss: new nn.CrossEntropyLoss() });
    const cb: Callback = {
      onBatchEnd: (b) => {
        if (b === 7) throw new Error('callback failed at batch 7');
      },
    };
    await expect(m.fit([x, y], { batchSize: 20, verbose: 0, callbacks: [cb] })).rejects.toThrow('callback failed at batch 7');
    expect(Number.isFinite(net.fc1.weight.sum().item())).toBe(true);
  });

  test('bad options are refused, naming them', async () => {
    const net = new Mlp();
    const m = new torch.Model(net, { loss: new nn.CrossEntropyLoss() });
    await expect(m.fit(data(), { verbose: 0 })).rejects.toThrow(/no optimizer/);
    m.compile({ optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }) });
    await expect(m.fit(data(), { epoch: 2 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(m.fit(data(), { validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \[0, 1\)/);
    expect(() => new torch.Model({} as never)).toThrow(/module must be an nn.Module/);
    expect(() => m.compile({ metrics: ['acuracy'] })).toThrow(TypeError);
  });

  test('validationSplit holds out the end of the data', async () => {
    const net = new Mlp();
    const m = new torch.Model(net, { optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }), loss: new nn.CrossEntropyLoss(), metrics: ['accuracy'] });
    const h = await m.fit(data(), { epochs: 1, validationSplit: 0.2, verbose: 0 });
    expect(h.history.val_accuracy[0] * 60).toBeCloseTo(Math.round(h.history.val_accuracy[0] * 60), 9); // 60 samples held out
  });
});
