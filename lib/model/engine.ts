// How Model runs its batches. A phase (an epoch of training, a validation or
// evaluation pass, a prediction) starts with its first batches in JavaScript,
// traced (lib/model/trace.ts); once two batches traced to the same program, the
// rest of the phase runs on a native thread (native/engine.cpp), fed by the
// DataLoader's prefetch thread. What cannot go native (a step that does not
// trace, an optimizer without a native update, a data set whose batches are
// made in JavaScript, a module with hooks) runs the same step from JavaScript,
// yielding to the event loop between batches. Both paths call the same
// operators with the same arguments, so their numbers are identical.
import { noGrad } from '../autograd';
import { cat } from '../creation';
import { DataLoader } from '../data';
import { TorchError } from '../errors';
import { native, EngineCounts, EngineGroup, EngineStateKey, PrefetchHandle, ProgramHandle } from '../native';
import { HOOKS } from '../nn/hooks';
import { clipGradNorm_ } from '../nn/utils';
import { callT, fromNative } from '../ops';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../optim';
import { Tensor } from '../tensor';
import type { Model, CallbackList } from './model';
import type { Logs } from './types';
import { sameTrace, trace, Traced } from './trace';

export type StepKind = 'train' | 'eval' | 'predict';
export type Phase = 'train' | 'val' | 'test' | 'predict';
/** What a run counted (the native engine's counts; confusion flat, row-major). */
export type Counts = EngineCounts;

export interface RunContext {
  epoch: number;
  epochs: number;
  /** Batches to run (at most the loader's length). */
  batches: number;
  callbacks: CallbackList;
  signal?: AbortSignal;
  clipNorm: number;
  phase: Phase;
}

export function zeroCounts(): Counts {
  return { batches: 0, count: 0, lossSum: 0, correct: 0, numClasses: 0, topkCorrect: {}, confusion: null };
}

function addCounts(into: Counts, c: Counts): void {
  into.batches += c.batches;
  into.count += c.count;
  into.lossSum += c.lossSum;
  into.correct += c.correct;
  if (c.numClasses) into.numClasses = c.numClasses;
  for (const [k, v] of Object.entries(c.topkCorrect)) into.topkCorrect[k] = (into.topkCorrect[k] ?? 0) + v;
  if (c.confusion) {
    if (!into.confusion || into.confusion.length !== c.confusion.length) into.confusion = c.confusion.slice();
    else c.confusion.forEach((v, i) => (into.confusion![i] += v));
  }
}

function merged(a: Counts, b: Counts): Counts {
  const c = { ...a, topkCorrect: { ...a.topkCorrect }, confusion: a.confusion ? a.confusion.slice() : null };
  addCounts(c, b);
  return c;
}

/** The JavaScript twin of native/engine.cpp's Accumulators::add: one batch's counts. */
function batchCounts(loss: Tensor | null, out: Tensor, target: Tensor | undefined, topk: number[], confusion: boolean): Counts {
  return noGrad(() => {
    const n = out.shape[0];
    const c = zeroCounts();
    c.batches = 1;
    c.count = n;
    if (loss) c.lossSum = loss.detach().to({ dtype: 'float64' }).mul(n).item();
    if (!target || out.dim() !== 2) return c;
    const k = out.shape[1];
    let t: Tensor;
    if (target.dim() === 1 && !target.isFloatingPoint()) t = target;
    else if (target.dim() === 2 && target.shape[0] === n && target.shape[1] === k) t = target.argmax(1);
    else return c;
    c.numClasses = k;
    const pred = out.argmax(1);
    c.correct = pred.eq(t).sum().item();
    for (const kk of topk) c.topkCorrect[kk] = callT('aten::any.dim', (out.topk(Math.min(kk, k), 1)[1] as Tensor).eq(t.unsqueeze(1)), 1, false).sum().item();
    if (confusion) c.confusion = Array.from(t.to({ dtype: 'int64' }).mul(k).add(pred).bincount(null, k * k).toTypedArray() as BigInt64Array, Number);
    return c;
  });
}

