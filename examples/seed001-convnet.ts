// Seed 001 converted mechanically by docs/porting.md's rules (the rule numbers
// are in the comments): the article's ConvNet on MNIST, SGD lr 0.001 momentum 0.9.
// The article trains 10 epochs and uses a `test_loader` it never defines; it is
// defined here as the article's `train_loader` is, on the test split.
//
//   node dist/examples/seed001-convnet.js [--epochs 10] [--seed 1]
// bench/seed001.py is the same script in Python PyTorch; with the same seed both print the same numbers.
import * as torch from '../lib'; // R1
const { nn } = torch;
const transforms = torch.vision.transforms;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
torch.manualSeed(arg('seed', 1));

// 加载MNIST数据集 (load MNIST)
const transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]); // R5 tuples → arrays
const train_dataset = new torch.vision.datasets.MNIST('./data', { train: true, download: true, transform }); // R3 keywords → options
const train_loader = new torch.data.DataLoader(train_dataset, { batchSize: 64, shuffle: true }); // R4 camelCase
const test_dataset = new torch.vision.datasets.MNIST('./data', { train: false, download: true, transform });
const test_loader = new torch.data.DataLoader(test_dataset, { batchSize: 64, shuffle: false });

// 定义卷积神经网络模型 (the model)
class ConvNet extends nn.Module { // R6
  conv1 = new nn.Conv2d(1, 6, 3); // R7 self.x = … in __init__ → fields
  conv2 = new nn.Conv2d(6, 16, 3);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  forward(x: torch.Tensor): torch.Tensor { // R8
    x = torch.relu(this.conv1(x)); // R9 self → this; modules are callable
    x = torch.maxPool2d(x, [2, 2]); // R4, R5
    x = torch.relu(this.conv2(x));
    x = torch.maxPool2d(x, [2, 2]);
    x = x.view(-1, 16 * 5 * 5);
    x = torch.relu(this.fc1(x));
    x = torch.relu(this.fc2(x));
    x = this.fc3(x);
    return x;
  }
}

// 实例化模型 (instantiate)
const model = new ConvNet(); // R10 new

// 定义损失函数和优化器 (loss and optimizer)
const criterion = new nn.CrossEntropyLoss();
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 }); // R3

// 训练模型 (train)
for (let epoch = 0; epoch < arg('epochs', 10); epoch++) { // R11 range → counting loop
  let running_loss = 0.0;
  for (const data of train_loader) { // R12 enumerate(loader) → for…of (the index i is not used)
    const [inputs, labels] = data; // R13 tuple unpacking → destructuring
    optimizer.zeroGrad(); // R4
    const outputs = model(inputs);
    const loss = criterion(outputs, labels);
    loss.backward();
    optimizer.step();
    running_loss += loss.item();
  }
  console.log(`Epoch ${epoch + 1}, Loss: ${running_loss / train_loader.length}`); // R14 f-strings, R15 len()
}

// 测试模型 (test)
let correct = 0;
let total = 0;
torch.noGrad(() => { // R16 with torch.no_grad()
  for (const data of test_loader) {
    const [images, labels] = data;
    const outputs = model(images);
    const [, predicted] = torch.max(outputs.data, 1); // R13, R17 .data
    total += labels.size(0);
    correct += predicted.eq(labels).sum().item(); // R18 == on tensors → eq()
  }
});

console.log(`Accuracy of the network on the 10000 test images: ${Math.floor((100 * correct) / total)}%`); // R19 // → Math.floor
console.log(`Correct: ${correct}/${total}`);
