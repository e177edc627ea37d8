"""Writes test/fixtures/hooks.json: what PyTorch's module hooks see, for
test/callable.test.ts and test/lazy.test.ts.

    ~/torch-venv/bin/python scripts/make_hooks_fixtures.py

- backward: a small net with a residual block; full backward hooks on every
  module record (name, gradInput, gradOutput) in the order PyTorch calls them,
  for an input that does not require grad and one that does.
- forward: pre-hooks and forward hooks (prepend, replacement of the arguments
  and of the output) on a Linear, with the events in PyTorch's order.
- lazy: LazyLinear / LazyConv2d materialised under torch.manual_seed, with
  the weights they draw (and the eager layer drawn the same way).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


def enc(t):
    if t is None:
        return None
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.flatten().tolist()}


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(5, 5)

    def forward(self, x):
        return self.lin(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 5)
        self.act = nn.ReLU()
        self.block = Block()
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        h = self.act(self.fc1(x))
        h = self.block(h) + h  # the skip path's gradient is not part of block's gradInput
        return self.fc2(h)


torch.manual_seed(0)
net = Net()
x = torch.randn(2, 4)
target = torch.tensor([0, 2])


def backward_case(input_requires_grad):
    events = []
    handles = []
    for name, m in net.named_modules():
        def hook(mod, gin, gout, name=name):
            events.append({"module": name or "net", "gradInput": [enc(g) for g in gin], "gradOutput": [enc(g) for g in gout]})
        handles.append(m.register_full_backward_hook(hook))
    xi = x.clone().requires_grad_(input_requires_grad)
    out = net(xi)
    loss = F.cross_entropy(out, target)
    loss.backward()
    for h in handles:
        h.remove()
    grads = {n: enc(p.grad) for n, p in net.named_parameters()}
    net.zero_grad()
    return {"inputRequiresGrad": input_requires_grad, "events": events, "loss": loss.item(), "inputGrad": enc(xi.grad), "paramGrads": grads}


backward = {
    "stateDict": {k: enc(v) for k, v in net.state_dict().items()},
    "x": enc(x),
    "target": enc(target),
    "cases": [backward_case(False), backward_case(True)],
}

# Forward hooks: order, prepend, replacement.
torch.manual_seed(1)
lin = nn.Linear(3, 2)
xf = torch.randn(4, 3)
fevents = []
lin.register_forward_pre_hook(lambda m, args: fevents.append("pre1"))
lin.register_forward_pre_hook(lambda m, args: (fevents.append("pre2"), args[0] * 2)[1])  # replaces the (single) argument
lin.register_forward_pre_hook(lambda m, args: fevents.append("pre0"), prepend=True)
lin.register_forward_hook(lambda m, args, out: (fevents.append("fwd1"), out + 1)[1])  # replaces the output
lin.register_forward_hook(lambda m, args, out: (fevents.append("fwd2"), None)[1])
lin.register_forward_hook(lambda m, args, out: fevents.append("fwd0"), prepend=True)
seen = {}
lin.register_forward_hook(lambda m, args, out: seen.update(arg=args[0].clone(), out=out.clone()))
yf = lin(xf)
forward = {
    "stateDict": {k: enc(v) for k, v in lin.state_dict().items()},
    "x": enc(xf),
    "events": fevents,
    "output": enc(yf),
    "lastHookArg": enc(seen["arg"]),
    "lastHookOutput": enc(seen["out"]),
    "forwardOnly": enc(F.linear(xf, lin.weight, lin.bias)),
}

# Lazy layers: weights drawn at the first call, in forward order.
torch.manual_seed(2)
lazy_lin = nn.LazyLinear(3)
lazy_conv = nn.LazyConv2d(4, 3, stride=2, padding=1, bias=True)
xl = torch.randn(2, 5)
xc = torch.randn(1, 2, 6, 6)
ylin = lazy_lin(xl)
yconv = lazy_conv(xc)
torch.manual_seed(2)
eager_lin = nn.Linear(5, 3)  # drawn from the same RNG state as the lazy one (the inputs came after)

torch.manual_seed(3)
seq = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
xs = torch.randn(3, 1, 6, 6)
ys = seq(xs)
lazy = {
    "linear": {"x": enc(xl), "weight": enc(lazy_lin.weight), "bias": enc(lazy_lin.bias), "y": enc(ylin), "eagerWeight": enc(eager_lin.weight)},
    "conv": {"x": enc(xc), "weight": enc(lazy_conv.weight), "bias": enc(lazy_conv.bias), "y": enc(yconv)},
    "sequential": {"x": enc(xs), "y": enc(ys), "stateDict": {k: enc(v) for k, v in seq.state_dict().items()}},
}

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "hooks.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "backward": backward, "forward": forward, "lazy": lazy}, f)
print("wrote", out)