/** A phase's trace: the first batch's program, then (if the second agrees) the compiled one. */
interface TraceState {
  first: Traced<readonly Tensor[]>['program'];
  program: ProgramHandle | null;
  refusal: string | null;
}

const noticed = new Set<string>();
function notice(kind: StepKind, why: string): void {
  const key = `${kind}:${why}`;
  if (noticed.has(key)) return;
  noticed.add(key);
  process.emitWarning(`Model: the ${kind} step runs from JavaScript, not natively: ${why} (docs/training.md)`, { code: 'NODETORCH_JS_TRAINING_LOOP' });
}

const STATE_KEYS: EngineStateKey[] = ['momentumBuffer', 'expAvg', 'expAvgSq', 'maxExpAvgSq', 'squareAvg', 'gradAvg', 'sum', 'step'];
/** The optimizers with a native update (exactly these classes: a subclass may change the rule). */
const NATIVE_OPTIMIZERS: Function[] = [SGD, Adam, AdamW, RMSprop, Adagrad];

export class Engine {
  private states: Record<StepKind, TraceState> = { train: fresh(), eval: fresh(), predict: fresh() };
  private paths: Record<StepKind, string> = { train: 'not run', eval: 'not run', predict: 'not run' };

  constructor(private readonly model: Model) {}

  /** Forgets the traces (each fit, evaluate and predict traces its steps again). */
  reset(): void {
    this.states = { train: fresh(), eval: fresh(), predict: fresh() };
  }

  report(): Record<StepKind, string> {
    return { ...this.paths };
  }

  /** Why `kind` cannot run natively at all (before tracing), or null. */
  private staticRefusal(kind: StepKind): string | null {
    const m = this.model;
    if (m.jsOnly) return "the Model was made with engine: 'js'";
    if (m.module.modules().some((x) => (x as unknown as { [HOOKS]?: unknown })[HOOKS])) return 'the module has hooks, which run in JavaScript';
    if (kind === 'train') {
      const o = m.optimizer;
      const c = o?.constructor;
      if (!c || !NATIVE_OPTIMIZERS.includes(c)) return `${c?.name ?? 'the optimizer'} has no native update (native: ${NATIVE_OPTIMIZERS.map((f) => f.name).join(', ')})`;
    }
    return null;
  }

  private engineGroups(): EngineGroup[] {
    const opt = this.model.optimizer!;
    return opt.paramGroups.map((g) => {
      const o = g as unknown as Record<string, unknown> & { params: Tensor[] };
      const state = o.params.map((p) => {
        const st = opt.state.get(p) ?? {};
        const s: Partial<Record<EngineStateKey, never>> = {};
        for (const k of STATE_KEYS) if (st[k] instanceof Tensor) (s as Record<string, unknown>)[k] = (st[k] as Tensor).handle;
        return s;
      });
      const params = o.params.map((p) => p.handle);
      if (opt instanceof SGD) {
        return { kind: 'sgd', lr: o.lr as number, momentum: o.momentum as number, dampening: o.dampening as number, weightDecay: o.weightDecay as number, nesterov: o.nesterov as boolean, maximize: o.maximize as boolean, params, state };
      }
      if (opt instanceof RMSprop) {
        return { kind: 'rmsprop', lr: o.lr as number, alpha: o.alpha as number, eps: o.eps as number, weightDecay: o.weightDecay as number, momentum: o.momentum as number, centered: o.centered as boolean, maximize: o.maximize as boolean, params, state };
      }
      if (opt instanceof Adagrad) {
        return { kind: 'adagrad', lr: o.lr as number, lrDecay: o.lrDecay as number, weightDecay: o.weightDecay as number, initialAccumulatorValue: o.initialAccumulatorValue as number, eps: o.eps as number, maximize: o.maximize as boolean, params, state };
      }
      const [beta1, beta2] = o.betas as [number, number];
      return { kind: opt instanceof AdamW ? 'adamw' : 'adam', lr: o.lr as number, beta1, beta2, eps: o.eps as number, weightDecay: o.weightDecay as number, amsgrad: o.amsgrad as boolean, maximize: o.maximize as boolean, params, state };
    });
  }

