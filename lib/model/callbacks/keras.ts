// Keras's built-in callbacks for torch.Model, with Keras's rules and option
// names in camelCase: EarlyStopping, ModelCheckpoint, BackupAndRestore,
// LearningRateScheduler, ReduceLROnPlateau, CSVLogger.
import * as fs from 'fs';
import * as path from 'path';
import { argError, checkBool, checkInt, checkNumber } from '../../errors';
import type { Tensor } from '../../tensor';
import type { Callback, Logs, TrainingModel } from '../types';

type Mode = 'auto' | 'min' | 'max';

function checkMode(mode: unknown): Mode {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') argError('mode', "'auto', 'min' or 'max'", mode);
  return mode;
}

/** Keras's 'auto' mode: larger is better for accuracies and the like, smaller otherwise. */
function better(mode: Mode, monitor: string): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|f1/.test(monitor) ? 'max' : 'min';
}

const warned = new Set<string>();
function warnMissing(who: string, monitor: string, logs: Logs): void {
  const key = `${who}:${monitor}`;
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(`${who}: the logs have no '${monitor}' (they have: ${Object.keys(logs).join(', ')}); it does nothing`, { code: 'NODETORCH_CALLBACK_MONITOR' });
}

/** A monitored value and whether a new one improves on the best, by at least minDelta. */
class Monitor {
  readonly direction: 'min' | 'max';
  best: number;
  constructor(
    readonly monitor: string,
    mode: Mode,
    readonly minDelta: number,
  ) {
    this.direction = better(mode, monitor);
    this.best = this.direction === 'min' ? Infinity : -Infinity;
  }
  improves(value: number, reference = this.best): boolean {
    return this.direction === 'min' ? value < reference - this.minDelta : value > reference + this.minDelta;
  }
  reset(): void {
    this.best = this.direction === 'min' ? Infinity : -Infinity;
  }
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  /** Stop unless the monitored value improves on this within `patience` epochs. */
  baseline?: number | null;
  /** At the end, put back the weights of the best epoch (Keras: only when it stopped early). */
  restoreBestWeights?: boolean;
  /** Epochs before which nothing is watched. */
  startFromEpoch?: number;
}

/** Stops training when the monitored log has stopped improving (Keras's EarlyStopping). */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  readonly baseline: number | null;
  readonly startFromEpoch: number;
  /** The epoch at which training was stopped (0 if it was not). */
  stoppedEpoch = 0;
  /** The epoch whose value was the best. */
  bestEpoch = 0;
  private readonly m: Monitor;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;
  private model: TrainingModel | null = null;

  constructor({ monitor = 'val_loss', minDelta = 0, patience = 0, mode = 'auto', baseline = null, restoreBestWeights = false, startFromEpoch = 0 }: EarlyStoppingOptions = {}) {
    if (typeof monitor !== 'string') argError('monitor', 'a log name', monitor);
    this.monitor = monitor;
    this.m = new Monitor(monitor, checkMode(mode), Math.abs(checkNumber('minDelta', minDelta)));
    this.patience = checkInt('patience', patience, { min: 0 });
    this.baseline = baseline === null ? null : checkNumber('baseline', baseline);
    this.restoreBestWeights = checkBool('restoreBestWeights', restoreBestWeights);
    this.startFromEpoch = checkInt('startFromEpoch', startFromEpoch, { min: 0 });
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.m.reset();
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const value = logs[this.monitor];
    if (value === undefined) return warnMissing('EarlyStopping', this.monitor, logs);
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (this.m.improves(value)) {
      this.m.best = value;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model!.getWeights();
      // with a baseline, only an improvement on it restarts the wait
      if (this.baseline === null || this.m.improves(value, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }
  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.restoreBestWeights && this.bestWeights) this.model!.setWeights(this.bestWeights);
  }
}

