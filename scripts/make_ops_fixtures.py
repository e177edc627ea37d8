"""Expected values for test/ops.test.ts (generated operators), from PyTorch.

    ~/torch-venv/bin/python scripts/make_ops_fixtures.py  ->  test/fixtures/ops.json
"""
import json
import os

import torch

x = torch.tensor([[3.0, 1.0, 4.0, 1.5], [5.0, 9.0, 2.0, 6.0], [5.0, 3.0, 5.0, 8.0]])
ints = torch.tensor([1, 3, 3, 0, 7, 3, 1])
idx = torch.tensor([[0, 2], [1, 0], [3, 3]])
mask = x > 4


def L(t):
    if isinstance(t, (tuple, list)):
        return [L(v) for v in t]
    return t.tolist()


out = {
    "x": x.tolist(),
    "ints": ints.tolist(),
    "idx": idx.tolist(),
    "topk": L(x.topk(2)),
    "topk_dim0_smallest": L(x.topk(2, dim=0, largest=False)),
    "sort": L(x.sort()),
    "sort_desc_dim0": L(x.sort(dim=0, descending=True)),
    "sort_stable": L(torch.sort(ints, stable=True)),
    "argsort_desc": x.argsort(dim=1, descending=True).tolist(),
    "bincount": torch.bincount(ints).tolist(),
    "bincount_weights_minlength": torch.bincount(ints, weights=torch.arange(7.0), minlength=10).tolist(),
    "masked_fill": x.masked_fill(mask, -1.0).tolist(),
    "gather": x.gather(1, idx).tolist(),
    "scatter": torch.zeros(3, 4).scatter(1, idx, x[:, :2]).tolist(),
    "scatter_value": torch.zeros(3, 4).scatter(1, idx, 7.0).tolist(),
    "scatter_add": torch.zeros(3, 4).scatter_add(1, idx, torch.ones(3, 2)).tolist(),
    "cumsum": x.cumsum(1).tolist(),
    "cumsum_int_dtype": torch.cumsum(ints, 0).tolist(),
    "cumsum_float64": str(torch.cumsum(ints, 0, dtype=torch.float64).dtype),
    "cumprod": x.cumprod(0).tolist(),
    "einsum_matmul": torch.einsum("ij,kj->ik", x, x).tolist(),
    "einsum_trace": torch.einsum("ii", x[:, :3]).item(),
    "nonzero": mask.nonzero().tolist(),
    "unique": torch.unique(ints).tolist(),
    "unique_all": L(torch.unique(ints, return_inverse=True, return_counts=True)),
    "unique_dim": L(torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_counts=True)),
    "where_scalar": torch.where(mask, x, 0.0).tolist(),
    "where_method": x.where(mask, torch.full_like(x, 10.0)).tolist(),
    "clamp_min": x.clamp_min(3).tolist(),
    "kthvalue": L(x.kthvalue(2, 1)),
    "median_dim": L(x.median(1)),
    "mode": L(torch.tensor([[1, 2, 2], [3, 3, 1]]).mode(1)),
    "logsumexp": x.logsumexp(1).tolist(),
    "aminmax": L(x.aminmax()),
    "std_dim": x.std(1).tolist(),
    "std_mean": L(torch.std_mean(x, dim=0)),
    "repeat_interleave": ints[:3].repeat_interleave(2).tolist(),
    "roll": x.roll(1, 1).tolist(),
    "tril": x.tril().tolist(),
    "triu_1": x.triu(1).tolist(),
    "diag": x[:, :3].diag().tolist(),
    "repeat": x[:1, :2].repeat(2, 3).tolist(),
    "max_pool2d": torch.max_pool2d(x.view(1, 1, 3, 4), 2).tolist(),
    "max_pool2d_stride1_ceil": torch.max_pool2d(x.view(1, 1, 3, 4), kernel_size=2, stride=1, ceil_mode=True).tolist(),
    "avg_pool1d": torch.avg_pool1d(x.view(1, 3, 4), 2).tolist(),
    "log_softmax": torch.log_softmax(x, 1).tolist(),
    "index_add": torch.zeros(3, 4).index_add(0, torch.tensor([0, 0, 2]), x).tolist(),
    "masked_select": x.masked_select(mask).tolist(),
    "norm": x.norm().item(),
    "norm_p1_dim": x.norm(1, 1).tolist(),
    "new_zeros": [list(x.new_zeros(2, 3).shape), str(x.new_zeros(2, 3).dtype)],
    "lerp": x.lerp(torch.zeros(3, 4), 0.25).tolist(),
    "addcmul": x.addcmul(x, x, value=0.5).tolist(),
    "isclose": torch.isclose(x, x + 1e-6).tolist(),
    "is_floating_point": [x.is_floating_point(), ints.is_floating_point()],
    "ops_add_alpha": torch.ops.aten.add.Tensor(x, x, alpha=2).tolist(),
    "ops_add_scalar": torch.ops.aten.add(x, 2).tolist(),
    "ops_max_dim": L(torch.ops.aten.max(x, 1)),
    "ops_sum_dim": torch.ops.aten.sum.dim_IntList(x, [1], keepdim=True).tolist(),
    "ops_topk_kw": L(torch.ops.aten.topk(x, 1, largest=False)),
}

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ops.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0)
    f.write("\n")
print("wrote", os.path.normpath(path))
