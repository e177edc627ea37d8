// Seed 004 ported: the article's Keras CNN on MNIST, line by line, in the Model.fit style its Keras code is
// written in. Keras's defaults are spelled out where PyTorch's differ: glorot-uniform kernels and zero biases,
// Adam's epsilon 1e-7, categorical cross-entropy on softmax outputs with one-hot labels, batch size 32.
// Article fixes, each marked FIX below.
//
//   npm run example -- seed004-keras-cnn [--epochs 5] [--limit N] [--seed 1] [--device cuda]
import * as torch from '../lib';
const { nn, F } = torch;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const epochs = Number(arg('epochs', '5'));
const limit = Number(arg('limit', '60000'));
const device = arg('device', 'cpu') as torch.Device;
torch.manualSeed(Number(arg('seed', '1')));

// 加载 MNIST 数据集 (load MNIST): mnist.load_data() gives uint8 images and integer labels
const train = new torch.vision.datasets.MNIST('./data', { train: true });
const test = new torch.vision.datasets.MNIST('./data', { train: false });
let [xTrain, yTrain] = [train.data.narrow(0, 0, Math.min(limit, train.data.shape[0])), train.targets.narrow(0, 0, Math.min(limit, train.data.shape[0]))];
let [xTest, yTest] = [test.data, test.targets];

// 数据预处理 (preprocessing): x / 255.0; to_categorical(y)
// FIX: the article feeds (N, 28, 28) images to a model declared with input_shape=(28, 28, 1); Keras needs
// the channel axis added (x[..., None]). Here it is PyTorch's layout, (N, 1, 28, 28).
const xTrainF = xTrain.unsqueeze(1).to({ dtype: 'float32', device }).div(255.0);
const xTestF = xTest.unsqueeze(1).to({ dtype: 'float32', device }).div(255.0);
const yTrain1h = F.oneHot(yTrain, 10).to({ dtype: 'float32', device });
const yTest1h = F.oneHot(yTest, 10).to({ dtype: 'float32', device });
[xTrain, yTrain, xTest, yTest] = [xTrainF, yTrain1h, xTestF, yTest1h];

// 构建 CNN 模型 (the model): Keras's Sequential, layer for layer
const net = new nn.Sequential(
  new nn.Conv2d(1, 32, [3, 3]), new nn.ReLU(), // Conv2D(32, (3,3), activation='relu', input_shape=(28, 28, 1))
  new nn.MaxPool2d([2, 2]), //                     MaxPooling2D((2,2))
  new nn.Conv2d(32, 64, [3, 3]), new nn.ReLU(), // Conv2D(64, (3,3), activation='relu')
  new nn.MaxPool2d([2, 2]), //                     MaxPooling2D((2,2))
  new nn.Conv2d(64, 64, [3, 3]), new nn.ReLU(), // Conv2D(64, (3,3), activation='relu')
  new nn.Flatten(), //                             Flatten()
  new nn.Linear(64 * 3 * 3, 64), new nn.ReLU(), // Dense(64, activation='relu')
  new nn.Linear(64, 10), new nn.Softmax(1), //     Dense(10, activation='softmax')
).to(device);
// Keras's initialisers: glorot_uniform kernels, zero biases (PyTorch's layers start otherwise).
for (const m of net.modules()) {
  if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
    nn.init.xavierUniform_(m.weight);
    nn.init.zeros_(m.bias!);
  }
}
// TensorFlow's layout (NHWC) for the convolutions' weights, which oneDNN's CPU kernels prefer: about a third
// faster per step here (PyTorch's own `model.to(memory_format=torch.channels_last)`).
net.to({ memoryFormat: 'channels_last' });

// Keras's categorical_crossentropy on probabilities: rescaled to sum to 1, clipped to [ε, 1 − ε] (ε = 1e-7),
// −Σ y·log p per sample, averaged over the batch.
function categoricalCrossentropy(p: torch.Tensor, y: torch.Tensor): torch.Tensor {
  const eps = 1e-7;
  const q = p.div(p.sum(-1, true)).clamp(eps, 1 - eps);
  return q.log().mul(y).sum(-1).neg().mean();
}

async function main(): Promise<void> {
  // 编译模型 (compile): optimizer='adam' (Keras: lr 0.001, β 0.9/0.999, ε 1e-7), the loss, metrics=['accuracy']
  const model = new torch.Model(net, {
    optimizer: new torch.optim.Adam(net.parameters(), { lr: 0.001, betas: [0.9, 0.999], eps: 1e-7 }),
    loss: categoricalCrossentropy,
    metrics: ['accuracy', 'precision', 'recall', 'f1'],
  });
  // 训练模型 (train): model.fit(x_train, y_train, epochs=5, validation_data=(x_test, y_test)); batch_size 32 (Keras's default)
  await model.fit([xTrain, yTrain], { epochs, batchSize: 32, validationData: [xTest, yTest], verbose: process.stdout.isTTY ? 1 : 2 });
  // 评估模型 (evaluate): model.evaluate(x_test, y_test), with the article's §3.4 metrics (precision, recall, F1)
  const { logs, confusion } = await model.evaluate([xTest, yTest], { batchSize: 32, verbose: 0 });
  console.log(`test loss ${logs.loss.toFixed(4)}, accuracy ${(100 * logs.accuracy).toFixed(2)}%, precision ${logs.precision.toFixed(4)}, recall ${logs.recall.toFixed(4)}, F1 ${logs.f1.toFixed(4)}`);
  process.stdout.write(torch.metrics.classificationReport(confusion!, { digits: 4 }));
  console.log(`train path: ${model.engineReport.train}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
