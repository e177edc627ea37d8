"""Checks, in Python PyTorch, the files nodetorch writes: run after
`node dist/examples/write-checkpoints.js OUT` (see docs/testing.md).

    python scripts/check_roundtrip.py OUT

OUT holds small.pt (a state dict trained in nodetorch), small.safetensors,
tuned_scripted.pt (a TorchScript module fine-tuned in nodetorch), and
expected.json (nodetorch's outputs on a probe input). Each is loaded here and
must give nodetorch's outputs.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

out = sys.argv[1]
expected = json.load(open(os.path.join(out, "expected.json")))


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))


def tensor(e):
    return torch.tensor(e["data"], dtype=getattr(torch, e["dtype"])).reshape(e["shape"])


probe = tensor(expected["probe"])
want = tensor(expected["output"])
for name, load in [("small.pt", lambda p: torch.load(p, weights_only=True)),
                   ("small.safetensors", lambda p: __import__("safetensors.torch").torch.load_file(p))]:
    m = Small()
    m.load_state_dict(load(os.path.join(out, name)))
    m.eval()
    diff = (m(probe) - want).abs().max().item()
    print(f"{name}: max |difference| from nodetorch's output = {diff:.2e}")
    assert diff < 1e-5, name
scripted = torch.jit.load(os.path.join(out, "tuned_scripted.pt"))
scripted.eval()
diff = (scripted(probe) - tensor(expected["scripted_output"])).abs().max().item()
print(f"tuned_scripted.pt: max |difference| = {diff:.2e}")
assert diff < 1e-5
print("all files written by nodetorch load in PyTorch with the same outputs")
