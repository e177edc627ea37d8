// The contracts between Model (lib/model/model.ts), its training engines, the
// callbacks (lib/model/callbacks.ts), the metrics (lib/model/metrics.ts) and the
// report (lib/model/report.ts). Kept in one small file so each can be written
// and tested against it.
import type { Tensor } from '../tensor';
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim';

/**
 * What a batch or an epoch reports, by Keras's names: `loss`, `accuracy`, the
 * other metrics' names, and the same with `val_` in front for validation data
 * (`val_loss`, `val_accuracy`); `lr` at epoch end. Plain numbers.
 */
export type Logs = Record<string, number>;

/**
 * Hooks called by `fit`, `evaluate` and `predict`, as Keras's `Callback`. Every
 * hook may be async; training waits for it. Batch hooks make the engine stop
 * after each batch until they return, so a callback that has none lets the
 * native engine run a whole epoch without entering JavaScript.
 */
export interface Callback {
  /** Called once, before training begins, with the model being trained. */
  setModel?(model: TrainingModel): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  /** `logs` holds the epoch's training metrics, validation metrics (`val_*`) and `lr`. */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  /** `logs` holds the running (mean over the epoch so far) loss and metrics. */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /**
   * Called with every batch's running logs, at most as often as the engine
   * chooses (at least at each epoch's end), without holding training up: for
   * progress bars and loggers that only watch.
   */
  onProgress?(progress: Progress): void;
  onTestBegin?(logs: Logs): void | Promise<void>;
  onTestEnd?(logs: Logs): void | Promise<void>;
}

/** A progress report: where training is and the running logs. */
export interface Progress {
  /** 'train' in fit's epochs, 'val' during fit's validation, 'test' in evaluate, 'predict'. */
  phase: 'train' | 'val' | 'test' | 'predict';
  epoch: number;
  epochs: number;
  /** Batches done in this epoch (or evaluation) so far, and how many there are. */
  batch: number;
  batches: number;
  /** Samples done so far in this epoch. */
  samples: number;
  /** Running means over the epoch so far. */
  logs: Logs;
  /** Seconds since this epoch (or evaluation) began. */
  elapsed: number;
}

/** What a callback can see and change of the model it is training. */
export interface TrainingModel {
  /** The wrapped module. */
  readonly module: Module;
  readonly optimizer: Optimizer<any> | null;
  /** The learning rate scheduler given to the Model, if any. */
  readonly scheduler: { step(...args: unknown[]): void; stateDict?(): Record<string, unknown>; loadStateDict?(s: Record<string, unknown>): void } | null;
  /** Set to true (from any hook) to end training after the current batch. */
  stopTraining: boolean;
  /** Set in onTrainBegin to start fit at this epoch instead (BackupAndRestore resuming). */
  resumeEpoch: number | null;
  /** The learning rate of every parameter group; setting it takes effect from the next batch. */
  getLearningRates(): number[];
  setLearningRates(lr: number | number[]): void;
  /** Copies of the module's parameters and buffers (for restoring the best weights). */
  getWeights(): Record<string, Tensor>;
  setWeights(weights: Record<string, Tensor>): void;
  /** Saves the weights (safetensors) or, with `{ withOptimizer: true }`, weights and training state, atomically. */
  save(file: string, options?: { withOptimizer?: boolean }): void;
  /**
   * Everything needed to resume training bit for bit: weights, optimizer and
   * scheduler state, the random number generators (the global one, and the
   * generator of the DataLoader fit is drawing from, if it has its own), and
   * `epoch`. Written atomically (torch.save format). BackupAndRestore uses it.
   */
  saveTrainingState(file: string, epoch: number): void;
  /** Restores what saveTrainingState wrote; returns its epoch. */
  loadTrainingState(file: string): number;
  /** `{ epochs, steps }`: the fit call's number of epochs and batches per epoch. */
  readonly params: { epochs: number; steps: number; verbose: number };
}

/**
 * The counts a training or evaluation run accumulates natively, per batch,
 * from which every metric is computed (on an epoch's end, or as a running value).
 */
export interface MetricState {
  /** Samples seen. */
  count: number;
  /** Sum over samples of the loss (so `lossSum / count` is the mean loss). */
  lossSum: number;
  /** Samples whose top-1 prediction was right. */
  correct: number;
  /** For each k asked for (k > 1), samples whose target was among the k highest outputs. */
  topkCorrect: Record<number, number>;
  /**
   * The confusion matrix, `numClasses × numClasses` counts, rows the true
   * class and columns the predicted one (scikit-learn's layout); null when no
   * metric needs it.
   */
  confusion: number[][] | null;
}

/** A metric computed from a MetricState: `accuracy`, `top5_accuracy`, `f1`, or one of the user's. */
export interface Metric {
  /** The name in logs (and after `val_`). */
  readonly name: string;
  /** The top-k values it needs counted (e.g. [5]). */
  readonly topk?: readonly number[];
  /** Whether it needs the confusion matrix. */
  readonly needsConfusion?: boolean;
  /** Its value from the counts. */
  result(state: MetricState): number;
}

/** What `fit` returns, as Keras's History: per-epoch logs by name. */
export interface History {
  /** The epochs run (numbered from 0, or from `initialEpoch`). */
  epoch: number[];
  /** Each log's value per epoch: `history.loss[i]` is epoch `epoch[i]`'s mean training loss. */
  history: Record<string, number[]>;
}

/** What `evaluate` returns. */
export interface Evaluation {
  /** `loss` and every metric (no `val_` prefix). */
  logs: Logs;
  /** The confusion matrix (rows true class, columns predicted), when the outputs are class scores. */
  confusion: number[][] | null;
}
