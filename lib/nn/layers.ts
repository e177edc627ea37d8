// Layers and losses of the first slice, with PyTorch's defaults and initialisation.
import { argError, checkBool, checkInt, checkNumber } from '../errors';
import { noGrad } from '../autograd';
import { empty, ones, zeros } from '../creation';
import { Tensor } from '../tensor';
import * as F from './functional';
import { Layer, Module, Parameter } from './module';
import type { Emitter, Val } from '../program';
import { bind, Signature } from '../signature';
import { SIGNATURES } from '../signatures';

/**
 * Binds a constructor's arguments by its Python signature (positional, then a
 * camelCase options object) and refuses PyTorch parameters this layer does not
 * implement when they are given a value other than PyTorch's default.
 */
function pythonArgs(key: keyof typeof SIGNATURES, args: unknown[], unsupported: string[] = []): Record<string, unknown> {
  const where = key.replace(/^nn\./, 'nn.');
  const sig = SIGNATURES[key] as Signature;
  const a = bind(where, sig, args);
  for (const name of unsupported) {
    const p = sig.find((x) => x.name === name)!;
    if (a[name] !== p.default && a[name] !== null) throw new TypeError(`${where}: '${name}' is not supported (leave it at ${JSON.stringify(p.default)})`);
  }
  return a;
}

/**
 * PyTorch's default init for Linear and Conv: kaiming_uniform_(a=√5) for the
 * weight, U(-1/√fanIn, 1/√fanIn) for the bias; drawn in the same order with the
 * same formulas, so a seeded model starts from the same weights as in Python.
 */
function resetLinearLike(weight: Tensor, bias: Tensor | null, fanIn: number): void {
  noGrad(() => {
    const gain = Math.sqrt(2.0 / (1 + 5));
    const std = gain / Math.sqrt(fanIn);
    const bound = Math.sqrt(3.0) * std;
    weight.uniform_(-bound, bound);
    if (bias) {
      const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      bias.uniform_(-b, b);
    }
  });
}

/** y = x Wᵀ + b */
export class Linear extends Layer {
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `new Linear(inFeatures, outFeatures, bias?)`, or with `{ bias }` last (PyTorch's calling rule). */
  constructor(inFeatures: number, outFeatures: number, bias?: boolean);
  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean });
  constructor(options: { inFeatures: number; outFeatures: number; bias?: boolean });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.Linear', args, ['device', 'dtype']);
    const inFeatures = (this.inFeatures = a.inFeatures as number);
    const outFeatures = (this.outFeatures = a.outFeatures as number);
    const bias = a.bias;
    checkInt('inFeatures', inFeatures, { min: 0 });
    checkInt('outFeatures', outFeatures, { min: 0 });
    this.weight = new Parameter(empty(outFeatures, inFeatures));
    this.bias = checkBool('bias', bias) ? new Parameter(empty(outFeatures)) : null;
    resetLinearLike(this.weight, this.bias, inFeatures);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::linear', x, this.weight, this.bias);
  }
  extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

