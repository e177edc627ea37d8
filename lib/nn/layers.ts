// Layers and losses of the first slice, with PyTorch's defaults and initialisation.
import { argError, checkBool, checkInt } from '../errors';
import { noGrad } from '../autograd';
import { empty } from '../creation';
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
}

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly options: F.Conv2dOptions;
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
    this.weight = new Parameter(empty(outChannels, inChannels / groups, ...this.kernelSize));
    this.bias = (o.bias ?? true) ? new Parameter(empty(outChannels)) : null;
    resetLinearLike(this.weight, this.bias, (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1]);
  }
  forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, this.options);
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
