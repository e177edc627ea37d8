// Keras's progress bar for fit and evaluate. On a terminal (verbose 1) one line
// per epoch is redrawn in place, at most ten times a second: batches, a bar,
// the ETA, throughput and the running metrics. Elsewhere (a pipe, a log file,
// CI) it prints plain lines: one at each epoch's end, and one every
// `intervalSecs` while an epoch runs. verbose 2: one line per epoch; 0: nothing.
import { argError } from '../../errors';
import type { Callback, Logs, Progress, TrainingModel } from '../types';

export interface ProgressBarOptions {
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** 0, 1 or 2; default: the fit call's verbose. */
  verbose?: 0 | 1 | 2;
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** Without a terminal, a line every this many seconds during an epoch (default 10). */
  intervalSecs?: number;
  /** The clock, in milliseconds (for tests). */
  now?: () => number;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .filter(([k]) => k !== 'lr')
    .map(([k, v]) => ` - ${k}: ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4)}`)
    .join('');
}

function formatSeconds(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${Math.round(s)}s`;
}

function perStep(seconds: number): string {
  return seconds >= 1e-3 ? `${Math.round(seconds * 1000)}ms/step` : `${Math.round(seconds * 1e6)}us/step`;
}

export class ProgressBar implements Callback {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly width: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private verbose: 0 | 1 | 2 | undefined;
  private model: TrainingModel | null = null;
  private lastDraw = -Infinity;
  private drawn = false;
  private last: Progress | null = null;

  constructor({ stream = process.stdout, verbose, width = 30, intervalSecs = 10, now = () => performance.now() }: ProgressBarOptions = {}) {
    if (!stream || typeof stream.write !== 'function') argError('stream', 'a writable stream', stream);
    if (verbose !== undefined && verbose !== 0 && verbose !== 1 && verbose !== 2) argError('verbose', '0, 1 or 2', verbose);
    this.stream = stream;
    this.verbose = verbose;
    this.width = width;
    this.intervalMs = intervalSecs * 1000;
    this.now = now;
  }
  private get level(): number {
    return this.verbose ?? this.model?.params.verbose ?? 1;
  }
  private get tty(): boolean {
    return this.stream.isTTY === true;
  }
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onEpochBegin(epoch: number): void {
    this.lastDraw = this.now();
    this.last = null;
    this.drawn = false;
    if (this.level === 1) this.stream.write(`Epoch ${epoch + 1}/${this.model?.params.epochs ?? '?'}\n`);
  }
  onTestBegin(): void {
    this.lastDraw = this.now();
    this.last = null;
    this.drawn = false;
  }

  /** The line for a progress report. */
  line(p: Progress, final: boolean, extra: Logs = {}): string {
    const n = String(p.batches);
    const head = `${String(p.batch).padStart(n.length)}/${n}`;
    const done = Math.min(1, p.batches ? p.batch / p.batches : 1);
    const filled = Math.floor(done * this.width);
    const bar = `[${'='.repeat(Math.max(0, filled - (done < 1 ? 1 : 0)))}${done < 1 ? '>' : ''}${'.'.repeat(this.width - filled)}]`;
    const rate = p.elapsed > 0 ? p.samples / p.elapsed : 0;
    const timing = final
      ? ` - ${formatSeconds(p.elapsed)} ${perStep(p.batch ? p.elapsed / p.batch : 0)}`
      : ` - ETA: ${formatSeconds(p.batch ? (p.elapsed / p.batch) * (p.batches - p.batch) : 0)}`;
    return `${head} ${bar}${timing} - ${Math.round(rate)} samples/s${formatLogs(p.logs)}${formatLogs(extra)}`;
  }

  onProgress(p: Progress): void {
    if (p.phase === 'val' || p.phase === 'predict' || this.level === 0) return;
    this.last = p;
    if (this.level !== 1) return;
    const t = this.now();
    if (this.tty) {
      if (t - this.lastDraw < 100 && p.batch < p.batches) return;
      this.lastDraw = t;
      this.stream.write(`\r${this.line(p, false)}\x1b[K`);
      this.drawn = true;
    } else if (t - this.lastDraw >= this.intervalMs && p.batch < p.batches) {
      this.lastDraw = t;
      this.stream.write(`${this.line(p, false)}\n`);
    }
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    if (this.level === 0) return;
    const p = this.last;
    const val = Object.fromEntries(Object.entries(logs).filter(([k]) => k.startsWith('val_')));
    if (this.level === 2) {
      this.stream.write(`Epoch ${epoch + 1}/${this.model?.params.epochs ?? '?'} - ${p ? formatSeconds(p.elapsed) : ''}${formatLogs(logs)}\n`);
      return;
    }
    if (!p) return;
    this.stream.write(`${this.tty && this.drawn ? '\r' : ''}${this.line(p, true, val)}${this.tty ? '\x1b[K' : ''}\n`);
  }

  onTestEnd(logs: Logs): void {
    if (this.level === 0 || !this.last) return;
    const p = this.last;
    this.stream.write(`${this.tty && this.drawn ? '\r' : ''}${this.line({ ...p, logs }, true)}${this.tty ? '\x1b[K' : ''}\n`);
  }
}