export interface Conv2dOptions extends F.Conv2dOptions {
  kernelSize: F.IntOrPair;
  bias?: boolean;
  /** How padding is filled: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
}

export class Conv2d extends Layer {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly options: F.Conv2dOptions;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  readonly inChannels: number;
  readonly outChannels: number;
  /**
   * PyTorch's signature: `new Conv2d(inChannels, outChannels, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?)`,
   * any of them by name in a trailing options object (`new Conv2d(1, 32, 3, { padding: 1 })`).
   */
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: F.IntOrPair,
    stride?: F.IntOrPair,
    padding?: F.IntOrPair | 'valid' | 'same',
    dilation?: F.IntOrPair,
    groups?: number,
    bias?: boolean,
    paddingMode?: Conv2dOptions['paddingMode'],
  );
  constructor(inChannels: number, outChannels: number, kernelSize: F.IntOrPair, options: Omit<Conv2dOptions, 'kernelSize'>);
  constructor(inChannels: number, outChannels: number, options: Conv2dOptions);
  constructor(...args: unknown[]) {
    super();
    const o = pythonArgs('nn.Conv2d', args, ['device', 'dtype']) as unknown as Required<Conv2dOptions> & { inChannels: number; outChannels: number };
    const inChannels = (this.inChannels = o.inChannels);
    const outChannels = (this.outChannels = o.outChannels);
    if (o.kernelSize === null) argError('Conv2d: kernelSize', 'an integer or a pair', null);
    checkInt('inChannels', inChannels, { min: 1 });
    checkInt('outChannels', outChannels, { min: 1 });
    const groups = checkInt('groups', o.groups ?? 1, { min: 1 });
    if (inChannels % groups || outChannels % groups) throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const k = o.kernelSize;
    this.kernelSize = typeof k === 'number' ? [checkInt('kernelSize', k, { min: 1 }), k] : [checkInt('kernelSize[0]', k[0], { min: 1 }), checkInt('kernelSize[1]', k[1], { min: 1 })];
    const padding = o.padding ?? 0;
    if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') argError('padding', "an integer, a pair, 'valid' or 'same'", padding);
    this.options = { stride: F.pair('stride', o.stride ?? 1), padding: typeof padding === 'string' ? padding : F.pair('padding', padding), dilation: F.pair('dilation', o.dilation ?? 1), groups };
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) argError('paddingMode', "'zeros', 'reflect', 'replicate' or 'circular'", o.paddingMode);
    if (this.paddingMode !== 'zeros' && typeof this.options.padding === 'string') throw new TypeError("Conv2d: a string padding needs paddingMode 'zeros'");
    this.weight = new Parameter(empty(outChannels, inChannels / groups, ...this.kernelSize));
    this.bias = (o.bias ?? true) ? new Parameter(empty(outChannels)) : null;
    resetLinearLike(this.weight, this.bias, (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1]);
  }
  emit(b: Emitter, x: Val): Val {
    const { stride, padding, dilation, groups } = this.options as Required<F.Conv2dOptions>;
    if (typeof padding === 'string') return b.call('aten::conv2d.padding', x, this.weight, this.bias, stride, padding, dilation, groups);
    if (this.paddingMode === 'zeros') return b.call('aten::conv2d', x, this.weight, this.bias, stride, padding, dilation, groups);
    const [ph, pw] = padding as [number, number];
    const padded = b.call('aten::pad', x, [pw, pw, ph, ph], this.paddingMode, null);
    return b.call('aten::conv2d', padded, this.weight, this.bias, stride, 0, dilation, groups);
  }
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=${JSON.stringify(this.options.stride)}`;
  }
}

export class ReLU extends Layer {
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::relu', x);
  }
}

function checkP(p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  return p;
}

/** Pooling settings, checked once: kernel, stride (defaults to the kernel), padding, dilation. */
function poolArgs(kernelSize: F.IntOrPair, o: F.Pool2dOptions) {
  const k = F.pair('kernelSize', kernelSize);
  return {
    k,
    stride: o.stride === undefined ? k : F.pair('stride', o.stride),
    padding: F.pair('padding', o.padding ?? 0),
    dilation: F.pair('dilation', o.dilation ?? 1),
    ceilMode: checkBool('ceilMode', o.ceilMode ?? false),
  };
}

export class MaxPool2d extends Layer {
  private readonly args: ReturnType<typeof poolArgs>;
  readonly kernelSize: F.IntOrPair;
  readonly options: F.Pool2dOptions;
  /** PyTorch's signature: `(kernelSize, stride?, padding?, dilation?, returnIndices?, ceilMode?)`, or by name in an options object. */
  constructor(kernelSize: F.IntOrPair, stride?: F.IntOrPair | null, padding?: F.IntOrPair, dilation?: F.IntOrPair);
  constructor(kernelSize: F.IntOrPair, options: F.Pool2dOptions);
  constructor(options: F.Pool2dOptions & { kernelSize: F.IntOrPair });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.MaxPool2d', args, ['returnIndices']);
    this.kernelSize = a.kernelSize as F.IntOrPair;
    this.options = { stride: (a.stride ?? undefined) as F.IntOrPair | undefined, padding: a.padding as F.IntOrPair, dilation: a.dilation as F.IntOrPair, ceilMode: a.ceilMode as boolean };
    this.args = poolArgs(this.kernelSize, this.options);
  }
  emit(b: Emitter, x: Val): Val {
    const { k, stride, padding, dilation, ceilMode } = this.args;
    return b.call('aten::max_pool2d', x, k, stride, padding, dilation, ceilMode);
  }
  extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

export class Flatten extends Layer {
  readonly startDim: number;
  readonly endDim: number;
  /** `new Flatten(startDim?, endDim?)` or by name. */
  constructor(startDim?: number, endDim?: number);
  constructor(options: { startDim?: number; endDim?: number });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.Flatten', args);
    this.startDim = checkInt('startDim', a.startDim);
    this.endDim = checkInt('endDim', a.endDim);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::flatten.using_ints', x, this.startDim, this.endDim);
  }
}

export class Dropout extends Layer {
  readonly p: number;
  /** `new Dropout(p?)` or `new Dropout({ p })`. */
  constructor(p?: number);
  constructor(options: { p?: number; inplace?: false });
  constructor(...args: unknown[]) {
    super();
    this.p = checkP(pythonArgs('nn.Dropout', args, ['inplace']).p as number);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::dropout', x, this.p, this.training);
  }
}

export class CrossEntropyLoss extends Module {
  readonly options: F.CrossEntropyOptions;
  /** PyTorch's signature `(weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?, labelSmoothing?)`; usually `{ labelSmoothing: 0.1 }`. */
  constructor(options?: F.CrossEntropyOptions);
  constructor(weight: Tensor | null, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.CrossEntropyLoss', args, ['sizeAverage', 'reduce']);
    this.options = { weight: a.weight as Tensor | null, ignoreIndex: a.ignoreIndex as number, reduction: a.reduction as F.Reduction, labelSmoothing: a.labelSmoothing as number };
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module {
  readonly options: F.NLLLossOptions;
  /** PyTorch's signature `(weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?)`, or by name in an options object. */
  constructor(options?: F.NLLLossOptions);
  constructor(weight: Tensor | null, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.NLLLoss', args, ['sizeAverage', 'reduce']);
    this.options = { weight: a.weight as Tensor | null, ignoreIndex: a.ignoreIndex as number, reduction: a.reduction as F.Reduction };
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/** Returns its input (a placeholder, e.g. for a removed head). */
export class Identity extends Layer {
  emit(_b: Emitter, x: Val): Val {
    return x;
  }
}

export class ReLU6 extends Layer {
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::hardtanh', x, 0, 6);
  }
}
export class LeakyReLU extends Layer {
  readonly negativeSlope: number;
  constructor(negativeSlope?: number);
  constructor(options: { negativeSlope?: number; inplace?: false });
  constructor(...args: unknown[]) {
    super();
    this.negativeSlope = checkNumber('negativeSlope', pythonArgs('nn.LeakyReLU', args, ['inplace']).negativeSlope);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::leaky_relu', x, this.negativeSlope);
  }
}
export class GELU extends Layer {
  readonly approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh');
  constructor(options: { approximate?: 'none' | 'tanh' });
  constructor(...args: unknown[]) {
    super();
    const approximate = pythonArgs('nn.GELU', args).approximate as 'none' | 'tanh';
    if (approximate !== 'none' && approximate !== 'tanh') argError('approximate', "'none' or 'tanh'", approximate);
    this.approximate = approximate;
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::gelu', x, this.approximate);
  }
}
export class SiLU extends Layer {
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::silu', x);
  }
}
export class Sigmoid extends Layer {
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::sigmoid', x);
  }
}
export class Tanh extends Layer {
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::tanh', x);
  }
}
export class Softmax extends Layer {
  readonly dim: number;
  /** `new Softmax(dim)` or `new Softmax({ dim })`; PyTorch's implicit dim (None) is deprecated there and refused here. */
  constructor(dim: number);
  constructor(options: { dim: number });
  constructor(...args: unknown[]) {
    super();
    const dim = pythonArgs('nn.Softmax', args).dim;
    if (dim === null) throw new TypeError('Softmax: dim is required (PyTorch\'s implicit dim is deprecated)');
    this.dim = checkInt('dim', dim);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::softmax.int', x, this.dim);
  }
}
export class LogSoftmax extends Layer {
  readonly dim: number;
  /** `new LogSoftmax(dim)` or `new LogSoftmax({ dim })`; PyTorch's implicit dim (None) is deprecated there and refused here. */
  constructor(dim: number);
  constructor(options: { dim: number });
  constructor(...args: unknown[]) {
    super();
    const dim = pythonArgs('nn.LogSoftmax', args).dim;
    if (dim === null) throw new TypeError('LogSoftmax: dim is required (PyTorch\'s implicit dim is deprecated)');
    this.dim = checkInt('dim', dim);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::log_softmax.int', x, this.dim);
  }
}
/** Splits dimension `dim` into `sizes`. */
export class Unflatten extends Layer {
  constructor(
    readonly dim: number,
    readonly sizes: number[],
  ) {
    super();
    checkInt('dim', dim);
    if (!Array.isArray(sizes) || !sizes.length) argError('sizes', 'a non-empty array of integers', sizes);
    sizes.forEach((d, i) => checkInt(`sizes[${i}]`, d, { min: -1 }));
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::unflatten.int', x, this.dim, this.sizes);
  }
}

export class AvgPool2d extends Layer {
  private readonly args: ReturnType<typeof poolArgs> & { countIncludePad: boolean; divisorOverride: number | null };
  readonly kernelSize: F.IntOrPair;
  readonly options: F.AvgPool2dOptions;
  /** PyTorch's signature `(kernelSize, stride?, padding?, ceilMode?, countIncludePad?, divisorOverride?)`, or by name. */
  constructor(kernelSize: F.IntOrPair, stride?: F.IntOrPair | null, padding?: F.IntOrPair, ceilMode?: boolean);
  constructor(kernelSize: F.IntOrPair, options: F.AvgPool2dOptions);
  constructor(options: F.AvgPool2dOptions & { kernelSize: F.IntOrPair });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.AvgPool2d', args);
    const kernelSize = (this.kernelSize = a.kernelSize as F.IntOrPair);
    const options = (this.options = {
      stride: (a.stride ?? undefined) as F.IntOrPair | undefined,
      padding: a.padding as F.IntOrPair,
      ceilMode: a.ceilMode as boolean,
      countIncludePad: a.countIncludePad as boolean,
      divisorOverride: a.divisorOverride as number | null,
    });
    const divisorOverride = options.divisorOverride ?? null;
    if (divisorOverride !== null) checkInt('divisorOverride', divisorOverride, { min: 1 });
    this.args = { ...poolArgs(kernelSize, { ...options, dilation: 1 }), countIncludePad: checkBool('countIncludePad', options.countIncludePad ?? true), divisorOverride };
  }
  emit(b: Emitter, x: Val): Val {
    const { k, stride, padding, ceilMode, countIncludePad, divisorOverride } = this.args;
    return b.call('aten::avg_pool2d', x, k, stride, padding, ceilMode, countIncludePad, divisorOverride);
  }
}
export class AdaptiveAvgPool2d extends Layer {
  private readonly size: [number, number];
  constructor(readonly outputSize: F.IntOrPair) {
    super();
    this.size = F.pair('outputSize', outputSize);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::adaptive_avg_pool2d', x, this.size);
  }
}
export class AdaptiveMaxPool2d extends Layer {
  private readonly size: [number, number];
  constructor(readonly outputSize: F.IntOrPair) {
    super();
    this.size = F.pair('outputSize', outputSize);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::adaptive_max_pool2d', x, this.size);
  }
}
export class Dropout2d extends Layer {
  readonly p: number;
  constructor(p?: number);
  constructor(options: { p?: number; inplace?: false });
  constructor(...args: unknown[]) {
    super();
    this.p = checkP(pythonArgs('nn.Dropout2d', args, ['inplace']).p as number);
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::feature_dropout', x, this.p, this.training);
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Batch normalisation with PyTorch's buffers: runningMean, runningVar, numBatchesTracked (state-dict keys running_mean, running_var, num_batches_tracked). */
abstract class BatchNorm extends Layer {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  /** Set by freeze(): normalise with the running statistics and leave them unchanged, even in training mode. */
  statsFrozen = false;
  readonly numFeatures: number;
  /** PyTorch's signature: `(numFeatures, eps?, momentum?, affine?, trackRunningStats?)`, any of them by name. */
  constructor(numFeatures: number, eps?: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, options: BatchNormOptions);
  constructor(options: BatchNormOptions & { numFeatures: number });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.BatchNorm2d', args, ['device', 'dtype']);
    const numFeatures = (this.numFeatures = a.numFeatures as number);
    const { eps, momentum, affine, trackRunningStats } = a as Required<BatchNormOptions>;
    checkInt('numFeatures', numFeatures, { min: 1 });
    this.eps = checkNumber('eps', eps);
    this.momentum = momentum === null ? null : checkNumber('momentum', momentum);
    this.weight = affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = affine ? new Parameter(zeros(numFeatures)) : null;
    this.registerBuffer('running_mean', trackRunningStats ? zeros(numFeatures) : null);
    this.registerBuffer('running_var', trackRunningStats ? ones(numFeatures) : null);
    this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int64' }) : null);
  }
  /** The numbers of input dimensions accepted. */
  protected abstract readonly inputDims: number[];
  emit(b: Emitter, x: Val): Val | null {
    const tracking = this.running_mean !== null;
    const updating = this.training && !this.statsFrozen && tracking;
    // A cumulative average (momentum null) depends on the count at run time: TypeScript only.
    if (updating && this.momentum === null && b.recording) return null;
    b.checkDim(x, this.inputDims, `${this.constructor.name} expects ${this.inputDims.join('D or ')}D input`);
    let momentum = this.momentum ?? 0;
    if (updating) {
      b.call('aten::add_.Scalar', this.num_batches_tracked, 1);
      if (this.momentum === null) momentum = 1 / (this.num_batches_tracked!.item() as number);
    }
    const useBatchStats = (this.training && !this.statsFrozen) || !tracking;
    const stats = updating || !useBatchStats;
    return b.call('aten::batch_norm', x, this.weight, this.bias, stats ? this.running_mean : null, stats ? this.running_var : null, useBatchStats, momentum, this.eps, true);
  }
  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== null}`;
  }
}

