// nodetorch: LibTorch for Node.js, with PyTorch's API in camelCase.
import * as fs from 'fs';
import * as path from 'path';
import { native, openMpWaitPolicy, packageRoot } from './native';
import { TorchError } from './errors';
import { Tensor } from './tensor';
import * as cuda from './cuda';
import * as nn from './nn';
import * as optim from './optim';
import * as data from './data';
import * as vision from './vision';

export { TorchError, Tensor, cuda, nn, optim, data, vision };
export const F = nn.functional;
export type { DType, Device } from './dtype';
export { DTYPES } from './dtype';
export type { TensorOptions, RandomOptions } from './creation';
export { Generator } from './generator';
export { memoryStats, collectGarbage } from './memory';
export type { MemoryStats } from './memory';
export type { Scalar, TensorOrScalar, NestedArray } from './tensor';
export {
  tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, randperm,
  zerosLike, onesLike, randLike, randnLike, fullLike, cat, stack, where, manualSeed, getRngState, setRngState,
} from './creation';
export { slice, Slice, ellipsis } from './indexing';
export type { IndexItem } from './indexing';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './autograd';
export { Parameter } from './nn/module';
export { save, load, safetensors, writeFileAtomic, SafetensorsError } from './serialization';
export { TorchFileError } from './torchfile';
import * as jit from './jit';
export { jit };
// torch.ops.<namespace>.<op>, and the methods and torch.* functions generated from the schemas (docs/operators.md).
import './generated/ops';
export { unique } from './unique';
export type { UniqueOptions } from './unique';
export { ops } from './ops_namespace';
export type { OpNamespace, OpPacket, OpOverload, OperatorSchema } from './ops_namespace';
export { operatorSchemas } from './ops_namespace';
export * from './generated/functions';

/** What this nodetorch runs on: the LibTorch version and folder, CUDA, threads. */
export function config(): ReturnType<typeof native.config> & { libtorchLink: string | null; nodetorchVersion: string; openMpWaitPolicy: string } {
  const root = packageRoot();
  let link: string | null = null;
  try {
    link = fs.readlinkSync(path.join(root, 'libtorch'));
  } catch {
    link = null;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { ...native.config(), libtorchLink: link, nodetorchVersion: pkg.version, openMpWaitPolicy };
}

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads must be an integer >= 1, got ${n}`);
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

// Functional forms of the common tensor methods, as torch.* has them.
export const add = (a: Tensor, b: Tensor | number, opts?: { alpha?: number }) => a.add(b, opts);
export const sub = (a: Tensor, b: Tensor | number, opts?: { alpha?: number }) => a.sub(b, opts);
export const mul = (a: Tensor, b: Tensor | number) => a.mul(b);
export const div = (a: Tensor, b: Tensor | number, opts?: { roundingMode?: 'trunc' | 'floor' }) => a.div(b, opts);
export const pow = (a: Tensor, b: Tensor | number) => a.pow(b);
export const neg = (a: Tensor) => a.neg();
export const abs = (a: Tensor) => a.abs();
export const exp = (a: Tensor) => a.exp();
export const log = (a: Tensor) => a.log();
export const sqrt = (a: Tensor) => a.sqrt();
export const relu = (a: Tensor) => a.relu();
export const sigmoid = (a: Tensor) => a.sigmoid();
export const tanh = (a: Tensor) => a.tanh();
export const matmul = (a: Tensor, b: Tensor) => a.matmul(b);
export const mm = (a: Tensor, b: Tensor) => a.mm(b);
export const bmm = (a: Tensor, b: Tensor) => a.bmm(b);
export const softmax = (a: Tensor, dim: number) => a.softmax(dim);
export const logSoftmax = (a: Tensor, dim: number) => a.logSoftmax(dim);
export const flatten = (a: Tensor, startDim = 0, endDim = -1) => a.flatten(startDim, endDim);
export const transpose = (a: Tensor, d0: number, d1: number) => a.transpose(d0, d1);
export const reshape = (a: Tensor, shape: number[]) => a.reshape(shape);
export const squeeze = (a: Tensor, dim?: number) => a.squeeze(dim);
export const unsqueeze = (a: Tensor, dim: number) => a.unsqueeze(dim);
export const sum = (a: Tensor, dim?: number | number[], opts?: { keepdim?: boolean }) => a.sum(dim, opts);
export const mean = (a: Tensor, dim?: number | number[], opts?: { keepdim?: boolean }) => a.mean(dim, opts);
export const argmax = (a: Tensor, dim?: number, opts?: { keepdim?: boolean }) => a.argmax(dim, opts);
export const clamp = (a: Tensor, min?: number | null, max?: number | null) => a.clamp(min, max);
export const allclose = (a: Tensor, b: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }) => a.allclose(b, opts);
export const equal = (a: Tensor, b: Tensor) => a.equal(b);
export function max(a: Tensor): Tensor;
export function max(a: Tensor, dim: number, opts?: { keepdim?: boolean }): ReturnType<Tensor['max']>;
export function max(a: Tensor, dim?: number, opts?: { keepdim?: boolean }) {
  return dim === undefined ? a.max() : a.max(dim, opts);
}
export function min(a: Tensor): Tensor;
export function min(a: Tensor, dim: number, opts?: { keepdim?: boolean }): ReturnType<Tensor['min']>;
export function min(a: Tensor, dim?: number, opts?: { keepdim?: boolean }) {
  return dim === undefined ? a.min() : a.min(dim, opts);
}
export { Model } from './model/model';
export type { ModelOptions, FitOptions, EvaluateOptions, PredictOptions, Loss, Data } from './model/model';
export type { Callback, Logs, Progress, TrainingModel, History, Evaluation, Metric, MetricState } from './model/types';
import * as metrics from './model/metrics';
export { metrics };
import * as callbacks from './model/callbacks';
export { callbacks };
import * as report from './model/report';
export { report };
