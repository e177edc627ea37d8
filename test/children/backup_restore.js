// Child process for backup_restore.test.ts: trains a small convolutional net with dropout on shuffled MNIST
// for 4 epochs with BackupAndRestore, then saves the final weights. With a marker file, it writes the marker
// when epoch 2 (0-based 1) has ended, so that the parent can kill it with SIGKILL while epoch 3 runs; run
// again with the same backup folder, it resumes after the last finished epoch.
// Usage: node backup_restore.js <dist/lib> <engine auto|js> <backupDir> <out.safetensors> [marker]
'use strict';
const fs = require('fs');
const [dist, engine, backupDir, out, marker] = process.argv.slice(2);
const torch = require(dist);
const { nn, F } = torch;

class Net extends nn.Module {
  conv = new nn.Conv2d(1, 8, 5);
  drop = new nn.Dropout(0.3);
  fc = new nn.Linear(8 * 12 * 12, 10);
  forward(x) {
    x = F.maxPool2d(F.relu(this.conv(x)), 2);
    return this.fc(this.drop(x.flatten(1)));
  }
}

torch.manualSeed(5);
const transform = torch.vision.transforms.Compose([torch.vision.transforms.ToTensor(), torch.vision.transforms.Normalize([0.1307], [0.3081])]);
const mnist = new torch.vision.datasets.MNIST('./data', { train: true, transform });
const train = new torch.data.Subset(mnist, Array.from({ length: 6000 }, (_, i) => i));
const loader = new torch.data.DataLoader(train, { batchSize: 32, shuffle: true, generator: new torch.Generator().manualSeed(11) });
const net = new Net();
const model = new torch.Model(net, {
  optimizer: new torch.optim.Adam(net.parameters(), { lr: 1e-3 }),
  loss: new nn.CrossEntropyLoss(),
  scheduler: null,
  engine,
});
model.compile({ scheduler: new torch.optim.lrScheduler.StepLR(model.optimizer, { stepSize: 1, gamma: 0.7 }) });
const backup = new torch.callbacks.BackupAndRestore(backupDir);
const mark = {
  onEpochEnd(epoch) {
    if (marker && epoch === 1) fs.writeFileSync(marker, String(epoch));
  },
};
model
  .fit(loader, { epochs: 4, verbose: 0, callbacks: [backup, mark] })
  .then((h) => {
    torch.safetensors.saveFile(net.stateDict(), out);
    console.log(JSON.stringify({ epochs: h.epoch, restoredEpoch: backup.restoredEpoch, path: model.engineReport.train }));
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