/** Fills `{epoch}`, `{epoch:02d}`, `{val_loss:.4f}`-style fields (Python's format) in a file name; epochs count from 1, as Keras's. */
export function formatFilepath(pattern: string, epoch: number, logs: Logs): string {
  return pattern.replace(/\{(\w+)(?::(0?)(\d*)(?:\.(\d+))?([df]?))?\}/g, (whole, name: string, zero: string, width: string, precision: string, type: string) => {
    const v = name === 'epoch' ? epoch + 1 : logs[name];
    if (v === undefined) throw new RangeError(`ModelCheckpoint: the file name asks for '${name}', which the logs lack (they have: epoch, ${Object.keys(logs).join(', ')})`);
    let s = type === 'f' || precision ? v.toFixed(precision ? Number(precision) : 6) : type === 'd' ? String(Math.trunc(v)) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

export interface ModelCheckpointOptions {
  monitor?: string;
  /** Save only when the monitored log improves on the best so far. */
  saveBestOnly?: boolean;
  /** true (default): the weights (safetensors); false: the whole training state (torch.save format). */
  saveWeightsOnly?: boolean;
  mode?: Mode;
  /** 'epoch' (default). */
  saveFreq?: 'epoch';
}

/** Saves the model after epochs, every one or the best only (Keras's ModelCheckpoint); saves are atomic. */
export class ModelCheckpoint implements Callback {
  readonly filepath: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  /** The files written, in order. */
  readonly saved: string[] = [];
  private readonly m: Monitor;
  private model: TrainingModel | null = null;

  constructor(filepath: string, { monitor = 'val_loss', saveBestOnly = false, saveWeightsOnly = true, mode = 'auto', saveFreq = 'epoch' }: ModelCheckpointOptions = {}) {
    if (typeof filepath !== 'string' || !filepath) argError('filepath', 'a file path (may hold {epoch} and {log:.4f} fields)', filepath);
    if (saveFreq !== 'epoch') argError('saveFreq', "'epoch'", saveFreq);
    this.filepath = filepath;
    this.saveBestOnly = checkBool('saveBestOnly', saveBestOnly);
    this.saveWeightsOnly = checkBool('saveWeightsOnly', saveWeightsOnly);
    this.m = new Monitor(monitor, checkMode(mode), 0);
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    if (this.saveBestOnly) {
      const value = logs[this.m.monitor];
      if (value === undefined) return warnMissing('ModelCheckpoint', this.m.monitor, logs);
      if (!this.m.improves(value)) return;
      this.m.best = value;
    }
    const file = formatFilepath(this.filepath, epoch, logs);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.model!.save(file, { withOptimizer: !this.saveWeightsOnly });
    this.saved.push(file);
  }
}

/**
 * Resumes a killed fit where it stopped (Keras's BackupAndRestore): after
 * every epoch it saves the whole training state — weights, optimizer,
 * scheduler, the random number generators — to `<backupDir>/latest.pt`
 * (atomically), and a fit that finds one there starts after its epoch, with
 * everything as it was: on CPU it ends bit for bit where an uninterrupted run
 * ends. The backup is deleted when fit ends normally (deleteCheckpoint).
 */
export class BackupAndRestore implements Callback {
  readonly backupDir: string;
  readonly deleteCheckpoint: boolean;
  /** The epoch fit resumed after (null when it started afresh). */
  restoredEpoch: number | null = null;
  private model: TrainingModel | null = null;

  constructor(backupDir: string, { deleteCheckpoint = true }: { deleteCheckpoint?: boolean } = {}) {
    if (typeof backupDir !== 'string' || !backupDir) argError('backupDir', 'a directory path', backupDir);
    this.backupDir = backupDir;
    this.deleteCheckpoint = checkBool('deleteCheckpoint', deleteCheckpoint);
  }
  get file(): string {
    return path.join(this.backupDir, 'latest.pt');
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onTrainBegin(): void {
    this.restoredEpoch = null;
    if (!fs.existsSync(this.file)) return;
    const epoch = this.model!.loadTrainingState(this.file);
    this.restoredEpoch = epoch;
    this.model!.resumeEpoch = epoch + 1;
  }
  onEpochEnd(epoch: number): void {
    fs.mkdirSync(this.backupDir, { recursive: true });
    this.model!.saveTrainingState(this.file, epoch);
  }
  onTrainEnd(): void {
    if (this.deleteCheckpoint) fs.rmSync(this.file, { force: true });
  }
}

/** Sets the learning rate at each epoch's beginning from `schedule(epoch, lr)` (Keras's LearningRateScheduler). */
export class LearningRateScheduler implements Callback {
  private model: TrainingModel | null = null;
  constructor(
    readonly schedule: (epoch: number, lr: number) => number,
    readonly options: { verbose?: 0 | 1 } = {},
  ) {
    if (typeof schedule !== 'function') argError('schedule', 'a function (epoch, lr) => lr', schedule);
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onEpochBegin(epoch: number): void {
    const lr = this.schedule(epoch, this.model!.getLearningRates()[0]);
    checkNumber('the schedule’s learning rate', lr);
    this.model!.setLearningRates(lr);
    if (this.options.verbose) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  factor?: number;
  patience?: number;
  mode?: Mode;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
  verbose?: 0 | 1;
}

/** Multiplies the learning rate by `factor` when the monitored log stops improving (Keras's ReduceLROnPlateau). */
export class ReduceLROnPlateau implements Callback {
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  private readonly m: Monitor;
  private wait = 0;
  private cooldownLeft = 0;
  private model: TrainingModel | null = null;
  private readonly verbose: boolean;

  constructor({ monitor = 'val_loss', factor = 0.1, patience = 10, mode = 'auto', minDelta = 1e-4, cooldown = 0, minLr = 0, verbose = 0 }: ReduceLROnPlateauOptions = {}) {
    this.factor = checkNumber('factor', factor);
    if (!(factor < 1) || factor <= 0) throw new RangeError(`ReduceLROnPlateau: factor must be in (0, 1), got ${factor}`);
    this.patience = checkInt('patience', patience, { min: 0 });
    this.cooldown = checkInt('cooldown', cooldown, { min: 0 });
    this.minLr = checkNumber('minLr', minLr);
    this.m = new Monitor(monitor, checkMode(mode), checkNumber('minDelta', minDelta));
    this.verbose = verbose === 1;
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onTrainBegin(): void {
    this.wait = 0;
    this.cooldownLeft = 0;
    this.m.reset();
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const value = logs[this.m.monitor];
    if (value === undefined) return warnMissing('ReduceLROnPlateau', this.m.monitor, logs);
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (this.m.improves(value)) {
      this.m.best = value;
      this.wait = 0;
    } else if (this.cooldownLeft <= 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const lrs = this.model!.getLearningRates();
        const next = lrs.map((lr) => Math.max(lr * this.factor, this.minLr));
        if (next.some((lr, i) => lr < lrs[i])) {
          this.model!.setLearningRates(next);
          if (this.verbose) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next[0]}.`);
          this.cooldownLeft = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

/** Appends each epoch's logs to a CSV file (Keras's CSVLogger); each row is flushed as written. */
export class CSVLogger implements Callback {
  private keys: string[] | null = null;
  constructor(
    readonly filename: string,
    readonly options: { separator?: string; append?: boolean } = {},
  ) {
    if (typeof filename !== 'string' || !filename) argError('filename', 'a file path', filename);
  }
  onTrainBegin(): void {
    this.keys = null;
    fs.mkdirSync(path.dirname(path.resolve(this.filename)), { recursive: true });
    if (!this.options.append) fs.writeFileSync(this.filename, '');
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const sep = this.options.separator ?? ',';
    const appendingToOld = this.keys === null && this.options.append && fs.existsSync(this.filename) && fs.statSync(this.filename).size > 0;
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      if (!appendingToOld) fs.appendFileSync(this.filename, ['epoch', ...this.keys].join(sep) + '\n');
    }
    fs.appendFileSync(this.filename, [String(epoch), ...this.keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].join(sep) + '\n');
  }
}
