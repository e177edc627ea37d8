// torch.nn.functional, camelCased.
import { argError, checkInt, checkNumber, TorchError } from '../errors';
import { callOp, callT, reductionEnum } from '../ops';
import { Tensor } from '../tensor';

export type IntOrPair = number | [number, number];
export type Reduction = 'none' | 'mean' | 'sum';

function checkTensor(name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) argError(name, 'a Tensor', v);
  return v as Tensor;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
export function pair(name: string, v: IntOrPair): [number, number] {
  if (isInt(v)) return [v, v];
  if (typeof v === 'number') return [checkInt(name, v), v];
  if (!Array.isArray(v) || v.length !== 2) argError(name, 'an integer or a pair of integers', v);
  if (isInt(v[0]) && isInt(v[1])) return [v[0], v[1]];
  return [checkInt(`${name}[0]`, v[0]), checkInt(`${name}[1]`, v[1])];
}

/** `dim` as a number or `{ dim }` (the second form reads like Python's keyword). */
function dimOf(dim: number | { dim: number } | undefined, fn: string): number {
  const d = typeof dim === 'object' && dim !== null ? dim.dim : dim;
  if (d === undefined) throw new TypeError(`${fn}: dim is required (PyTorch's implicit dim is deprecated)`);
  return checkInt('dim', d);
}

export function relu(input: Tensor, { inplace = false }: { inplace?: boolean } = {}): Tensor {
  checkTensor('input', input);
  return inplace ? input.relu_() : input.relu();
}

export function sigmoid(input: Tensor): Tensor {
  return checkTensor('input', input).sigmoid();
}

export function tanh(input: Tensor): Tensor {
  return checkTensor('input', input).tanh();
}

export function softmax(input: Tensor, dim: number | { dim: number }): Tensor {
  return checkTensor('input', input).softmax(dimOf(dim, 'softmax'));
}

export function logSoftmax(input: Tensor, dim: number | { dim: number }): Tensor {
  return checkTensor('input', input).logSoftmax(dimOf(dim, 'logSoftmax'));
}

export interface Pool2dOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}

/** Max pooling; `stride` defaults to `kernelSize` as in PyTorch. */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, { stride, padding = 0, dilation = 1, ceilMode = false }: Pool2dOptions = {}): Tensor {
  checkTensor('input', input);
  const k = pair('kernelSize', kernelSize);
  return callT('aten::max_pool2d', input, k, stride === undefined ? k : pair('stride', stride), pair('padding', padding), pair('dilation', dilation), ceilMode);
}

export interface Conv2dOptions {
  stride?: IntOrPair;
  padding?: IntOrPair | 'valid' | 'same';
  dilation?: IntOrPair;
  groups?: number;
}

export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, { stride = 1, padding = 0, dilation = 1, groups = 1 }: Conv2dOptions = {}): Tensor {
  checkTensor('input', input);
  checkTensor('weight', weight);
  if (bias !== null && bias !== undefined) checkTensor('bias', bias);
  if (typeof padding === 'string') {
    if (padding !== 'valid' && padding !== 'same') argError('padding', "an integer, a pair, 'valid' or 'same'", padding);
    return callT('aten::conv2d.padding', input, weight, bias, pair('stride', stride), padding, pair('dilation', dilation), checkInt('groups', groups, { min: 1 }));
  }
  // A single integer goes as is: the schema's int[2] repeats it, and the native fast path reads it without array access.
  const intOrPair = (name: string, v: IntOrPair) => (isInt(v) ? v : pair(name, v));
  return callT('aten::conv2d', input, weight, bias, intOrPair('stride', stride), intOrPair('padding', padding), intOrPair('dilation', dilation), checkInt('groups', groups, { min: 1 }));
}

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensor('input', input);
  checkTensor('weight', weight);
  return callT('aten::linear', input, weight, bias);
}

export function dropout(input: Tensor, { p = 0.5, training = true }: { p?: number; training?: boolean } = {}): Tensor {
  checkTensor('input', input);
  if (checkNumber('p', p) < 0 || p > 1) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  return callT('aten::dropout', input, p, training);
}

export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  return checkTensor('input', input).flatten(startDim, endDim);
}

