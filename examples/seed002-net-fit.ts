// Seed 002 in the Model.fit style: the classic MNIST Net (SGD lr 0.01,
// momentum 0.5, cross-entropy on the log-softmax outputs, batch 64), trained with validation on
// the test set, then conv1/conv2 frozen and the head fine-tuned, then evaluated
// with precision, recall and F1. The loop runs on a native thread (Model.fit);
// same seed, same data order, same operators as examples/seed002-net.ts.
//
//   npm run example -- seed002-net-fit [--epochs 10] [--finetune-epochs 10] [--seed 1] [--device cuda]
import * as torch from '../lib';
const { nn, optim, F } = torch;
const { datasets, transforms } = torch.vision;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const epochs = Number(arg('epochs', '10'));
const finetuneEpochs = Number(arg('finetune-epochs', '10'));
const device = arg('device', 'cpu') as torch.Device;
torch.manualSeed(Number(arg('seed', '1')));

const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
const trainLoader = new torch.data.DataLoader(new datasets.MNIST('./data', { train: true, transform }), { batchSize: 64, shuffle: true, device });
const testLoader = new torch.data.DataLoader(new datasets.MNIST('./data', { train: false, transform }), { batchSize: 1000, device });

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

function epochLine(label: string): torch.Callback {
  let started = 0;
  return {
    onEpochBegin: () => void (started = performance.now()),
    onEpochEnd: (epoch, logs) =>
      console.log(`${label} Epoch: ${epoch} \tLoss: ${logs.loss.toFixed(6)} \tTest Accuracy: ${(100 * logs.val_accuracy).toFixed(2)} % \t(${((performance.now() - started) / 1000).toFixed(1)} s)`),
  };
}

async function main(): Promise<void> {
  const net = new Net().to(device);
  const model = new torch.Model(net, {
    optimizer: new optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.5 }),
    loss: new nn.CrossEntropyLoss(), // as the article (on log-softmax outputs)
    metrics: ['accuracy'],
  });
  await model.fit(trainLoader, { epochs, validationData: testLoader, verbose: 0, callbacks: [epochLine('Train')] });
  if (finetuneEpochs > 0) {
    net.freeze(['conv1', 'conv2']); // fine-tune the head only
    await model.fit(trainLoader, { epochs: finetuneEpochs, validationData: testLoader, verbose: 0, callbacks: [epochLine('Fine-tuning')] });
  }
  const { logs } = await model.evaluate(testLoader, { verbose: 0 });
  console.log(`Test Accuracy: ${(100 * logs.accuracy).toFixed(2)} %`);
  console.log(`train path: ${model.engineReport.train}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
