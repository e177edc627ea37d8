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

# nn layers and losses (issue 3)
case("avg_pool2d", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), [rnd(2, 2, 7, 7)], (0,))
case("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [rnd(1, 2, 7, 8)], (0,))
case("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, 2), [rnd(1, 2, 6, 6)], (0,))
case("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [rnd(4, 3, 5, 5), rnd(3), rnd(3)], (0, 1, 2))
case("layer_norm", lambda x, w, b: F.layer_norm(x, (5,), w, b), [rnd(3, 4, 5), rnd(5), rnd(5)], (0, 1, 2))
case("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), [rnd(2, 4, 3, 3), rnd(4), rnd(4)], (0, 1, 2))
case("relu6_leaky", lambda x: F.relu6(x * 4) + F.leaky_relu(x, 0.2), [rnd(12)], (0,))
case("gelu_silu", lambda x: F.gelu(x) + F.gelu(x, approximate="tanh") + F.silu(x), [rnd(12)], (0,))
case("pad_reflect", lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"), [rnd(1, 1, 4, 4)], (0,))
case("conv2d_same_groups_dilation", lambda x, w: F.conv2d(x, w, None, padding="same", dilation=2, groups=2), [rnd(1, 4, 9, 9), rnd(6, 2, 3, 3)], (0, 1))
case("mse_l1_smoothl1", lambda a, b: F.mse_loss(a, b) + F.l1_loss(a, b, reduction="sum") + F.smooth_l1_loss(a, b, beta=0.5), [rnd(3, 4), rnd(3, 4)], (0,))
case("bce", lambda p, t: F.binary_cross_entropy(torch.sigmoid(p), t), [rnd(6), torch.rand(6, generator=g)], (0,))
case("bce_with_logits", lambda p, t, w: F.binary_cross_entropy_with_logits(p, t, pos_weight=w), [rnd(3, 4), torch.rand(3, 4, generator=g), torch.rand(4, generator=g) + 0.5], (0,))
case("kl_div_batchmean", lambda a, b: F.kl_div(F.log_softmax(a, 1), F.softmax(b, 1), reduction="batchmean"), [rnd(3, 5), rnd(3, 5)], (0,))
case("cross_entropy_probs", lambda a, b: F.cross_entropy(a, F.softmax(b, 1)), [rnd(4, 5), rnd(4, 5)], (0,))
case("cross_entropy_weight_ignore", lambda a, w: F.cross_entropy(a, torch.tensor([1, 0, 4, 2]), weight=w, ignore_index=4), [rnd(4, 5), torch.rand(5, generator=g)], (0,))

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

# More optimizers over the same gradients.
opt_runs = {}
for name, cls, opts in [
    ("adam", torch.optim.Adam, dict(lr=0.01)),
    ("adam_amsgrad_wd", torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01, weight_decay=0.05)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop_centered_momentum", torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
]:
    p = p0.clone().requires_grad_(True)
    opt = cls([p], **opts)
    steps = []
    for gr in grads:
        opt.zero_grad()
        p.grad = gr.clone()
        opt.step()
        steps.append(enc(p))
    opt_runs[name] = {"class": cls.__name__, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in opts.items()}, "steps": steps}
sgd["more"] = opt_runs

# Gradient clipping.
ps = [rnd(3, 4).requires_grad_(True), rnd(5).requires_grad_(True)]
ps[0].grad, ps[1].grad = rnd(3, 4), rnd(5)
pre = [enc(q.grad) for q in ps]
total = torch.nn.utils.clip_grad_norm_(ps, 1.5)
clip = {"grads": pre, "total": total.item(), "clipped": [enc(q.grad) for q in ps]}

# Learning-rate schedules: lr after each step.
def lrs(make, n=12, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    sch = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for i in range(n):
        opt.step()
        if metrics is None:
            sch.step()
        else:
            sch.step(metrics[i])
        out.append(opt.param_groups[0]["lr"])
    return out

S = torch.optim.lr_scheduler
plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89]
schedules = {
    "StepLR": lrs(lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    "MultiStepLR": lrs(lambda o: S.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.5)),
    "ExponentialLR": lrs(lambda o: S.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR": lrs(lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001)),
    "LinearLR": lrs(lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4)),
    "OneCycleLR": lrs(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=12), n=11),
    "SequentialLR": lrs(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.8)], milestones=[3])),
    "ReduceLROnPlateau": lrs(lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5), metrics=plateau_metrics),
}
p = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
sch = S.OneCycleLR(opt, max_lr=0.5, total_steps=12)
momenta = [opt.param_groups[0]["momentum"]]
for _ in range(11):
    opt.step()
    sch.step()
    momenta.append(opt.param_groups[0]["momentum"])
schedules["OneCycleLR_momentum"] = momenta

# BatchNorm2d running statistics over two training batches, then eval output.
torch.manual_seed(3)
bn = nn.BatchNorm2d(3)
xa, xb, xe = rnd(4, 3, 2, 2), rnd(4, 3, 2, 2), rnd(2, 3, 2, 2)
bn(xa)
bn(xb)
bn.eval()
batchnorm = {"inputs": [enc(xa), enc(xb), enc(xe)], "running_mean": enc(bn.running_mean), "running_var": enc(bn.running_var),
             "num_batches_tracked": bn.num_batches_tracked.item(), "eval_output": enc(bn(xe))}

out = {"torch": torch.__version__, "cases": cases, "random": random, "init": init, "sgd": sgd, "clip": clip,
       "schedules": schedules, "plateau_metrics": plateau_metrics, "batchnorm": batchnorm}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "parity.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}: {len(cases)} cases, {os.path.getsize(path)} bytes")

# Files written by Python for the loading tests: a state dict (OrderedDict with
# _metadata), an optimizer state dict, safetensors, and a scripted module.
fixtures = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))


torch.manual_seed(5)
small = Small()
small.train()
small(torch.randn(8, 1, 10, 10))  # move the BatchNorm statistics
small.eval()
probe = torch.randn(2, 1, 10, 10)
torch.save(small.state_dict(), os.path.join(fixtures, "py_small_state_dict.pt"))
try:
    from safetensors.torch import save_file
    save_file({k: v.contiguous() for k, v in small.state_dict().items()}, os.path.join(fixtures, "py_small.safetensors"), metadata={"format": "pt"})
except ImportError:
    print("safetensors is not installed: py_small.safetensors not written")
torch.jit.script(small).save(os.path.join(fixtures, "py_small_scripted.pt"))
with open(os.path.join(fixtures, "py_small_expected.json"), "w") as f:
    json.dump({"probe": enc(probe), "output": enc(small(probe)), "keys": list(small.state_dict().keys())}, f)
# An optimizer state after one Adam step (this changes the weights: done last).
opt = torch.optim.Adam(small.parameters(), lr=0.01)
small(probe).sum().backward()
opt.step()
torch.save(opt.state_dict(), os.path.join(fixtures, "py_adam_state.pt"))
print("wrote the file fixtures")