  /** The module's tensors and the optimizer's state: locked while the native thread trains. */
  private ownedTensors(kind: StepKind): Tensor[] {
    const m = this.model;
    const list = [...m.module.parameters(), ...m.module.buffers()];
    if (kind === 'train' && m.optimizer) for (const st of m.optimizer.state.values()) for (const v of Object.values(st)) if (v instanceof Tensor) list.push(v);
    return list;
  }

  private noteTrace(kind: StepKind, t: Traced<readonly Tensor[]>): void {
    const st = this.states[kind];
    if (!t.program) {
      st.refusal = t.refusal ?? 'it could not be traced';
      notice(kind, st.refusal);
      return;
    }
    if (!st.first) {
      st.first = t.program;
      return;
    }
    if (!sameTrace(st.first, t.program)) {
      st.refusal = 'two batches traced to different programs (control flow or constants depend on the data)';
      notice(kind, st.refusal);
      return;
    }
    st.program = new native.ProgramHandle(t.program);
  }

  private metricsNeeds(kind: StepKind): { topk: number[]; confusion: boolean } {
    const ms = this.model.metrics;
    const topk = [...new Set(ms.flatMap((m) => m.topk ?? []))].sort((a, b) => a - b);
    const confusion = kind === 'eval' || ms.some((m) => m.needsConfusion === true);
    return { topk, confusion };
  }

  private lossOf(out: Tensor, y: Tensor): Tensor {
    const loss = this.model.loss!;
    const l = (loss as (o: Tensor, t: Tensor) => unknown)(out, y);
    if (!(l instanceof Tensor)) throw new TypeError(`Model: the loss returned ${typeof l}, not a Tensor`);
    return l;
  }

  /** One batch from JavaScript (traced when `traced`): the same step as the native one. */
  private jsStep(kind: StepKind, batch: Tensor[], clipNorm: number, traced: boolean): { loss: Tensor | null; out: Tensor } {
    const m = this.model;
    const [x, y] = batch;
    if (kind === 'train') {
      const opt = m.optimizer!;
      opt.zeroGrad();
      const step = (): [Tensor, Tensor] => {
        const out = m.module(x) as Tensor;
        return [this.lossOf(out, y), out];
      };
      let loss: Tensor, out: Tensor;
      if (traced) {
        const t = trace([x, y], step);
        [loss, out] = t.results;
        this.noteTrace(kind, t);
      } else {
        [loss, out] = step();
      }
      loss.backward();
      if (clipNorm > 0) clipGradNorm_(opt.paramGroups.flatMap((g) => g.params), clipNorm);
      opt.step();
      return { loss, out };
    }
    return noGrad(() => {
      const step = (): Tensor[] => {
        const out = m.module(x) as Tensor;
        return kind === 'predict' ? [out] : [this.lossOf(out, y), out];
      };
      let r: readonly Tensor[];
      if (traced) {
        const t = trace(kind === 'predict' ? [x] : [x, y], step);
        r = t.results;
        this.noteTrace(kind, t);
      } else {
        r = step();
      }
      return kind === 'predict' ? { loss: null, out: r[0] } : { loss: r[0], out: r[1] };
    });
  }

