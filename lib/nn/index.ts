import * as functional from './functional';
import * as init from './init';
import * as utils from './utils';

export { Module, Layer, Parameter, Sequential, ModuleList, ModuleDict } from './module';
export { RemovableHandle } from './module';
export type { LoadStateDictResult, ForwardPreHook, ForwardHook, FullBackwardHook } from './module';
export { LazyLinear, LazyConv2d, UninitializedParameter } from './lazy';
export type { LazyConv2dOptions } from './lazy';
export {
  Linear, Conv2d, ReLU, MaxPool2d, Flatten, Dropout, CrossEntropyLoss, NLLLoss,
  Identity, ReLU6, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax, Unflatten,
  AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, Dropout2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm,
  MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, KLDivLoss, FocalLoss,
} from './layers';
export { functional, init, utils };
