// torch.Model: Keras's compile / fit / evaluate / predict around any nn.Module.
// Training runs on a native thread where it can (lib/model/engine.ts), and as a
// plain PyTorch loop driven from JavaScript otherwise; both run the same
// operators, so they give the same numbers. See docs/training.md.
import * as fs from 'fs';
import { argError, checkBool, checkInt, checkNumber } from '../errors';
import { noGrad } from '../autograd';
import { DataLoader, Dataset, TensorDataset, Subset } from '../data';
import { Module } from '../nn/module';
import { clipGradNorm_ } from '../nn/utils';
import { Optimizer } from '../optim';
import { ReduceLROnPlateau } from '../lr_scheduler';
import { loadFile, saveFile, save as saveObject, load as loadObject, Saveable } from '../serialization';
import { Tensor } from '../tensor';
import { getRngState, setRngState } from '../creation';
import type { Callback, Evaluation, History, Logs, Metric, MetricState, Progress, TrainingModel } from './types';
import { metricFromName } from './metrics';
import { ProgressBar } from './callbacks/progress';
import { Counts, Engine, StepKind } from './engine';

/** A loss: a module such as nn.CrossEntropyLoss, or a function (output, target) → scalar tensor. */
export type Loss<Out = Tensor> = Module<[Out, Tensor], Tensor> | ((output: Out, target: Tensor) => Tensor);

/** A scheduler Model steps: any LRScheduler, or ReduceLROnPlateau (stepped with the monitored value). */
export interface SchedulerLike {
  step(...args: unknown[]): void;
  stateDict?(): Record<string, unknown>;
  loadStateDict?(s: Record<string, unknown>): void;
}

export interface ModelOptions<Out = Tensor> {
  /** The optimizer (over the module's parameters). Needed by fit. */
  optimizer?: Optimizer<any> | null;
  /** The loss. Needed by fit and evaluate. */
  loss?: Loss<Out> | null;
  /** Metrics by name ('accuracy', 'top5_accuracy', 'precision', 'recall', 'f1', …) or Metric objects. */
  metrics?: (string | Metric)[];
  /** A learning rate scheduler, stepped after every epoch (or batch, see schedulerInterval). */
  scheduler?: SchedulerLike | null;
  /** 'epoch' (default) or 'batch': when the scheduler steps (OneCycleLR steps per batch). */
  schedulerInterval?: 'epoch' | 'batch';
  /** ReduceLROnPlateau's monitored log (default 'val_loss', or 'loss' without validation data). */
  schedulerMonitor?: string;
  /** 'auto' (default): native where the step can be traced; 'js': always the JavaScript loop. */
  engine?: 'auto' | 'js';
}

/** Data for fit / evaluate: a DataLoader, a Dataset (batched with batchSize), or [inputs, targets]. */
export type Data = DataLoader<any> | Dataset | [Tensor, Tensor];

export interface FitOptions {
  epochs?: number;
  /** For a Dataset or [x, y]: the batch size (default 32, as Keras). */
  batchSize?: number;
  /** For a Dataset or [x, y]: reshuffle every epoch (default true). */
  shuffle?: boolean;
  validationData?: Data | null;
  /** The fraction of a Dataset (or [x, y]) held out, from its end, for validation (as Keras). */
  validationSplit?: number;
  callbacks?: Callback[];
  /** Clips the gradients' total 2-norm to this before each update (nn.utils.clipGradNorm_). */
  gradClipNorm?: number | null;
  /** The epoch to start at (resuming). */
  initialEpoch?: number;
  /** Stops training within one batch; fit() then rejects with an AbortError (the model stays consistent). */
  signal?: AbortSignal;
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** At most this many batches per epoch. */
  stepsPerEpoch?: number | null;
}

export interface EvaluateOptions {
  batchSize?: number;
  callbacks?: Callback[];
  verbose?: 0 | 1 | 2;
  signal?: AbortSignal;
}

export interface PredictOptions {
  batchSize?: number;
  /** 'softmax' turns logits into probabilities; 'exp' log-probabilities; none (default) returns the outputs. */
  activation?: 'softmax' | 'exp' | null;
  signal?: AbortSignal;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'validationSplit', 'callbacks', 'gradClipNorm', 'initialEpoch', 'signal', 'verbose', 'stepsPerEpoch'];