  /**
   * Runs one phase over `loader` ('train': an epoch with updates; 'eval': no
   * gradients) and returns its counts; `outputs` collects predict's outputs.
   */
  async run(loader: DataLoader<any>, kind: StepKind, ctx: RunContext, outputs?: Tensor[]): Promise<Counts> {
    const m = this.model;
    const counts = zeroCounts();
    const refusal = this.staticRefusal(kind);
    if (refusal) notice(kind, refusal);
    const nat = refusal ? null : loader.nativeEpoch();
    if (!refusal && !nat) notice(kind, 'the data set makes its batches in JavaScript (not a built-in or TensorDataset pipeline)');
    const iterator = nat ? null : (loader[Symbol.iterator]() as Iterator<unknown>);
    const next = (): Tensor[] | null => {
      if (nat) {
        const v = nat.prefetcher.next();
        return v ? (v.map((x) => fromNative(x)) as Tensor[]) : null;
      }
      const r = iterator!.next();
      return r.done ? null : (Array.isArray(r.value) ? r.value : [r.value]) as Tensor[];
    };
    const total = Math.min(ctx.batches, loader.length);
    const n = loader.sampler ? loader.sampler.length : loader.dataset.length;
    const partialLast = !loader.dropLast && n % loader.batchSize !== 0 && total === loader.length;
    const nativeEnd = partialLast ? total - 1 : total;
    const { topk, confusion } = this.metricsNeeds(kind);
    const cbs = ctx.callbacks;
    // Batch hooks are training's (Keras calls none for validation or evaluation batches).
    const batchHooks = kind === 'train' && cbs.batchHooks;
    const started = performance.now();
    let lastProgress = 0;
    const progress = (c: Counts, batch: number) => {
      cbs.progress({ phase: ctx.phase, epoch: ctx.epoch, epochs: ctx.epochs, batch, batches: total, samples: c.count, logs: m.logsOf(c, ctx.phase === 'val' ? 'val_' : ''), elapsed: (performance.now() - started) / 1000 });
    };
    let nativeBatches = 0;
    let b = 0;
    try {
      while (b < total && !(kind === 'train' && m.stopTraining) && !ctx.signal?.aborted) {
        const st = this.states[kind];
        if (nat && st.program && b < nativeEnd) {
          const want = nativeEnd - b;
          const { counts: c, outputs: o } = await this.runNative(kind, st.program, nat.prefetcher, want, b, counts, ctx, topk, confusion, total, progress);
          if (o && outputs) outputs.push(o);
          addCounts(counts, c);
          nativeBatches += c.batches;
          b += c.batches;
          if (c.batches < want) break;
          continue;
        }
        const batch = next();
        if (!batch) break;
        if (batchHooks) await cbs.call('onBatchBegin', b, {});
        const traced = nat !== null && !st.program && !st.refusal && batch[0].shape[0] === loader.batchSize;
        const { loss, out } = this.jsStep(kind, batch, ctx.clipNorm, traced);
        if (outputs) outputs.push(out.detach());
        addCounts(counts, batchCounts(loss, out, kind === 'predict' ? undefined : batch[1], topk, confusion));
        if (kind === 'train' && m.scheduler && m.schedulerInterval === 'batch') m.stepScheduler(m.logsOf(counts, ''));
        if (batchHooks) await cbs.call('onBatchEnd', b, m.logsOf(counts, ''));
        b++;
        const now = performance.now();
        if (now - lastProgress >= 100 || b === total) {
          lastProgress = now;
          progress(counts, b);
        }
        await new Promise<void>((resolve) => setImmediate(resolve)); // the event loop runs between batches
      }
    } finally {
      nat?.prefetcher.close();
    }
    progress(counts, b);
    const st = this.states[kind];
    this.paths[kind] = nativeBatches > 0 ? `native (${nativeBatches} of ${b} batches; the rest traced or partial, from JavaScript)` : `js: ${refusal ?? st.refusal ?? (nat ? 'too few batches to trace' : 'batches made in JavaScript')}`;
    return counts;
  }

  /** The outputs of `loader`'s inputs, concatenated. */
  async predict(loader: DataLoader<any>, signal?: AbortSignal): Promise<Tensor> {
    const outputs: Tensor[] = [];
    const cbs = { callbacks: [], batchHooks: false, call: async () => {}, progress: () => {} } as unknown as CallbackList;
    await this.run(loader, 'predict', { epoch: 0, epochs: 1, batches: loader.length, callbacks: cbs, signal, clipNorm: 0, phase: 'predict' }, outputs);
    if (!outputs.length) throw new RangeError('Model.predict: no inputs');
    return noGrad(() => cat(outputs));
  }

