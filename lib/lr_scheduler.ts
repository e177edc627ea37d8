// optim.lrScheduler: learning-rate schedules with PyTorch's (chainable) formulas,
// so the learning rates match torch.optim.lr_scheduler step for step.
import { bind, Signature } from './signature';
import { SIGNATURES } from './signatures';
import { argError, checkInt, checkNumber } from './errors';
import type { Optimizer } from './optim';

type AnyOptimizer = Optimizer<object>;
type Group = Record<string, unknown> & { lr: number; initialLr?: number };

function groups(opt: AnyOptimizer): Group[] {
  return opt.paramGroups as unknown as Group[];
}

export abstract class LRScheduler {
  lastEpoch: number;
  readonly baseLrs: number[];
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(
    readonly optimizer: AnyOptimizer,
    lastEpoch = -1,
  ) {
    if (!optimizer || !Array.isArray((optimizer as AnyOptimizer).paramGroups)) argError('optimizer', 'an optimizer', optimizer);
    checkInt('lastEpoch', lastEpoch, { min: -1 });
    for (const g of groups(optimizer)) {
      if (lastEpoch === -1) g.initialLr ??= g.lr; // setdefault, as PyTorch: a second scheduler keeps the first's
      else if (g.initialLr === undefined) throw new RangeError("param group has no initialLr: resuming (lastEpoch != -1) needs the optimizer's state restored first");
    }
    this.baseLrs = groups(optimizer).map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Takes the first step, as PyTorch's constructors do (call at the end of a subclass constructor). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for the current lastEpoch, from the groups' current ones (PyTorch's get_lr). */
  protected abstract getLr(): number[];
  /** The closed form at lastEpoch, where PyTorch has one (used by SequentialLR at its milestones). */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one epoch (or batch, for per-step schedules) and sets the groups' learning rates. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.apply(this.getLr());
  }

  /** @internal SequentialLR starting its first scheduler */
  restart(): void {
    this.initialStep();
  }

  /** @internal SequentialLR's restart of a scheduler at epoch 0 */
  stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.getLr());
  }

  protected apply(lrs: number[]): void {
    groups(this.optimizer).forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = groups(this.optimizer).map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected currentLrs(): number[] {
    return groups(this.optimizer).map((g) => g.lr);
  }

  /** Everything but the optimizer, with PyTorch's key names. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function' || (v && typeof v === 'object' && !Array.isArray(v))) continue;
      out[k === 'stepCount' ? '_step_count' : k === 'lastLr' ? '_last_lr' : k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    if (!sd || typeof sd !== 'object') argError('stateDict', 'a scheduler state dict', sd);
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(sd)) {
      const key = k === '_step_count' ? 'stepCount' : k === '_last_lr' ? 'lastLr' : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      if (key in self && key !== 'optimizer') self[key] = Array.isArray(v) ? [...v] : v;
    }
  }
}

/** A scheduler's arguments after the optimizer, bound by its PyTorch signature (lib/signatures.ts). */
function schedulerArgs(key: keyof typeof SIGNATURES, args: unknown[]): Record<string, unknown> {
  return bind(key.replace('optim.lr_scheduler.', ''), (SIGNATURES[key] as Signature).slice(1), args);
}

/** Multiplies the learning rate by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  /** PyTorch's signature: `new StepLR(optimizer, stepSize, gamma?, lastEpoch?)`, any of them by name (`{ stepSize: 7, gamma: 0.1 }`). */
  constructor(optimizer: AnyOptimizer, stepSize: number, gamma?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, stepSize: number, options: { gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = schedulerArgs('optim.lr_scheduler.StepLR', args);
    super(optimizer, a.lastEpoch as number);
    this.stepSize = checkInt('stepSize', a.stepSize, { min: 1 });
    this.gamma = checkNumber('gamma', a.gamma);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the learning rate by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  /** PyTorch's signature: `(optimizer, milestones, gamma?, lastEpoch?)`, any of them by name. */
  constructor(optimizer: AnyOptimizer, milestones: number[], gamma?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, milestones: number[], options: { gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = schedulerArgs('optim.lr_scheduler.MultiStepLR', args);
    super(optimizer, a.lastEpoch as number);
    const milestones = a.milestones as number[];
    this.gamma = checkNumber('gamma', a.gamma);
    if (!Array.isArray(milestones)) argError('milestones', 'an array of epochs', milestones);
    this.milestones = [...milestones].map((m, i) => checkInt(`milestones[${i}]`, m)).sort((a, b) => a - b);
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (!hits) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** hits);
  }
  protected closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/** Multiplies the learning rate by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  /** PyTorch's signature: `(optimizer, gamma, lastEpoch?)`, any of them by name. */
  constructor(optimizer: AnyOptimizer, gamma: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, options: { gamma: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = schedulerArgs('optim.lr_scheduler.ExponentialLR', args);
    super(optimizer, a.lastEpoch as number);
    this.gamma = checkNumber('gamma', a.gamma);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** Cosine annealing from the base rate to etaMin over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  /** PyTorch's signature: `(optimizer, tMax, etaMin?, lastEpoch?)` (Python's T_max is tMax), any of them by name. */
  constructor(optimizer: AnyOptimizer, tMax: number, etaMin?: number, lastEpoch?: number);
  constructor(optimizer: AnyOptimizer, tMax: number, options: { etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number });
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = schedulerArgs('optim.lr_scheduler.CosineAnnealingLR', args);
    super(optimizer, a.lastEpoch as number);
    this.tMax = checkInt('tMax', a.tMax, { min: 1 });
    this.etaMin = checkNumber('etaMin', a.etaMin);
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    if (e === 0) return this.currentLrs();
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.currentLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - this.etaMin) + this.etaMin);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** Scales the learning rate linearly from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1.0,
    readonly totalIters = 5,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (startFactor <= 0 || startFactor > 1) throw new RangeError(`startFactor must be in (0, 1], got ${startFactor}`);
    if (endFactor < 0 || endFactor > 1) throw new RangeError(`endFactor must be in [0, 1], got ${endFactor}`);
    checkInt('totalIters', totalIters, { min: 1 });
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs().map((lr) => lr * this.startFactor);
    if (e > this.totalIters) return this.currentLrs();
    const d = this.endFactor - this.startFactor;
    return this.currentLrs().map((lr) => lr * (1.0 + d / (this.totalIters * this.startFactor + (e - 1) * d)));
  }
  protected closedFormLr(): number[] {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters;
    return this.baseLrs.map((b) => b * f);
  }
}

/** Runs schedulers one after another, switching at the milestones. */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[], lastEpoch = -1) {
    super(optimizer, lastEpoch);
    if (!Array.isArray(schedulers) || schedulers.length < 1) argError('schedulers', 'a non-empty array of schedulers', schedulers);
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(`SequentialLR needs ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : milestones}`);
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new RangeError(`schedulers[${i}] belongs to another optimizer`);
    });
    this.schedulers = schedulers;
    this.milestones = milestones;
    this.lastEpoch = lastEpoch + 1;
    // Undo the first step each scheduler took when made, then start the first one.
    groups(optimizer).forEach((g) => (g.lr = g.initialLr as number));
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].restart();
    this.lastLr = schedulers[0].getLastLr();
  }
  protected getLr(): number[] {
    return this.currentLrs();
  }
  step(): void {
    this.lastEpoch++;
    let idx = this.milestones.findIndex((m) => this.lastEpoch < m);
    if (idx < 0) idx = this.milestones.length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.stepTo(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
}

export interface OneCycleOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

/** The 1cycle policy (Smith & Topin): up to maxLr, then down to a tiny rate; call step() after every batch. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBetas: boolean;
  constructor(optimizer: AnyOptimizer, o: OneCycleOptions, lastEpoch = -1) {
    const total = o.totalSteps ?? (o.epochs !== undefined && o.stepsPerEpoch !== undefined ? o.epochs * o.stepsPerEpoch : undefined);
    if (total === undefined || !Number.isInteger(total) || total <= 0) throw new RangeError('OneCycleLR needs totalSteps, or epochs and stepsPerEpoch (positive integers)');
    const pctStart = o.pctStart ?? 0.3;
    if (pctStart < 0 || pctStart > 1) throw new RangeError(`pctStart must be in [0, 1], got ${pctStart}`);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    const maxLrs = Array.isArray(o.maxLr) ? o.maxLr : groups(optimizer).map(() => o.maxLr as number);
    if (maxLrs.length !== groups(optimizer).length) throw new RangeError(`maxLr has ${maxLrs.length} values for ${groups(optimizer).length} groups`);
    const cycleMomentum = o.cycleMomentum ?? true;
    const defaults = (optimizer as unknown as { defaults: Record<string, unknown> }).defaults;
    const useBetas = 'betas' in defaults;
    if (cycleMomentum && !('momentum' in defaults) && !useBetas) throw new TypeError('optimizer has neither momentum nor betas; pass cycleMomentum: false');
    if (lastEpoch === -1) {
      groups(optimizer).forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
        if (cycleMomentum) {
          g.maxMomentum = o.maxMomentum ?? 0.95;
          g.baseMomentum = o.baseMomentum ?? 0.85;
          if (useBetas) g.betas = [g.maxMomentum, (g.betas as number[])[1]];
          else g.momentum = g.maxMomentum;
        }
      });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = total;
    this.cycleMomentum = cycleMomentum;
    this.useBetas = useBetas;
    this.phases = o.threePhase
      ? [
          { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') argError('annealStrategy', "'cos' or 'linear'", strategy);
    this.anneal = strategy === 'cos' ? (s, e, pct) => e + ((s - e) / 2.0) * (Math.cos(Math.PI * pct) + 1) : (s, e, pct) => (e - s) * pct + s;
    this.initialStep();
  }
  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new RangeError(`OneCycleLR stepped ${step} times; it was set up for ${this.totalSteps} steps`);
    return groups(this.optimizer).map((g) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBetas) g.betas = [momentum, (g.betas as number[])[1]];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/** Cuts the learning rate by `factor` when a metric has stopped improving for `patience` epochs: call step(metric). */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: AnyOptimizer,
    o: ReduceLROnPlateauOptions = {},
  ) {
    this.mode = o.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') argError('mode', "'min' or 'max'", o.mode);
    this.factor = o.factor ?? 0.1;
    if (this.factor >= 1) throw new RangeError('factor should be < 1.0');
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.cooldown = o.cooldown ?? 0;
    const n = groups(optimizer).length;
    this.minLrs = Array.isArray(o.minLr) ? o.minLr : Array(n).fill(o.minLr ?? 0);
    this.eps = o.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = groups(optimizer).map((g) => g.lr);
  }
  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }
  step(metric: number): void {
    checkNumber('metric', metric);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      groups(this.optimizer).forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groups(this.optimizer).map((g) => g.lr);
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): Record<string, unknown> {
    return { best: this.best, num_bad_epochs: this.numBadEpochs, cooldown_counter: this.cooldownCounter, last_epoch: this.lastEpoch, _last_lr: this.getLastLr() };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.best = sd.best as number;
    this.numBadEpochs = sd.num_bad_epochs as number;
    this.cooldownCounter = sd.cooldown_counter as number;
    this.lastEpoch = sd.last_epoch as number;
    this.lastLr = [...(sd._last_lr as number[])];
  }
}
