// TensorBoard event files: SummaryWriter (torch.utils.tensorboard's) and the
// TensorBoard callback (Keras's). An event file is a sequence of TFRecords —
// length, masked CRC-32C of the length, data, masked CRC-32C of the data —
// each holding an `Event` protobuf (tensorflow/core/util/event.proto). The
// protobuf encoding is protobufjs's and the CRC-32C is crc-32's; only the
// record framing (four fields) is written here.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { argError, checkInt, checkNumber } from '../../errors';
import type { Callback, Logs, Progress, TrainingModel } from '../types';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CRC32C = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };

// The part of event.proto and summary.proto that scalars need (field numbers are TensorFlow's).
const PROTO = `
syntax = "proto3";
message SummaryValue { string tag = 1; float simple_value = 2; }
message Summary { repeated SummaryValue value = 1; }
message Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
`;
const EventType = protobuf.parse(PROTO).root.lookupType('Event');

/** TFRecord's masked CRC-32C. */
function maskedCrc(data: Uint8Array): number {
  const crc = CRC32C.buf(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord around `data`. */
export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc(data), 0);
  return Buffer.concat([header, data, footer]);
}

/** The events of an event file (checking every CRC), decoded: for tests and tools. */
export function readEvents(file: string): { wallTime: number; step: number; fileVersion?: string; values: { tag: string; value: number }[] }[] {
  const buf = fs.readFileSync(file);
  const events = [];
  for (let at = 0; at < buf.length; ) {
    if (at + 12 > buf.length) throw new Error(`${file}: truncated record header at byte ${at}`);
    const len = Number(buf.readBigUInt64LE(at));
    if (buf.readUInt32LE(at + 8) !== maskedCrc(buf.subarray(at, at + 8))) throw new Error(`${file}: bad length CRC at byte ${at}`);
    const data = buf.subarray(at + 12, at + 12 + len);
    if (data.length !== len || at + 16 + len > buf.length) throw new Error(`${file}: truncated record at byte ${at}`);
    if (buf.readUInt32LE(at + 12 + len) !== maskedCrc(data)) throw new Error(`${file}: bad data CRC at byte ${at}`);
    const e = EventType.toObject(EventType.decode(data), { longs: Number, defaults: true }) as {
      wallTime: number; step: number; fileVersion: string; summary?: { value: { tag: string; simpleValue: number }[] };
    };
    events.push({ wallTime: e.wallTime, step: e.step, fileVersion: e.fileVersion || undefined, values: (e.summary?.value ?? []).map((v) => ({ tag: v.tag, value: v.simpleValue })) });
    at += 16 + len;
  }
  return events;
}

let fileCounter = 0;

/** Writes TensorBoard event files, as torch.utils.tensorboard.SummaryWriter. */
export class SummaryWriter {
  readonly logDir: string;
  readonly file: string;
  private fd: number | null;
  private pending: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly flushMs: number;

  /** `logDir` defaults to runs/<date>_<hostname>, as PyTorch's. */
  constructor(logDir?: string, { flushSecs = 120, filenameSuffix = '' }: { flushSecs?: number; filenameSuffix?: string } = {}) {
    if (logDir !== undefined && typeof logDir !== 'string') argError('logDir', 'a directory path', logDir);
    checkNumber('flushSecs', flushSecs);
    if (typeof filenameSuffix !== 'string') argError('filenameSuffix', 'a string', filenameSuffix);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.logDir = logDir ?? path.join('runs', `${stamp}_${os.hostname()}`);
    fs.mkdirSync(this.logDir, { recursive: true });
    const secs = Math.floor(Date.now() / 1000);
    this.file = path.join(this.logDir, `events.out.tfevents.${secs}.${os.hostname()}.${process.pid}.${fileCounter++}${filenameSuffix}`);
    this.fd = fs.openSync(this.file, 'w');
    this.flushMs = flushSecs * 1000;
    this.write({ wallTime: Date.now() / 1000, fileVersion: 'brain.Event:2' });
    this.flush();
  }

