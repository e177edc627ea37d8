// torch.nn.functional, camelCased.
import { argError, checkInt, checkNumber } from '../errors';
import { callT, reductionEnum } from '../ops';
import { Tensor } from '../tensor';

export type IntOrPair = number | [number, number];
export type Reduction = 'none' | 'mean' | 'sum';

function checkTensor(name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) argError(name, 'a Tensor', v);
  return v as Tensor;
}

function pair(name: string, v: IntOrPair): [number, number] {
  if (typeof v === 'number') return [checkInt(name, v), v];
  if (!Array.isArray(v) || v.length !== 2) argError(name, 'an integer or a pair of integers', v);
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
  return callT('aten::conv2d', input, weight, bias, pair('stride', stride), pair('padding', padding), pair('dilation', dilation), checkInt('groups', groups, { min: 1 }));
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
  return callT('aten::nll_loss_nd', input, target, weight, reductionEnum(reduction), checkInt('ignoreIndex', ignoreIndex));
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
  return callT('aten::cross_entropy_loss', input, target, weight, reductionEnum(reduction), checkInt('ignoreIndex', ignoreIndex), labelSmoothing);
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