function checkKeysOf(where: string, o: object | undefined, keys: string[]): void {
  if (o === undefined) return;
  if (!o || typeof o !== 'object') argError(`${where}: options`, 'an options object', o);
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (options: ${keys.join(', ')})`);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** Keras's History, plus the path each phase took. */
class HistoryImpl implements History {
  epoch: number[] = [];
  history: Record<string, number[]> = {};
  add(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/**
 * A module with what training needs: optimizer, loss, metrics, scheduler.
 * `fit`, `evaluate` and `predict` return promises; training runs off the
 * JavaScript thread where the step can be traced (docs/training.md).
 */
export class Model<In extends Tensor = Tensor, Out extends Tensor = Tensor> implements TrainingModel {
  readonly module: Module<[In], Out>;
  optimizer: Optimizer<any> | null = null;
  loss: Loss<Out> | null = null;
  metrics: Metric[] = [];
  scheduler: SchedulerLike | null = null;
  schedulerInterval: 'epoch' | 'batch' = 'epoch';
  schedulerMonitor: string | null = null;
  stopTraining = false;
  resumeEpoch: number | null = null;
  params = { epochs: 0, steps: 0, verbose: 1 };
  private engineOption: 'auto' | 'js' = 'auto';
  private busy: string | null = null;
  private readonly engine: Engine;
  /** The data loader fit is drawing from (BackupAndRestore saves its generator). */
  private currentLoader: DataLoader<any> | null = null;

  constructor(module: Module<[In], Out>, options: ModelOptions<Out> = {}) {
    if (!(module instanceof Module)) argError('module', 'an nn.Module', module);
    this.module = module;
    this.engine = new Engine(this as unknown as Model);
    this.compile(options);
  }

  /** Sets (or replaces) the optimizer, loss, metrics and scheduler, as Keras's compile(). */
  compile(options: ModelOptions<Out>): this {
    checkKeysOf('Model.compile', options, ['optimizer', 'loss', 'metrics', 'scheduler', 'schedulerInterval', 'schedulerMonitor', 'engine']);
    this.refuseWhileBusy('compile');
    const o = options ?? {};
    if (o.optimizer !== undefined) {
      if (o.optimizer !== null && !(o.optimizer instanceof Optimizer)) argError('optimizer', 'an optimizer (torch.optim.*)', o.optimizer);
      this.optimizer = o.optimizer;
    }
    if (o.loss !== undefined) {
      if (o.loss !== null && typeof o.loss !== 'function') argError('loss', 'a loss module or a function (output, target) => Tensor', o.loss);
      this.loss = o.loss;
    }
    if (o.metrics !== undefined) {
      if (!Array.isArray(o.metrics)) argError('metrics', 'an array of metric names or Metric objects', o.metrics);
      this.metrics = o.metrics.map((m) => metricFromName(m));
    }
    if (o.scheduler !== undefined) {
      if (o.scheduler !== null && (typeof o.scheduler !== 'object' || typeof o.scheduler.step !== 'function')) argError('scheduler', 'a learning rate scheduler', o.scheduler);
      this.scheduler = o.scheduler;
    }
    if (o.schedulerInterval !== undefined) {
      if (o.schedulerInterval !== 'epoch' && o.schedulerInterval !== 'batch') argError('schedulerInterval', "'epoch' or 'batch'", o.schedulerInterval);
      this.schedulerInterval = o.schedulerInterval;
    }
    if (o.schedulerMonitor !== undefined) this.schedulerMonitor = o.schedulerMonitor;
    if (o.engine !== undefined) {
      if (o.engine !== 'auto' && o.engine !== 'js') argError('engine', "'auto' or 'js'", o.engine);
      this.engineOption = o.engine;
    }
    return this;
  }

  /** Which way each phase of the last run went ('native', or 'js' and why). */
  get engineReport(): Record<StepKind, string> {
    return this.engine.report();
  }
  /** @internal */
  get jsOnly(): boolean {
    return this.engineOption === 'js';
  }

  private refuseWhileBusy(what: string): void {
    if (this.busy) throw new Error(`Model.${what}: this model is busy in ${this.busy}() (each Model runs one fit, evaluate or predict at a time; await it first)`);
  }
  private async exclusive<R>(what: string, fn: () => Promise<R>): Promise<R> {
    this.refuseWhileBusy(what);
    this.busy = what;
    this.engine.reset();
    try {
      return await fn();
    } finally {
      this.busy = null;
    }
  }

  // ------------------------------------------------------------------ data

  private loaderOf(data: Data, what: string, batchSize: number, shuffle: boolean): DataLoader<any> {
    if (data instanceof DataLoader) return data;
    if (Array.isArray(data)) {
      if (data.length !== 2 || !(data[0] instanceof Tensor) || !(data[1] instanceof Tensor)) argError(what, 'a DataLoader, a Dataset or [inputs, targets]', data);
      return new DataLoader(new TensorDataset(data[0], data[1]), { batchSize, shuffle });
    }
    if (data && typeof data === 'object' && typeof (data as Dataset).getItem === 'function') return new DataLoader(data as Dataset, { batchSize, shuffle });
    argError(what, 'a DataLoader, a Dataset or [inputs, targets]', data);
  }

  // ------------------------------------------------------------------ fit

  /** Trains for `epochs` epochs; resolves with the History (Keras's). */
  fit(trainData: Data, options: FitOptions = {}): Promise<History> {
    return this.exclusive('fit', () => this.fitImpl(trainData, options));
  }

  private async fitImpl(trainData: Data, options: FitOptions): Promise<History> {
    checkKeysOf('Model.fit', options, FIT_KEYS);
    if (!this.optimizer) throw new TypeError('Model.fit: no optimizer (give one to new Model(module, { optimizer }) or compile())');
    if (!this.loss) throw new TypeError('Model.fit: no loss (give one to new Model(module, { loss }) or compile())');
    const epochs = checkInt('epochs', options.epochs ?? 1, { min: 0 });
    const batchSize = checkInt('batchSize', options.batchSize ?? 32, { min: 1 });
    const shuffle = checkBool('shuffle', options.shuffle ?? true);
    const initialEpoch = checkInt('initialEpoch', options.initialEpoch ?? 0, { min: 0 });
    const verbose = checkInt('verbose', options.verbose ?? 1, { min: 0 });
    if (verbose > 2) throw new RangeError(`verbose must be 0, 1 or 2, got ${verbose}`);
    const clip = options.gradClipNorm ?? null;
    if (clip !== null) checkNumber('gradClipNorm', clip);
    const steps = options.stepsPerEpoch ?? null;
    if (steps !== null) checkInt('stepsPerEpoch', steps, { min: 1 });
    const callbacks = options.callbacks ?? [];
    if (!Array.isArray(callbacks)) argError('callbacks', 'an array of callbacks', callbacks);
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) argError('signal', 'an AbortSignal', signal);
    signal?.throwIfAborted();

    let train: DataLoader<any>;
    let validation: DataLoader<any> | null = null;
    const split = options.validationSplit ?? 0;
    checkNumber('validationSplit', split);
    if (split < 0 || split >= 1) throw new RangeError(`validationSplit must be in [0, 1), got ${split}`);
    if (split > 0) {
      if (trainData instanceof DataLoader) throw new TypeError('Model.fit: validationSplit needs a Dataset or [inputs, targets], not a DataLoader (give validationData instead)');
      const ds = Array.isArray(trainData) ? new TensorDataset(trainData[0], trainData[1]) : (trainData as Dataset);
      const nVal = Math.floor(ds.length * split);
      const cut = ds.length - nVal;
      train = new DataLoader(new Subset(ds, range(0, cut)), { batchSize, shuffle });
      validation = new DataLoader(new Subset(ds, range(cut, ds.length)), { batchSize });
    } else {
      train = this.loaderOf(trainData, 'trainData', batchSize, shuffle);
    }
    if (options.validationData !== undefined && options.validationData !== null) {
      if (split > 0) throw new TypeError('Model.fit: give validationData or validationSplit, not both');
      validation = this.loaderOf(options.validationData, 'validationData', batchSize, false);
    }

    const stepsPerEpoch = steps === null ? train.length : Math.min(steps, train.length);
    this.params = { epochs, steps: stepsPerEpoch, verbose };
    this.stopTraining = false;
    this.currentLoader = train;
    const cbs = new CallbackList(withProgressBar(callbacks, verbose), this);
    const history = new HistoryImpl();
    const clipNorm = clip === null ? 0 : clip;
    this.resumeEpoch = null;
    await cbs.call('onTrainBegin', {});
    const first = this.resumeEpoch === null ? initialEpoch : Math.max(initialEpoch, this.resumeEpoch);
    let lastLogs: Logs = {};
    try {
      for (let epoch = first; epoch < epochs && !this.stopTraining; epoch++) {
        signal?.throwIfAborted();
        await cbs.call('onEpochBegin', epoch, {});
        this.module.train();
        const counts = await this.engine.run(train, 'train', {
          epoch, epochs, batches: stepsPerEpoch, callbacks: cbs, signal, clipNorm, phase: 'train',
        });
        if (signal?.aborted) throw abortError(signal);
        const logs = this.logsOf(counts, '');
        if (validation && !this.stopTraining) {
          this.module.eval();
          const v = await this.engine.run(validation, 'eval', { epoch, epochs, batches: validation.length, callbacks: cbs, signal, clipNorm: 0, phase: 'val' });
          if (signal?.aborted) throw abortError(signal);
          Object.assign(logs, this.logsOf(v, 'val_'));
          this.module.train();
        }
        logs.lr = this.getLearningRates()[0];
        if (this.scheduler && this.schedulerInterval === 'epoch') this.stepScheduler(logs);
        history.add(epoch, logs);
        lastLogs = logs;
        await cbs.call('onEpochEnd', epoch, logs);
      }
    } finally {
      this.currentLoader = null;
    }
    await cbs.call('onTrainEnd', lastLogs);
    return history;
  }

  /** @internal steps the scheduler once (after an epoch, or a batch) */
  stepScheduler(logs: Logs): void {
    const s = this.scheduler!;
    if (s instanceof ReduceLROnPlateau) {
      const key = this.schedulerMonitor ?? ('val_loss' in logs ? 'val_loss' : 'loss');
      if (!(key in logs)) throw new TypeError(`Model: ReduceLROnPlateau monitors '${key}', which the logs lack (they have ${Object.keys(logs).join(', ')})`);
      s.step(logs[key]);
    } else {
      s.step();
    }
  }

  /** @internal the logs of a run's counts, names prefixed */
  logsOf(c: Counts, prefix: string): Logs {
    const logs: Logs = {};
    if (c.count === 0) return logs;
    logs[`${prefix}loss`] = c.lossSum / c.count;
    const state = metricState(c);
    for (const m of this.metrics) logs[`${prefix}${m.name}`] = m.result(state);
    return logs;
  }

  // ------------------------------------------------------------------ evaluate, predict

  /** The loss and metrics over `data` (no gradients, eval mode), and the confusion matrix. */
  evaluate(data: Data, options: EvaluateOptions = {}): Promise<Evaluation> {
    return this.exclusive('evaluate', async () => {
      checkKeysOf('Model.evaluate', options, ['batchSize', 'callbacks', 'verbose', 'signal']);
      if (!this.loss) throw new TypeError('Model.evaluate: no loss (give one to new Model(module, { loss }) or compile())');
      const loader = this.loaderOf(data, 'data', checkInt('batchSize', options.batchSize ?? 32, { min: 1 }), false);
      const verbose = checkInt('verbose', options.verbose ?? 1, { min: 0 });
      const cbs = new CallbackList(withProgressBar(options.callbacks ?? [], verbose), this);
      this.params = { ...this.params, verbose };
      const wasTraining = this.module.training;
      this.module.eval();
      try {
        await cbs.call('onTestBegin', {});
        const c = await this.engine.run(loader, 'eval', { epoch: 0, epochs: 1, batches: loader.length, callbacks: cbs, signal: options.signal, clipNorm: 0, phase: 'test' });
        if (options.signal?.aborted) throw abortError(options.signal);
        const logs = this.logsOf(c, '');
        await cbs.call('onTestEnd', logs);
        return { logs, confusion: confusionOf(c) };
      } finally {
        this.module.train(wasTraining);
      }
    });
  }

  /** The module's outputs for every input (eval mode, no gradients), concatenated; batched. */
  predict(data: Tensor | Data, options: PredictOptions = {}): Promise<Tensor> {
    return this.exclusive('predict', async () => {
      checkKeysOf('Model.predict', options, ['batchSize', 'activation', 'signal']);
      const batchSize = checkInt('batchSize', options.batchSize ?? 32, { min: 1 });
      const loader = data instanceof Tensor ? new DataLoader(new TensorDataset(data), { batchSize }) : this.loaderOf(data, 'data', batchSize, false);
      const wasTraining = this.module.training;
      this.module.eval();
      try {
        const out = await this.engine.predict(loader, options.signal);
        if (options.signal?.aborted) throw abortError(options.signal);
        if (options.activation === 'softmax') return noGrad(() => out.softmax(-1));
        if (options.activation === 'exp') return noGrad(() => out.exp());
        if (options.activation !== undefined && options.activation !== null) argError('activation', "'softmax', 'exp' or null", options.activation);
        return out;
      } finally {
        this.module.train(wasTraining);
      }
    });
  }

  // ------------------------------------------------------------------ what callbacks use

  getLearningRates(): number[] {
    return this.optimizer ? this.optimizer.paramGroups.map((g) => (g as { lr: number }).lr) : [];
  }
  setLearningRates(lr: number | number[]): void {
    if (!this.optimizer) throw new TypeError('Model: no optimizer');
    const groups = this.optimizer.paramGroups;
    const lrs = typeof lr === 'number' ? groups.map(() => lr) : lr;
    if (!Array.isArray(lrs) || lrs.length !== groups.length) argError('lr', `a number or ${groups.length} numbers`, lr);
    lrs.forEach((v, i) => ((groups[i] as { lr: number }).lr = checkNumber(`lr[${i}]`, v)));
  }
  getWeights(): Record<string, Tensor> {
    return noGrad(() => Object.fromEntries(Object.entries(this.module.stateDict()).map(([k, t]) => [k, t.detach().clone()])));
  }
  setWeights(weights: Record<string, Tensor>): void {
    this.module.loadStateDict(weights);
  }

  /** Saves the weights as safetensors (state-dict keys, as PyTorch's); with withOptimizer, the training state too (torch.save format). */
  save(file: string, options: { withOptimizer?: boolean } = {}): void {
    if (options.withOptimizer) {
      saveObject(this.trainingState(-1), file);
      return;
    }
    saveFile(contiguousCopies(this.module.stateDict()), file);
  }
  /** Loads what save() wrote (weights, or the whole training state). */
  load(file: string): this {
    if (!fs.existsSync(file)) throw new Error(`Model.load: no such file: ${file}`);
    const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
    if (head === 'PK') this.restoreTrainingState(loadObject(file) as Record<string, unknown>);
    else this.module.loadStateDict(loadFile(file));
    return this;
  }

  private trainingState(epoch: number): Saveable {
    const state: Record<string, Saveable> = { epoch, model: contiguousCopies(this.module.stateDict()), rng: getRngState() };
    const gen = this.currentLoader?.generator;
    if (gen) state.dataRng = gen.getState();
    if (this.optimizer) state.optimizer = this.optimizer.stateDict() as unknown as Saveable;
    if (this.scheduler?.stateDict) state.scheduler = this.scheduler.stateDict() as Saveable;
    return state;
  }
  private restoreTrainingState(s: Record<string, unknown>): number {
    if (!s || typeof s !== 'object' || !('model' in s)) throw new TypeError('Model: not a training state (no model weights in it)');
    this.module.loadStateDict(s.model as Record<string, Tensor>);
    if (this.optimizer && s.optimizer) this.optimizer.loadStateDict(s.optimizer as never);
    if (this.scheduler?.loadStateDict && s.scheduler) this.scheduler.loadStateDict(s.scheduler as Record<string, unknown>);
    if (s.rng instanceof Tensor) setRngState(s.rng);
    const gen = this.currentLoader?.generator;
    if (gen && s.dataRng instanceof Tensor) gen.setState(s.dataRng);
    return Number(s.epoch);
  }
  saveTrainingState(file: string, epoch: number): void {
    saveObject(this.trainingState(epoch), file);
  }
  loadTrainingState(file: string): number {
    return this.restoreTrainingState(loadObject(file) as Record<string, unknown>);
  }

  /** A table of the module's layers, output-free (names, types, parameter counts), as Keras's summary(). */
  summary(): string {
    const rows: [string, string, number][] = [];
    let total = 0;
    let trainable = 0;
    for (const [name, m] of this.module.namedModules()) {
      if (name === '') continue;
      if (m.children().length) continue;
      let n = 0;
      for (const p of m.parameters()) {
        n += p.numel();
        if (p.requiresGrad) trainable += p.numel();
      }
      total += n;
      rows.push([name, m.constructor.name, n]);
    }
    const w0 = Math.max(5, ...rows.map((r) => r[0].length)) + 2;
    const w1 = Math.max(4, ...rows.map((r) => r[1].length)) + 2;
    const line = '-'.repeat(w0 + w1 + 12);
    const out = [`Model: ${this.module.constructor.name}`, line, 'Layer'.padEnd(w0) + 'Type'.padEnd(w1) + 'Params'.padStart(12), line];
    for (const [a, b, n] of rows) out.push(a.padEnd(w0) + b.padEnd(w1) + n.toLocaleString('en-US').padStart(12));
    out.push(line, `Total params: ${total.toLocaleString('en-US')}`, `Trainable params: ${trainable.toLocaleString('en-US')}`, `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`);
    return out.join('\n');
  }
}

/** Keras adds its progress bar to every fit and evaluate with verbose > 0, unless one is given. */
function withProgressBar(callbacks: Callback[], verbose: number): Callback[] {
  if (!Array.isArray(callbacks)) argError('callbacks', 'an array of callbacks', callbacks);
  if (verbose === 0 || callbacks.some((c) => c instanceof ProgressBar)) return callbacks;
  return [new ProgressBar(), ...callbacks];
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function contiguousCopies(sd: Record<string, Tensor>): Record<string, Tensor> {
  return noGrad(() => Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.detach().contiguous()])));
}

/** The MetricState (lib/model/types.ts) of a run's counts. */
export function metricState(c: Counts): MetricState {
  return { count: c.count, lossSum: c.lossSum, correct: c.correct, topkCorrect: { ...c.topkCorrect }, confusion: confusionOf(c) };
}

function confusionOf(c: Counts): number[][] | null {
  if (!c.confusion || !c.numClasses) return null;
  const n = c.numClasses;
  return Array.from({ length: n }, (_, i) => c.confusion!.slice(i * n, (i + 1) * n));
}

/** The callbacks of one call, called in order, each awaited. */
export class CallbackList {
  readonly callbacks: Callback[];
  /** Whether any callback has batch hooks (then the engine pauses after every batch). */
  readonly batchHooks: boolean;
  constructor(callbacks: Callback[], model: TrainingModel) {
    callbacks.forEach((c, i) => {
      if (!c || typeof c !== 'object') argError(`callbacks[${i}]`, 'a callback object', c);
    });
    this.callbacks = callbacks;
    this.batchHooks = callbacks.some((c) => typeof c.onBatchBegin === 'function' || typeof c.onBatchEnd === 'function');
    for (const c of callbacks) c.setModel?.(model);
  }
  async call<K extends 'onTrainBegin' | 'onTrainEnd' | 'onTestBegin' | 'onTestEnd'>(hook: K, logs: Logs): Promise<void>;
  async call<K extends 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd'>(hook: K, n: number, logs: Logs): Promise<void>;
  async call(hook: keyof Callback, a: number | Logs, b?: Logs): Promise<void> {
    for (const c of this.callbacks) {
      const f = c[hook] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof f === 'function') await (b === undefined ? f.call(c, a) : f.call(c, a, b));
    }
  }
  progress(p: Progress): void {
    for (const c of this.callbacks) c.onProgress?.(p);
  }
}