export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Negative log-likelihood of log-probabilities `input` (N×C) for class indices `target` (N). */
export function nllLoss(input: Tensor, target: Tensor, { weight = null, ignoreIndex = -100, reduction = 'mean' }: NLLLossOptions = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  try {
    return callT('aten::nll_loss_nd', input, target, weight, reductionEnum(reduction), checkInt('ignoreIndex', ignoreIndex));
  } catch (e) {
    throw explainClassTarget('nllLoss', input, target, e, false);
  }
}

/**
 * A class-index loss's failure, said first in terms of the target when the
 * target is what is wrong (the usual porting slip: float or int32 labels),
 * then PyTorch's own text.
 */
function explainClassTarget(fn: string, input: Tensor, target: Tensor, e: unknown, probabilities: boolean): unknown {
  if (!(e instanceof TorchError) || target.dtype === 'int64') return e;
  const sameShape = input.shape.length === target.shape.length && input.shape.every((d, i) => d === target.shape[i]);
  if (probabilities && sameShape && target.dtype.startsWith('float')) return e;
  const expected = probabilities
    ? `int64 class indices or float class probabilities of the input's shape [${input.shape.join(', ')}]`
    : 'int64 class indices';
  return new TorchError(
    `${fn}: target must hold ${expected}; got ${target.dtype} of shape [${target.shape.join(', ')}] (convert with target.long()). PyTorch: ${e.message}`,
    e.kind,
  );
}

export interface CrossEntropyOptions extends NLLLossOptions {
  labelSmoothing?: number;
}