export class BatchNorm1d extends BatchNorm {
  protected readonly inputDims = [2, 3];
}
export class BatchNorm2d extends BatchNorm {
  protected readonly inputDims = [4];
}

export class LayerNorm extends Layer {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean };
  /** PyTorch's signature: `(normalizedShape, eps?, elementwiseAffine?, bias?)`, any of them by name. */
  constructor(normalizedShape: number | number[], eps?: number, elementwiseAffine?: boolean, bias?: boolean);
  constructor(normalizedShape: number | number[], options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean });
  constructor(options: { normalizedShape: number | number[]; eps?: number; elementwiseAffine?: boolean; bias?: boolean });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.LayerNorm', args, ['device', 'dtype']);
    const normalizedShape = a.normalizedShape as number | number[];
    const options = (this.options = { eps: a.eps as number, elementwiseAffine: a.elementwiseAffine as boolean, bias: a.bias as boolean });
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(this.normalizedShape)) argError('normalizedShape', 'an integer or an array of integers', normalizedShape);
    this.normalizedShape.forEach((d, i) => checkInt(`normalizedShape[${i}]`, d, { min: 1 }));
    this.eps = checkNumber('eps', options.eps ?? 1e-5);
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine && (options.bias ?? true) ? new Parameter(zeros(this.normalizedShape)) : null;
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::layer_norm', x, this.normalizedShape, this.weight, this.bias, this.eps, true);
  }
}

