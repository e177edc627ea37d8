// Seed 001 in the Model.fit style: the article's ConvNet and its training (SGD
// lr 0.001, momentum 0.9, batch 64, 10 epochs, cross-entropy), with the loop
// handed to torch.Model, which trains on a native thread. Same seed, same data
// order and same operators as examples/seed001-convnet.ts: the same numbers.
//
//   npm run example -- seed001-convnet-fit [--epochs 10] [--seed 1] [--device cuda]
import * as torch from '../lib';
const { nn } = torch;
const { datasets, transforms } = torch.vision;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const epochs = Number(arg('epochs', '10'));
const device = arg('device', 'cpu') as torch.Device;
torch.manualSeed(Number(arg('seed', '1')));

const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
const trainLoader = new torch.data.DataLoader(new datasets.MNIST('./data', { train: true, download: true, transform }), { batchSize: 64, shuffle: true, device });
const testLoader = new torch.data.DataLoader(new datasets.MNIST('./data', { train: false, download: true, transform }), { batchSize: 64, device });

class ConvNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 3);
  conv2 = new nn.Conv2d(6, 16, 3);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = torch.maxPool2d(torch.relu(this.conv1(x)), [2, 2]);
    x = torch.maxPool2d(torch.relu(this.conv2(x)), [2, 2]);
    x = x.view(-1, 16 * 5 * 5);
    x = torch.relu(this.fc1(x));
    x = torch.relu(this.fc2(x));
    return this.fc3(x);
  }
}

async function main(): Promise<void> {
  const net = new ConvNet().to(device);
  const model = new torch.Model(net, {
    optimizer: new torch.optim.SGD(net.parameters(), { lr: 0.001, momentum: 0.9 }),
    loss: new nn.CrossEntropyLoss(),
    metrics: ['accuracy'],
  });
  const history = await model.fit(trainLoader, { epochs, verbose: 0, callbacks: [epochLine()] });
  const { logs } = await model.evaluate(testLoader, { verbose: 0 });
  console.log(`Accuracy of the network on the 10000 test images: ${(100 * logs.accuracy).toFixed(2)}%`);
  console.log(`train path: ${model.engineReport.train}; final loss ${history.history.loss.at(-1)}`);
}

/** One line per epoch, as the article prints. */
function epochLine(): torch.Callback {
  let started = 0;
  return {
    onEpochBegin: () => void (started = performance.now()),
    onEpochEnd: (epoch, logs) => console.log(`Epoch ${epoch + 1}, Loss: ${logs.loss}, Accuracy: ${(100 * logs.accuracy).toFixed(2)}% (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