/** log_softmax + nll_loss over logits (N×C); targets are class indices, or class probabilities of the input's shape. */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  { weight = null, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 }: CrossEntropyOptions = {},
): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  if (checkNumber('labelSmoothing', labelSmoothing) < 0 || labelSmoothing > 1) throw new RangeError(`labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  try {
    return callT('aten::cross_entropy_loss', input, target, weight, reductionEnum(reduction), checkInt('ignoreIndex', ignoreIndex), labelSmoothing);
  } catch (e) {
    throw explainClassTarget('crossEntropy', input, target, e, true);
  }
}

export function mseLoss(input: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  return callT('aten::mse_loss', input, target, reductionEnum(reduction));
}

/** One-hot encoding of int64 class indices (numClasses -1: inferred). */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  checkTensor('input', input);
  return callT('aten::one_hot', input, checkInt('numClasses', numClasses, { min: -1 }));
}


// ---------------------------------------------------------------- more activations

export function relu6(input: Tensor): Tensor {
  return callT('aten::hardtanh', checkTensor('input', input), 0, 6);
}
export function leakyRelu(input: Tensor, { negativeSlope = 0.01 }: { negativeSlope?: number } = {}): Tensor {
  return callT('aten::leaky_relu', checkTensor('input', input), checkNumber('negativeSlope', negativeSlope));
}
/** GELU; `approximate: 'tanh'` for the tanh approximation. */
export function gelu(input: Tensor, { approximate = 'none' }: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') argError('approximate', "'none' or 'tanh'", approximate);
  return callT('aten::gelu', checkTensor('input', input), approximate);
}
export function silu(input: Tensor): Tensor {
  return callT('aten::silu', checkTensor('input', input));
}

// ---------------------------------------------------------------- pooling, padding

export interface AvgPool2dOptions extends Pool2dOptions {
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null }: AvgPool2dOptions = {}): Tensor {
  checkTensor('input', input);
  const k = pair('kernelSize', kernelSize);
  return callT('aten::avg_pool2d', input, k, stride === undefined ? k : pair('stride', stride), pair('padding', padding), ceilMode, countIncludePad, divisorOverride);
}
export function adaptiveAvgPool2d(input: Tensor, outputSize: IntOrPair): Tensor {
  return callT('aten::adaptive_avg_pool2d', checkTensor('input', input), pair('outputSize', outputSize));
}
export function adaptiveMaxPool2d(input: Tensor, outputSize: IntOrPair): Tensor {
  return (callOp('aten::adaptive_max_pool2d', checkTensor('input', input), pair('outputSize', outputSize)) as Tensor[])[0];
}
/** Pads the last dimensions: `pad` is [left, right, top, bottom, …]; mode 'constant', 'reflect', 'replicate' or 'circular'. */
export function pad(input: Tensor, padding: number[], { mode = 'constant', value = 0 }: { mode?: 'constant' | 'reflect' | 'replicate' | 'circular'; value?: number } = {}): Tensor {
  checkTensor('input', input);
  if (!Array.isArray(padding) || padding.length % 2) argError('pad', 'an array of an even number of integers', padding);
  return callT('aten::pad', input, padding.map((p, i) => checkInt(`pad[${i}]`, p)), mode, mode === 'constant' ? value : null);
}

// ---------------------------------------------------------------- normalisation, dropout

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
/** Batch normalisation; in training mode it updates runningMean/runningVar in place (when given). */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions = {}): Tensor {
  checkTensor('input', input);
  return callT('aten::batch_norm', input, weight, bias, runningMean, runningVar, training, momentum, eps, true);
}
export function layerNorm(input: Tensor, normalizedShape: number[], { weight = null, bias = null, eps = 1e-5 }: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  return callT('aten::layer_norm', checkTensor('input', input), normalizedShape, weight, bias, eps, true);
}
export function groupNorm(input: Tensor, numGroups: number, { weight = null, bias = null, eps = 1e-5 }: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  return callT('aten::group_norm', checkTensor('input', input), checkInt('numGroups', numGroups, { min: 1 }), weight, bias, eps, true);
}
/** Zeroes whole channels with probability p (Dropout2d). */
export function dropout2d(input: Tensor, { p = 0.5, training = true }: { p?: number; training?: boolean } = {}): Tensor {
  if (checkNumber('p', p) < 0 || p > 1) throw new RangeError(`dropout probability must be in [0, 1], got ${p}`);
  return callT('aten::feature_dropout', checkTensor('input', input), p, training);
}

// ---------------------------------------------------------------- more losses

export function binaryCrossEntropy(input: Tensor, target: Tensor, { weight = null, reduction = 'mean' }: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  return callT('aten::binary_cross_entropy', checkTensor('input', input), checkTensor('target', target), weight, reductionEnum(reduction));
}
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  { weight = null, posWeight = null, reduction = 'mean' }: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  return callT('aten::binary_cross_entropy_with_logits', checkTensor('input', input), checkTensor('target', target), weight, posWeight, reductionEnum(reduction));
}
export function l1Loss(input: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  return callT('aten::l1_loss', checkTensor('input', input), checkTensor('target', target), reductionEnum(reduction));
}
export function smoothL1Loss(input: Tensor, target: Tensor, { reduction = 'mean', beta = 1.0 }: { reduction?: Reduction; beta?: number } = {}): Tensor {
  return callT('aten::smooth_l1_loss', checkTensor('input', input), checkTensor('target', target), reductionEnum(reduction), checkNumber('beta', beta));
}
/** KL divergence of log-probabilities `input` from `target`; reduction 'batchmean' divides the sum by the batch size, as PyTorch recommends. */
export function klDiv(input: Tensor, target: Tensor, { reduction = 'mean', logTarget = false }: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  if (reduction === 'batchmean') return callT('aten::kl_div', input, target, reductionEnum('sum'), logTarget).div(input.dim() ? input.shape[0] : 1);
  return callT('aten::kl_div', input, target, reductionEnum(reduction), logTarget);
}

export interface FocalLossOptions {
  /** Focusing parameter γ ≥ 0 (0 gives cross-entropy). */
  gamma?: number;
  /** Class weight α: a number (all classes), a tensor of one weight per class, or null. */
  alpha?: number | Tensor | null;
  reduction?: Reduction;
}
/**
 * Focal loss (Lin et al., 2017) over logits `input` (N×C) and class indices
 * `target` (N): FL = -α_t (1 - p_t)^γ log p_t, with p_t the softmax
 * probability of the true class and α_t its weight. γ = 0 and α = null give
 * cross-entropy exactly.
 */
export function focalLoss(input: Tensor, target: Tensor, { gamma = 2, alpha = null, reduction = 'mean' }: FocalLossOptions = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  if (checkNumber('gamma', gamma) < 0) throw new RangeError(`gamma must be >= 0, got ${gamma}`);
  const logpt = input.logSoftmax(1).gather(1, target.unsqueeze(1)).squeeze(1);
  const pt = logpt.exp();
  let loss = pt.neg().add(1).pow(gamma).mul(logpt).neg();
  if (alpha instanceof Tensor) loss = loss.mul(alpha.indexSelect(0, target));
  else if (typeof alpha === 'number') loss = loss.mul(alpha);
  else if (alpha !== null) argError('alpha', 'a number, a Tensor or null', alpha);
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'mean') return loss.mean();
  return argError('reduction', "'none', 'mean' or 'sum'", reduction);
}
