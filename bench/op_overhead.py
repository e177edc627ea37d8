# The Python half of bench/op_overhead.ts: the same small-tensor operator loops
# in PyTorch, one thread. Prints one JSON object: case -> best microseconds per op.
#   python3 bench/op_overhead.py [--iters 100000] [--rounds 5]
import argparse
import json
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--iters", type=int, default=100000)
p.add_argument("--rounds", type=int, default=5)
args = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)

a = torch.rand(4, 4)
b = torch.rand(4, 4)
x = torch.rand(1, 1, 8, 8)
w = torch.rand(4, 1, 3, 3)
cases = {
    "add": lambda: a.add(b),
    "mul by scalar": lambda: a.mul(2.5),
    "matmul": lambda: a.matmul(b),
    "relu": lambda: a.relu(),
    "sum": lambda: a.sum(),
    "view": lambda: a.view(16),
    "sum + item": lambda: b.sum().item(),
    "conv2d 1x1x8x8, 4 filters 3x3": lambda: F.conv2d(x, w),
}


def best(fn, iters):
    for _ in range(min(iters, 2000)):
        fn()
    out = float("inf")
    for _ in range(args.rounds):
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        out = min(out, (time.perf_counter() - t) / iters)
    return out * 1e6


print(json.dumps({name: best(fn, args.iters // (10 if name.startswith("conv") else 1)) for name, fn in cases.items()}))
