"""Writes test/fixtures/parity.json: inputs, outputs and gradients computed by
Python PyTorch, which test/parity.test.ts checks nodetorch against.

Run with a pip-installed torch==2.11.0 outside the repo:
    python3 -m venv ~/torch-venv && ~/torch-venv/bin/pip install torch==2.11.0
    ~/torch-venv/bin/python scripts/make_fixtures.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
g = torch.Generator().manual_seed(1234)


def rnd(*shape):
    return torch.randn(*shape, generator=g)


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.flatten().tolist()}


cases = []


def case(name, fn, inputs, grad_of=()):
    """fn(*inputs) -> output tensor; gradients of (out * w).sum() for a random w, for inputs in grad_of."""
    leaves = [x.clone().requires_grad_(i in grad_of) for i, x in enumerate(inputs)]
    out = fn(*leaves)
    entry = {"name": name, "inputs": [enc(x) for x in inputs], "output": enc(out)}
    if grad_of:
        w = rnd(*out.shape) if out.dim() else torch.tensor(1.0)
        (out * w).sum().backward()
        entry["weight"] = enc(w)
        entry["grads"] = {str(i): enc(leaves[i].grad) for i in grad_of}
    cases.append(entry)


case("add_broadcast", lambda a, b: a + b * 2, [rnd(3, 4), rnd(4)], (0, 1))
case("mul_div_pow", lambda a, b: (a * b / (b.abs() + 1)).pow(2), [rnd(2, 3), rnd(2, 3)], (0, 1))
case("exp_log_sqrt", lambda a: (a.exp() + 1).log().sqrt(), [rnd(5)], (0,))
case("matmul", lambda a, b: a @ b, [rnd(3, 4), rnd(4, 2)], (0, 1))
case("bmm", lambda a, b: torch.bmm(a, b), [rnd(2, 3, 4), rnd(2, 4, 5)], (0, 1))
case("sum_dim_keepdim", lambda a: a.sum(1, keepdim=True), [rnd(3, 4)], (0,))
case("mean_dims", lambda a: a.mean((0, 2)), [rnd(2, 3, 4)], (0,))
case("std_dim", lambda a: a.std(1), [rnd(3, 5)], (0,))
case("var_all", lambda a: a.var(), [rnd(4, 4)], (0,))
case("max_dim_values", lambda a: a.max(1).values, [rnd(4, 6)], (0,))
case("softmax", lambda a: F.softmax(a, dim=1), [rnd(3, 5)], (0,))
case("log_softmax", lambda a: F.log_softmax(a, dim=1), [rnd(3, 5)], (0,))
case("relu_clamp", lambda a: F.relu(a).clamp(max=0.5), [rnd(10)], (0,))
case("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), [rnd(2, 1, 6, 6), rnd(3, 1, 3, 3), rnd(3)], (0, 1, 2))
case("conv2d_stride2", lambda x, w: F.conv2d(x, w, None, stride=2), [rnd(1, 2, 7, 7), rnd(4, 2, 3, 3)], (0, 1))
case("max_pool2d", lambda x: F.max_pool2d(x, 2), [rnd(2, 3, 6, 6)], (0,))
case("linear", lambda x, w, b: F.linear(x, w, b), [rnd(4, 5), rnd(3, 5), rnd(3)], (0, 1, 2))
case("view_permute_transpose", lambda a: a.view(2, 12).t().reshape(4, 6).permute(1, 0).contiguous(), [rnd(4, 6)], (0,))
case("cat_stack", lambda a, b: torch.cat([torch.stack([a, b]), torch.stack([b, a])], 1), [rnd(2, 3), rnd(2, 3)], (0, 1))

targets = torch.tensor([1, 0, 4, 2])
logits = rnd(4, 5)
for name, fn in [
    ("cross_entropy", lambda x: F.cross_entropy(x, targets)),
    ("cross_entropy_sum_smoothing", lambda x: F.cross_entropy(x, targets, reduction="sum", label_smoothing=0.1)),
    ("nll_loss", lambda x: F.nll_loss(F.log_softmax(x, 1), targets)),
]:
    x = logits.clone().requires_grad_(True)
    loss = fn(x)
    loss.backward()
    cases.append({"name": name, "inputs": [enc(logits), enc(targets)], "output": enc(loss), "grads": {"0": enc(x.grad)}})

# Random streams: the same seed gives the same numbers in both.
torch.manual_seed(42)
random = {"seed": 42, "rand": enc(torch.rand(5)), "randn": enc(torch.randn(5)), "randint": enc(torch.randint(0, 10, (6,)))}

# Default initialisation under a seed.
torch.manual_seed(0)
lin = nn.Linear(5, 3)
conv = nn.Conv2d(1, 10, kernel_size=5)
init = {"seed": 0, "linear.weight": enc(lin.weight), "linear.bias": enc(lin.bias), "conv.weight": enc(conv.weight), "conv.bias": enc(conv.bias)}

# SGD with momentum, weight decay and nesterov over a few steps with fixed gradients.
p0 = rnd(6)
grads = [rnd(6) for _ in range(4)]
trajectories = {}
for name, opts in [("plain", dict(lr=0.1)), ("momentum", dict(lr=0.01, momentum=0.5)),
                   ("nesterov_wd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
                   ("dampening", dict(lr=0.05, momentum=0.9, dampening=0.3))]:
    p = p0.clone().requires_grad_(True)
    opt = torch.optim.SGD([p], **opts)
    steps = []
    for gr in grads:
        opt.zero_grad()
        p.grad = gr.clone()
        opt.step()
        steps.append(enc(p))
    trajectories[name] = {"options": opts, "steps": steps}
sgd = {"p0": enc(p0), "grads": [enc(x) for x in grads], "runs": trajectories}

out = {"torch": torch.__version__, "cases": cases, "random": random, "init": init, "sgd": sgd}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "parity.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}: {len(cases)} cases, {os.path.getsize(path)} bytes")
