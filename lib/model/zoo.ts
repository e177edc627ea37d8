// The seeds' MNIST models and how each article trains them, for the CLI
// (lib/cli.ts) and anyone who wants them ready-made: `net` (seed 002),
// `convnet` (seed 001), `keras-cnn` (seed 004). The examples keep their own
// line-by-line copies, for faithfulness to the articles.
import * as nn from '../nn';
import * as F from '../nn/functional';
import { Adam, Optimizer, SGD } from '../optim';
import { Tensor } from '../tensor';
import type { Loss } from './model';

/** Seed 002's Net: two convolutions, two linear layers, log-softmax outputs. */
export class Net extends nn.Module<[Tensor], Tensor> {
  conv1 = new nn.Conv2d(1, 10, { kernelSize: 5 });
  conv2 = new nn.Conv2d(10, 20, { kernelSize: 5 });
  fc1 = new nn.Linear(320, 50);
  fc2 = new nn.Linear(50, 10);
  forward(x: Tensor): Tensor {
    x = F.relu(F.maxPool2d(this.conv1(x), 2));
    x = F.relu(F.maxPool2d(this.conv2(x), 2));
    x = F.relu(this.fc1(x.view(-1, 320)));
    return F.logSoftmax(this.fc2(x), { dim: 1 });
  }
}

/** Seed 001's ConvNet: LeNet-like, logits. */
export class ConvNet extends nn.Module<[Tensor], Tensor> {
  conv1 = new nn.Conv2d(1, 6, 3);
  conv2 = new nn.Conv2d(6, 16, 3);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x: Tensor): Tensor {
    x = F.maxPool2d(F.relu(this.conv1(x)), 2);
    x = F.maxPool2d(F.relu(this.conv2(x)), 2);
    x = F.relu(this.fc1(x.view(-1, 16 * 5 * 5)));
    x = F.relu(this.fc2(x));
    return this.fc3(x);
  }
}

/** Seed 004's Keras CNN, with Keras's initialisers (glorot-uniform kernels, zero biases); softmax outputs. */
export function kerasCnn(): nn.Sequential {
  const net = new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(64, 64, 3), new nn.ReLU(), new nn.Flatten(),
    new nn.Linear(64 * 3 * 3, 64), new nn.ReLU(), new nn.Linear(64, 10), new nn.Softmax(1),
  );
  for (const m of net.modules()) {
    if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
      nn.init.xavierUniform_(m.weight);
      nn.init.zeros_(m.bias!);
    }
  }
  // TensorFlow's layout (NHWC) for the convolutions, which oneDNN's CPU kernels prefer (a third faster per step)
  return net.to({ memoryFormat: 'channels_last' });
}

/** Keras's categorical cross-entropy of probabilities against class indices (one-hot inside). */
export function categoricalCrossentropy(p: Tensor, y: Tensor): Tensor {
  const eps = 1e-7;
  const target = y.dim() === 1 ? F.oneHot(y, p.shape[1]).to({ dtype: p.dtype }) : y;
  return p.div(p.sum(-1, true)).clamp(eps, 1 - eps).log().mul(target).sum(-1).neg().mean();
}

/** A model of the zoo and the article's recipe for it. */
export interface ZooEntry {
  /** What the article calls it, and where it comes from. */
  description: string;
  create(): nn.Module<[Tensor], Tensor>;
  optimizer(params: Tensor[], lr: number): Optimizer<any>;
  loss: Loss;
  /** The article's learning rate, batch size and epochs. */
  lr: number;
  batchSize: number;
  epochs: number;
  /** Normalize after ToTensor (mean, std), or null for pixels in [0, 1]. */
  normalize: [number, number] | null;
  /** Whether the outputs are log-probabilities, probabilities or logits (for predict's probabilities). */
  outputs: 'logProbabilities' | 'probabilities' | 'logits';
}

export const ZOO: Record<'net' | 'convnet' | 'keras-cnn', ZooEntry> = {
  net: {
    description: "seed 002's Net (2 conv + 2 linear, log-softmax), SGD lr 0.01 momentum 0.5, cross-entropy, batch 64",
    create: () => new Net(),
    optimizer: (params, lr) => new SGD(params, { lr, momentum: 0.5 }),
    loss: new nn.CrossEntropyLoss(),
    lr: 0.01,
    batchSize: 64,
    epochs: 10,
    normalize: [0.1307, 0.3081],
    outputs: 'logProbabilities',
  },
  convnet: {
    description: "seed 001's ConvNet (LeNet-like), SGD lr 0.001 momentum 0.9, cross-entropy, batch 64",
    create: () => new ConvNet(),
    optimizer: (params, lr) => new SGD(params, { lr, momentum: 0.9 }),
    loss: new nn.CrossEntropyLoss(),
    lr: 0.001,
    batchSize: 64,
    epochs: 10,
    normalize: [0.1307, 0.3081],
    outputs: 'logits',
  },
  'keras-cnn': {
    description: "seed 004's Keras CNN (3 conv + 2 dense, softmax), Adam lr 0.001 eps 1e-7, categorical cross-entropy, batch 32",
    create: () => kerasCnn(),
    optimizer: (params, lr) => new Adam(params, { lr, eps: 1e-7 }),
    loss: categoricalCrossentropy,
    lr: 0.001,
    batchSize: 32,
    epochs: 5,
    normalize: null,
    outputs: 'probabilities',
  },
};