export class GroupNorm extends Layer {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly numGroups: number;
  readonly numChannels: number;
  readonly options: { eps?: number; affine?: boolean };
  /** PyTorch's signature: `(numGroups, numChannels, eps?, affine?)`, any of them by name. */
  constructor(numGroups: number, numChannels: number, eps?: number, affine?: boolean);
  constructor(numGroups: number, numChannels: number, options: { eps?: number; affine?: boolean });
  constructor(...args: unknown[]) {
    super();
    const a = pythonArgs('nn.GroupNorm', args, ['device', 'dtype']);
    const numGroups = (this.numGroups = a.numGroups as number);
    const numChannels = (this.numChannels = a.numChannels as number);
    const options = (this.options = { eps: a.eps as number, affine: a.affine as boolean });
    checkInt('numGroups', numGroups, { min: 1 });
    checkInt('numChannels', numChannels, { min: 1 });
    if (numChannels % numGroups) throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = checkNumber('eps', options.eps ?? 1e-5);
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(ones(numChannels)) : null;
    this.bias = affine ? new Parameter(zeros(numChannels)) : null;
  }
  emit(b: Emitter, x: Val): Val {
    return b.call('aten::group_norm', x, this.numGroups, this.weight, this.bias, this.eps, true);
  }
}

type ReductionOpt = { reduction?: F.Reduction };
export class MSELoss extends Module {
  constructor(readonly options: ReductionOpt = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}
export class L1Loss extends Module {
  constructor(readonly options: ReductionOpt = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this.options);
  }
}
export class SmoothL1Loss extends Module {
  constructor(readonly options: ReductionOpt & { beta?: number } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, this.options);
  }
}
export class BCELoss extends Module {
  constructor(readonly options: ReductionOpt & { weight?: Tensor | null } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}
export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: ReductionOpt & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}
export class KLDivLoss extends Module {
  constructor(readonly options: { reduction?: F.Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, this.options);
  }
}
/** Focal loss; see F.focalLoss for the definition. */
export class FocalLoss extends Module {
  constructor(readonly options: F.FocalLossOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.focalLoss(input, target, this.options);
  }
}
