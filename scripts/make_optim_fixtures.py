"""Writes test/fixtures/optim_extra.json (and two small .pt optimizer state dicts) for
test/optim_extra.test.ts: trajectories of torch.optim's Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop
and LBFGS computed by Python PyTorch, which nodetorch's optimizers must follow step for step.

Every run optimizes a fixed deterministic loss (no data loader, no dropout) through
`optimizer.step(closure)`; the parameters after each step, the loss each step returned and the final
state_dict()['state'] are recorded. Float64 runs are compared tightly; float32 runs to 1e-6 relative.

Run with the venv's torch 2.11:
    ~/torch-venv/bin/python scripts/make_optim_fixtures.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float32)  # the optimizers' scalar state (step, mu_product, eta, mu) is float32
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "test", "fixtures")
g = torch.Generator().manual_seed(2024)


def rnd(*shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.flatten().tolist()}


def enc_value(v):
    """A state value: tensors encoded, lists element by element, numbers and None as they are."""
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, (list, tuple)):
        return [enc_value(x) for x in v]
    return v


# ---------------------------------------------------------------- the problems (losses)
# Each problem: initial parameters, constants, and a loss written with the same operators, in the
# same order, as test/optim_extra.test.ts writes it.

PROBLEMS = {
    "quad": {
        "params": {"a": rnd(4), "b": rnd(2, 3)},
        "consts": {"ca": rnd(4), "wa": rnd(4).abs() + 0.5, "cb": rnd(2, 3)},
    },
    "mlp": {
        "params": {"w1": rnd(5, 3) * 0.5, "b1": rnd(5) * 0.1, "w2": rnd(2, 5) * 0.5, "b2": rnd(2) * 0.1},
        "consts": {"x": rnd(8, 3), "y": rnd(8, 2)},
    },
    "rosen": {
        "params": {"x": torch.tensor([-1.2, 1.0, -0.5, 0.8], dtype=torch.float64)},
        "consts": {},
    },
}


def loss_of(problem, p, c):
    if problem == "quad":
        # sum(wa * (a - ca)^2) + sum(sin(b) * cb) + 0.1 * (sum(a) * sum(b))^2
        return (p["a"].sub(c["ca"]).pow(2).mul(c["wa"]).sum()
                .add(p["b"].sin().mul(c["cb"]).sum())
                .add(p["a"].sum().mul(p["b"].sum()).pow(2).mul(0.1)))
    if problem == "mlp":
        # mean((tanh(x @ w1^T + b1) @ w2^T + b2 - y)^2)
        h = c["x"].matmul(p["w1"].t()).add(p["b1"]).tanh()
        return h.matmul(p["w2"].t()).add(p["b2"]).sub(c["y"]).pow(2).mean()
    if problem == "rosen":
        # sum(100 * (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)
        x = p["x"]
        n = x.shape[0]
        head, tail = x.narrow(0, 0, n - 1), x.narrow(0, 1, n - 1)
        return tail.sub(head.pow(2)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum()
    raise ValueError(problem)


def setup(problem, dtype):
    spec = PROBLEMS[problem]
    params = {k: v.to(dtype).clone().requires_grad_(True) for k, v in spec["params"].items()}
    consts = {k: v.to(dtype) for k, v in spec["consts"].items()}
    return params, consts


def jsonable(opts):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in opts.items()}


# ---------------------------------------------------------------- trajectories
O = torch.optim
RUNS = [
    # name, class, options, problem, dtype, steps
    ("adadelta_default", O.Adadelta, dict(), "quad", torch.float64, 8),
    ("adadelta_rho_eps_wd", O.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.05), "quad", torch.float64, 8),
    ("adadelta_maximize", O.Adadelta, dict(lr=0.5, maximize=True), "mlp", torch.float64, 6),
    ("adadelta_f32", O.Adadelta, dict(lr=1.0), "mlp", torch.float32, 6),
    ("adamax_lr", O.Adamax, dict(lr=0.02), "quad", torch.float64, 8),
    ("adamax_betas_wd", O.Adamax, dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1), "quad", torch.float64, 8),
    ("adamax_maximize", O.Adamax, dict(lr=0.01, maximize=True), "mlp", torch.float64, 6),
    ("adamax_f32", O.Adamax, dict(), "mlp", torch.float32, 6),
    ("nadam_lr", O.NAdam, dict(lr=0.02), "quad", torch.float64, 8),
    ("nadam_wd_momentum_decay", O.NAdam, dict(lr=0.03, weight_decay=0.1, momentum_decay=0.01, betas=(0.85, 0.99)), "quad", torch.float64, 8),
    ("nadam_decoupled_maximize", O.NAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), "mlp", torch.float64, 6),
    ("nadam_f32", O.NAdam, dict(), "mlp", torch.float32, 6),
    ("radam_lr", O.RAdam, dict(lr=0.02), "quad", torch.float64, 10),
    ("radam_betas_wd", O.RAdam, dict(lr=0.03, betas=(0.9, 0.99), weight_decay=0.1, eps=1e-6), "quad", torch.float64, 10),
    ("radam_decoupled_maximize", O.RAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), "mlp", torch.float64, 8),
    ("radam_f32", O.RAdam, dict(lr=0.01), "mlp", torch.float32, 8),
    ("asgd_lr", O.ASGD, dict(lr=0.05), "quad", torch.float64, 8),
    ("asgd_lambd_alpha_t0_wd", O.ASGD, dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.05), "quad", torch.float64, 8),
    ("asgd_maximize", O.ASGD, dict(lr=0.02, t0=2, maximize=True), "mlp", torch.float64, 6),
    ("asgd_f32", O.ASGD, dict(lr=0.1, t0=2), "mlp", torch.float32, 6),
    ("rprop_default", O.Rprop, dict(), "quad", torch.float64, 8),
    ("rprop_etas_step_sizes", O.Rprop, dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08)), "quad", torch.float64, 10),
    ("rprop_maximize", O.Rprop, dict(lr=0.02, maximize=True), "mlp", torch.float64, 6),
    ("rprop_f32", O.Rprop, dict(), "mlp", torch.float32, 8),
    ("lbfgs_rosen", O.LBFGS, dict(lr=0.2, max_iter=10), "rosen", torch.float64, 3),
    ("lbfgs_rosen_wolfe", O.LBFGS, dict(line_search_fn="strong_wolfe"), "rosen", torch.float64, 3),
    ("lbfgs_mlp_wolfe_history", O.LBFGS, dict(max_iter=8, history_size=3, line_search_fn="strong_wolfe"), "mlp", torch.float64, 3),
    ("lbfgs_quad_tolerances", O.LBFGS, dict(lr=0.5, max_iter=15, max_eval=12, tolerance_grad=1e-4, tolerance_change=1e-6, history_size=5), "quad", torch.float64, 3),
    ("lbfgs_mlp_f32", O.LBFGS, dict(lr=0.5, max_iter=5), "mlp", torch.float32, 3),
    ("lbfgs_mlp_wolfe_f32", O.LBFGS, dict(max_iter=6, line_search_fn="strong_wolfe"), "mlp", torch.float32, 3),
]


def run(cls, opts, problem, dtype, steps, opt=None, params=None):
    if params is None:
        params, consts = setup(problem, dtype)
    else:
        consts = setup(problem, dtype)[1]
    plist = list(params.values())
    if opt is None:
        opt = cls(plist, **opts)

    def closure():
        opt.zero_grad()
        loss = loss_of(problem, params, consts)
        loss.backward()
        return loss

    losses, trajectory = [], []
    for _ in range(steps):
        loss = opt.step(closure)
        losses.append(float(loss.detach()))
        trajectory.append([enc(p) for p in plist])
        assert all(torch.isfinite(p).all() for p in plist), "a trajectory left the finite numbers"
    return opt, params, losses, trajectory


runs = []
for name, cls, opts, problem, dtype, steps in RUNS:
    opt, _, losses, trajectory = run(cls, opts, problem, dtype, steps)
    sd = opt.state_dict()
    runs.append({
        "name": name, "class": cls.__name__, "options": jsonable(opts), "problem": problem,
        "dtype": str(dtype).replace("torch.", ""), "losses": losses, "steps": trajectory,
        "state": {str(i): {k: enc_value(v) for k, v in st.items()} for i, st in sd["state"].items()},
        "param_group": {k: (list(v) if isinstance(v, tuple) else v) for k, v in sd["param_groups"][0].items() if k != "params"},
    })

# ---------------------------------------------------------------- Adadelta + StepLR (pytorch/examples' MNIST)
params, consts = setup("mlp", torch.float32)
opt = O.Adadelta(list(params.values()), lr=1.0)
sch = O.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
epochs = []
for epoch in range(3):
    for _ in range(2):  # two "batches" an epoch
        opt.zero_grad()
        loss = loss_of("mlp", params, consts)
        loss.backward()
        opt.step()
    sch.step()
    epochs.append({"lr": opt.param_groups[0]["lr"], "params": [enc(p) for p in params.values()]})
steplr = {"epochs": epochs, "batches_per_epoch": 2, "gamma": 0.7, "step_size": 1}

# ---------------------------------------------------------------- state dicts made in Python, loaded there
loaded = {}
for name, cls, opts, before, after in [
    ("nadam", O.NAdam, dict(lr=0.01, weight_decay=0.01), 3, 3),
    ("lbfgs", O.LBFGS, dict(max_iter=4, history_size=3, line_search_fn="strong_wolfe"), 2, 2),
]:
    opt, params, _, _ = run(cls, opts, "mlp", torch.float32, before)
    file = f"py_optim_{name}_state.pt"
    torch.save(opt.state_dict(), os.path.join(FIXTURES, file))
    start = [enc(p) for p in params.values()]
    # A fresh optimizer over the same parameters, given the saved state: what the test does.
    fresh = cls(list(params.values()), lr=123.0)
    fresh.load_state_dict(torch.load(os.path.join(FIXTURES, file)))
    _, _, losses, trajectory = run(cls, opts, "mlp", torch.float32, after, opt=fresh, params=params)
    loaded[name] = {"class": cls.__name__, "file": file, "options": jsonable(opts), "start": start, "losses": losses, "steps": trajectory}

out = {
    "torch": torch.__version__,
    "problems": {k: {"params": {n: enc(t) for n, t in v["params"].items()}, "consts": {n: enc(t) for n, t in v["consts"].items()}} for k, v in PROBLEMS.items()},
    "runs": runs,
    "steplr": steplr,
    "loaded": loaded,
}
with open(os.path.join(FIXTURES, "optim_extra.json"), "w") as f:
    json.dump(out, f)
print(f"wrote {len(runs)} trajectories, the StepLR run and {len(loaded)} loaded-state runs (torch {torch.__version__})")
assert not math.isnan(runs[0]["losses"][-1])