  private write(event: Record<string, unknown>): void {
    if (this.fd === null) throw new Error(`SummaryWriter: ${this.file} is closed`);
    this.pending.push(tfRecord(EventType.encode(EventType.fromObject(event)).finish()));
    if (!this.timer && this.flushMs > 0) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Adds one scalar at `globalStep` (default 0), as add_scalar. */
  addScalar(tag: string, value: number, globalStep = 0, walltime = Date.now() / 1000): void {
    if (typeof tag !== 'string' || !tag) argError('tag', 'a non-empty string', tag);
    checkNumber('value', value);
    checkInt('globalStep', globalStep, { min: 0 });
    this.write({ wallTime: walltime, step: globalStep, summary: { value: [{ tag, simpleValue: value }] } });
  }

  /** Adds several scalars under `mainTag/`, at one step (one event). */
  addScalars(mainTag: string, values: Record<string, number>, globalStep = 0, walltime = Date.now() / 1000): void {
    checkInt('globalStep', globalStep, { min: 0 });
    const value = Object.entries(values).map(([k, v]) => ({ tag: `${mainTag}/${k}`, simpleValue: checkNumber(k, v) }));
    this.write({ wallTime: walltime, step: globalStep, summary: { value } });
  }

  /** Writes what is pending to the file. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd === null || !this.pending.length) return;
    fs.writeSync(this.fd, Buffer.concat(this.pending));
    this.pending = [];
  }

  close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export interface TensorBoardOptions {
  /** Where the `train` and `validation` event files go (default 'logs', as Keras). */
  logDir?: string;
  /** 'epoch' (default), 'batch', or a number of batches: how often batch scalars are written. */
  updateFreq?: 'epoch' | 'batch' | number;
}

/**
 * Keras's TensorBoard callback: `epoch_loss`, `epoch_accuracy`, … per epoch in
 * `<logDir>/train` (the `val_` logs, without the prefix, in
 * `<logDir>/validation`), `epoch_learning_rate`, and with `updateFreq`
 * `batch_loss`, … at the global batch number.
 */
export class TensorBoard implements Callback {
  readonly logDir: string;
  readonly updateFreq: 'epoch' | number;
  private train: SummaryWriter | null = null;
  private validation: SummaryWriter | null = null;
  private model: TrainingModel | null = null;
  private lastBatchStep = -1;

  constructor({ logDir = 'logs', updateFreq = 'epoch' }: TensorBoardOptions = {}) {
    if (typeof logDir !== 'string') argError('logDir', 'a directory path', logDir);
    this.logDir = logDir;
    if (updateFreq === 'batch') this.updateFreq = 1;
    else if (updateFreq === 'epoch') this.updateFreq = 'epoch';
    else this.updateFreq = checkInt('updateFreq', updateFreq, { min: 1 });
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }
  onTrainBegin(): void {
    this.train ??= new SummaryWriter(path.join(this.logDir, 'train'));
    this.lastBatchStep = -1;
  }
  onProgress(p: Progress): void {
    if (this.updateFreq === 'epoch' || p.phase !== 'train' || !this.train) return;
    const step = p.epoch * (this.model?.params.steps ?? p.batches) + p.batch;
    if (step - this.lastBatchStep < this.updateFreq) return;
    this.lastBatchStep = step;
    for (const [k, v] of Object.entries(p.logs)) if (Number.isFinite(v)) this.train.addScalar(`batch_${k}`, v, step);
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    const train = (this.train ??= new SummaryWriter(path.join(this.logDir, 'train')));
    for (const [k, v] of Object.entries(logs)) {
      if (!Number.isFinite(v)) continue;
      if (k.startsWith('val_')) {
        this.validation ??= new SummaryWriter(path.join(this.logDir, 'validation'));
        this.validation.addScalar(`epoch_${k.slice(4)}`, v, epoch);
      } else {
        train.addScalar(k === 'lr' ? 'epoch_learning_rate' : `epoch_${k}`, v, epoch);
      }
    }
    train.flush();
    this.validation?.flush();
  }
  onTrainEnd(): void {
    this.train?.close();
    this.validation?.close();
    this.train = this.validation = null;
  }
}
