import * as functional from './functional';

export { Module, Parameter, Sequential } from './module';
export { Linear, Conv2d, ReLU, MaxPool2d, Flatten, Dropout, CrossEntropyLoss, NLLLoss } from './layers';
export { functional };
