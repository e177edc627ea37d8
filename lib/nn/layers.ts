// Layers and losses of the first slice, with PyTorch's defaults and initialisation.
import { argError, checkBool, checkInt } from '../errors';
import { noGrad } from '../autograd';
import { empty, ones, zeros } from '../creation';
import { Tensor } from '../tensor';
import * as F from './functional';
import { Module, Parameter } from './module';

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
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true }: { bias?: boolean } = {},
  ) {
    super();
    checkInt('inFeatures', inFeatures, { min: 0 });
    checkInt('outFeatures', outFeatures, { min: 0 });
    this.weight = new Parameter(empty(outFeatures, inFeatures));
    this.bias = checkBool('bias', bias) ? new Parameter(empty(outFeatures)) : null;
    resetLinearLike(this.weight, this.bias, inFeatures);
  }
  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
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

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly options: F.Conv2dOptions;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate' | 'circular';
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: Conv2dOptions | number,
  ) {
    super();
    const o: Conv2dOptions = typeof options === 'number' ? { kernelSize: options } : options;
    if (!o || typeof o !== 'object') argError('options', '{ kernelSize, stride, padding, dilation, groups, bias }', options);
    if (o.kernelSize === undefined) throw new TypeError('Conv2d: kernelSize is required');
    checkInt('inChannels', inChannels, { min: 1 });
    checkInt('outChannels', outChannels, { min: 1 });
    const groups = checkInt('groups', o.groups ?? 1, { min: 1 });
    if (inChannels % groups || outChannels % groups) throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const k = o.kernelSize;
    this.kernelSize = typeof k === 'number' ? [checkInt('kernelSize', k, { min: 1 }), k] : [checkInt('kernelSize[0]', k[0], { min: 1 }), checkInt('kernelSize[1]', k[1], { min: 1 })];
    this.options = { stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups };
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) argError('paddingMode', "'zeros', 'reflect', 'replicate' or 'circular'", o.paddingMode);
    if (this.paddingMode !== 'zeros' && typeof this.options.padding === 'string') throw new TypeError("Conv2d: a string padding needs paddingMode 'zeros'");
    this.weight = new Parameter(empty(outChannels, inChannels / groups, ...this.kernelSize));
    this.bias = (o.bias ?? true) ? new Parameter(empty(outChannels)) : null;
    resetLinearLike(this.weight, this.bias, (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1]);
  }
  forward(input: Tensor): Tensor {
    if (this.paddingMode === 'zeros') return F.conv2d(input, this.weight, this.bias, this.options);
    const [ph, pw] = typeof this.options.padding === 'number' ? [this.options.padding, this.options.padding] : (this.options.padding as [number, number]);
    const mode = this.paddingMode;
    return F.conv2d(F.pad(input, [pw, pw, ph, ph], { mode }), this.weight, this.bias, { ...this.options, padding: 0 });
  }
  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=${JSON.stringify(this.options.stride)}`;
  }
}

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: F.IntOrPair,
    readonly options: F.Pool2dOptions = {},
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.maxPool2d(input, this.kernelSize, this.options);
  }
  extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.flatten(input, this.startDim, this.endDim);
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly options: F.CrossEntropyOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: F.NLLLossOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/** Returns its input (a placeholder, e.g. for a removed head). */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

export class ReLU6 extends Module {
  forward(input: Tensor): Tensor {
    return F.relu6(input);
  }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, { negativeSlope: this.negativeSlope });
  }
}
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
}
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
}
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
}
/** Splits dimension `dim` into `sizes`. */
export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly sizes: number[],
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + input.dim() : this.dim;
    return input.reshape([...input.shape.slice(0, d), ...this.sizes, ...input.shape.slice(d + 1)]);
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: F.IntOrPair,
    readonly options: F.AvgPool2dOptions = {},
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.options);
  }
}
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: F.IntOrPair) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }
}
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: F.IntOrPair) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.adaptiveMaxPool2d(input, this.outputSize);
  }
}
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  }
  forward(input: Tensor): Tensor {
    return F.dropout2d(input, { p: this.p, training: this.training });
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
abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  /** Set by freeze(): normalise with the running statistics and leave them unchanged, even in training mode. */
  statsFrozen = false;
  constructor(
    readonly numFeatures: number,
    { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true }: BatchNormOptions = {},
  ) {
    super();
    checkInt('numFeatures', numFeatures, { min: 1 });
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = affine ? new Parameter(zeros(numFeatures)) : null;
    this.registerBuffer('running_mean', trackRunningStats ? zeros(numFeatures) : null);
    this.registerBuffer('running_var', trackRunningStats ? ones(numFeatures) : null);
    this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int64' }) : null);
  }
  protected abstract checkInput(input: Tensor): void;
  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const tracking = this.running_mean !== null;
    const updating = this.training && !this.statsFrozen && tracking;
    let momentum = this.momentum ?? 0;
    if (updating) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      if (this.momentum === null) momentum = 1 / (this.num_batches_tracked!.item() as number);
    }
    // Batch statistics in training (or without running stats); running statistics otherwise.
    const useBatchStats = (this.training && !this.statsFrozen) || !tracking;
    return F.batchNorm(input, updating || !useBatchStats ? this.running_mean : null, updating || !useBatchStats ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
  }
  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== null}`;
  }
}

export class BatchNorm1d extends BatchNorm {
  protected checkInput(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`BatchNorm1d expects 2D or 3D input, got ${input.dim()}D`);
  }
}
export class BatchNorm2d extends BatchNorm {
  protected checkInput(input: Tensor): void {
    if (input.dim() !== 4) throw new RangeError(`BatchNorm2d expects 4D input, got ${input.dim()}D`);
  }
}

export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    readonly options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine && (options.bias ?? true) ? new Parameter(zeros(this.normalizedShape)) : null;
  }
  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.options.eps ?? 1e-5 });
  }
}

export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly options: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (numChannels % numGroups) throw new RangeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    const affine = options.affine ?? true;
    this.weight = affine ? new Parameter(ones(numChannels)) : null;
    this.bias = affine ? new Parameter(zeros(numChannels)) : null;
  }
  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.options.eps ?? 1e-5 });
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