  private runNative(
    kind: StepKind, program: ProgramHandle, prefetcher: PrefetchHandle, n: number, b0: number, base: Counts, ctx: RunContext,
    topk: number[], confusion: boolean, total: number, progress: (c: Counts, batch: number) => void,
  ): Promise<{ counts: Counts; outputs: Tensor | null }> {
    const m = this.model;
    const groups = kind === 'train' ? this.engineGroups() : [];
    const handle = new native.EngineHandle(program, groups, { clipNorm: ctx.clipNorm, topk, confusion });
    const owned = this.ownedTensors(kind);
    const setLocked = (on: boolean) => owned.forEach((t) => native.tensorSetLocked(t.handle, on));
    const batchScheduler = kind === 'train' && m.scheduler !== null && m.schedulerInterval === 'batch';
    const batchHooks = kind === 'train' && ctx.callbacks.batchHooks;
    const sync = batchHooks || batchScheduler;
    return new Promise((resolve, reject) => {
      let failure: unknown = null;
      const onAbort = () => handle.stop();
      ctx.signal?.addEventListener('abort', onAbort);
      const finish = () => {
        ctx.signal?.removeEventListener('abort', onAbort);
        setLocked(false);
      };
      const start = async () => {
        if (batchHooks) await ctx.callbacks.call('onBatchBegin', b0, {});
        setLocked(true);
        handle.run(prefetcher, n, kind, sync, (event, payload, outputs) => {
          try {
            if (event === 'progress') {
              progress(merged(base, payload as Counts), b0 + (payload as Counts).batches);
            } else if (event === 'batch') {
              setLocked(false);
              void this.afterBatch(handle, merged(base, payload as Counts), b0 + (payload as Counts).batches - 1, b0 + n, ctx, batchScheduler, progress)
                .catch((e: unknown) => {
                  failure ??= e;
                  handle.stop();
                })
                .finally(() => {
                  setLocked(true);
                  handle.resume();
                });
            } else if (event === 'error') {
              finish();
              reject(new TorchError(payload as string));
            } else {
              finish();
              if (kind === 'train') this.syncOptimizerState(handle);
              if (failure) reject(failure);
              else resolve({ counts: payload as Counts, outputs: outputs ? (fromNative(outputs) as Tensor) : null });
            }
          } catch (e) {
            failure ??= e;
            handle.stop();
          }
        });
      };
      start().catch((e: unknown) => {
        finish();
        reject(e);
      });
    });
  }

  /** A paused native run's batch end: the batch callbacks, the per-batch scheduler, the next learning rates. */
  private async afterBatch(handle: { stop(): void; setLearningRates(l: number[]): void }, c: Counts, b: number, end: number, ctx: RunContext, batchScheduler: boolean, progress: (c: Counts, batch: number) => void): Promise<void> {
    const m = this.model;
    const logs: Logs = m.logsOf(c, '');
    if (batchScheduler) m.stepScheduler(logs);
    if (ctx.callbacks.batchHooks) await ctx.callbacks.call('onBatchEnd', b, logs);
    progress(c, b + 1);
    if ((ctx.phase === 'train' && m.stopTraining) || ctx.signal?.aborted) {
      handle.stop();
      return;
    }
    if (m.optimizer) handle.setLearningRates(m.getLearningRates());
    if (ctx.callbacks.batchHooks && b + 1 < end) await ctx.callbacks.call('onBatchBegin', b + 1, {});
  }

  /** Puts the state the native update made (momentum buffers, Adam's moments) into the optimizer. */
  private syncOptimizerState(handle: { paramState(): Partial<Record<EngineStateKey, unknown>>[][] }): void {
    const opt = this.model.optimizer!;
    const state = handle.paramState();
    opt.paramGroups.forEach((g, gi) =>
      (g.params as Tensor[]).forEach((p, j) => {
        const s = state[gi][j];
        const keys = Object.keys(s) as EngineStateKey[];
        if (!keys.length) return;
        let st = opt.state.get(p);
        if (!st) opt.state.set(p, (st = {}));
        for (const k of keys) st[k] = fromNative(s[k] as never) as Tensor;
      }),
    );
  }
}

function fresh(): TraceState {
  return { first: null, program: null, refusal: null };
}
