"""Writes test/fixtures/indexing.json: Python's tensor indexing, x[...] and
x[...] = v, on fixed tensors, for test/indexing.test.ts (x.index / x.indexPut_).

Run with torch==2.11.0:
    ~/torch-venv/bin/python scripts/make_indexing_fixtures.py

Every case records its index items in a machine-readable form, so that the
TypeScript test makes the same call:
    {"int": n, "bigint": true?}   an integer (as a bigint in TypeScript when flagged)
    {"none": true}                None       -> null
    {"ellipsis": true}            ...        -> '...'
    {"bool": b}                   True/False -> true/false
    {"slice": [start, stop, step]}           -> torch.slice(start, stop, step) (null parts)
    {"str": "1:5:2"}              the slice written as a string in TypeScript
    {"tensor": enc}               a tensor   -> torch.tensor(data, {dtype}).reshape(shape)
    {"list": nested}              a Python list index -> the nested array
The TypeScript rule: x.index(a) is Python's x[a] (one item), x.index(a, b, ...)
is x[(a, b, ...)]; a nested array is always one index (a tensor), so a lone
nested list is evaluated here as x[(list,)] (what Python 2.9+ promises for x[list]).
x.indexPut_(items, v) with an array is x[tuple(items)] = v, with anything else x[item] = v.
"""
import json
import os
import warnings

import torch

warnings.simplefilter("ignore")  # uint8 masks and non-tuple sequences warn; the results are what we record

DT = {torch.int64: "int64", torch.int32: "int32", torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8",
      torch.bool: "bool", torch.float32: "float32", torch.float64: "float64"}


def enc(t):
    data = t.detach().flatten().tolist()
    if t.dtype == torch.bool:
        data = [int(v) for v in data]
    return {"shape": list(t.shape), "dtype": DT[t.dtype], "data": data}


BASES = {
    "x3": torch.arange(24).reshape(2, 3, 4),
    "x4": torch.arange(120, dtype=torch.float32).reshape(2, 3, 4, 5),
    "x1": torch.arange(10),
    "x0": torch.tensor(7.5),
    "m2": torch.arange(12, dtype=torch.float64).reshape(3, 4),
    "b2": torch.arange(6).reshape(2, 3) % 2 == 0,
    "e2": torch.zeros(0, 3),
}
BASES = {k: v.clone() for k, v in BASES.items()}  # own storage, not views (is_view_of compares _base)


class S(str):
    """A slice written as a string in TypeScript ('1:5:2'); Python parses the same text."""

    def value(self):
        class _Get:
            def __getitem__(self, k):
                return k
        return eval(f"_G[{self}]", {"_G": _Get()})


class Big(int):
    """An integer given as a bigint in TypeScript."""


def T(data, dtype=None):
    return torch.tensor(data, dtype=dtype)


def enc_item(it):
    if it is None:
        return {"none": True}
    if it is Ellipsis:
        return {"ellipsis": True}
    if isinstance(it, bool):
        return {"bool": it}
    if isinstance(it, Big):
        return {"int": int(it), "bigint": True}
    if isinstance(it, int):
        return {"int": it}
    if isinstance(it, S):
        return {"str": str(it)}
    if isinstance(it, slice):
        return {"slice": [it.start, it.stop, it.step]}
    if isinstance(it, torch.Tensor):
        return {"tensor": enc(it)}
    if isinstance(it, list):
        return {"list": it}
    raise TypeError(it)


def py_item(it):
    if isinstance(it, S):
        return it.value()
    if isinstance(it, Big):
        return int(it)
    return it


def show(it):
    if it is Ellipsis:
        return "..."
    if isinstance(it, S):
        return str(it)
    if isinstance(it, slice):
        p = lambda v: "" if v is None else str(v)
        return f"{p(it.start)}:{p(it.stop)}" + ("" if it.step is None else f":{p(it.step)}")
    if isinstance(it, torch.Tensor):
        return f"tensor({it.tolist()}{'' if it.dtype == torch.int64 else ', ' + DT[it.dtype]})"
    return repr(it)


def py_key(items, as_tuple):
    py = [py_item(i) for i in items]
    if as_tuple:
        return tuple(py)
    return py[0]


def error_of(e):
    return {"type": type(e).__name__, "message": str(e)}


def is_view_of(y, base):
    return y._is_view() and y._base is base


get_cases, set_cases, grad_cases = [], [], []


def G(base, *items):
    """x[items] as x.index(*items)."""
    x = BASES[base]
    as_tuple = len(items) != 1 or isinstance(items[0], list)
    expr = f"{base}[{', '.join(show(i) for i in items)}{',' if len(items) == 1 and as_tuple else ''}]" if items else f"{base}[()]"
    case = {"expr": expr, "base": base, "items": [enc_item(i) for i in items]}
    try:
        y = x[py_key(items, as_tuple)] if items else x[()]
        case["out"] = enc(y)
        case["view"] = is_view_of(y, x)
    except Exception as e:  # noqa: BLE001
        case["error"] = error_of(e)
    get_cases.append(case)


def P(base, items, value, as_tuple=None):
    """x[items] = value as x.indexPut_(items, value): items a list is the tuple, otherwise one item."""
    x = BASES[base].clone()
    if as_tuple is None:
        as_tuple = isinstance(items, list)
    lst = items if as_tuple else [items]
    expr = f"{base}[{', '.join(show(i) for i in lst)}{',' if len(lst) == 1 and as_tuple else ''}] = {show(value)}"
    if isinstance(value, torch.Tensor):
        venc = {"tensor": enc(value)}
    elif isinstance(value, bool):
        venc = {"bool": value}
    elif isinstance(value, Big):
        venc = {"int": int(value), "bigint": True}
    else:
        venc = {"number": value}
    case = {"expr": expr, "base": base, "tuple": as_tuple, "items": [enc_item(i) for i in lst], "value": venc}
    try:
        x[tuple(py_item(i) for i in lst) if as_tuple else py_item(lst[0])] = int(value) if isinstance(value, Big) else value
        case["out"] = enc(x)
    except Exception as e:  # noqa: BLE001
        case["error"] = error_of(e)
    set_cases.append(case)


# ------------------------------------------------------------ x.index(...)
mask2 = T([True, False])
mask23 = BASES["x3"][:, :, 0] % 8 == 0                 # [[T, F, T], [F, T, F]]
mask234 = BASES["x3"] > 10
mask3 = T([True, False, True])
mask4 = T([False, True, True, False])
mask34 = BASES["x3"][0] % 3 == 1
mask45 = BASES["x4"][0, 0] % 3 == 0
x1 = BASES["x1"]
m2 = BASES["m2"]

# integers (negative too)
for items in [(0,), (1,), (-1,), (-2,), (1, 2), (1, 2, 3), (-1, -1, -1), (0, -3), (Big(1),), (Big(-1), Big(2))]:
    G("x3", *items)
G("x1", 9)
G("x1", -10)
G("x4", 0, 1)
G("x4", 1, 2, 3, 4)
G("x4", -1, -1, -1, -1)
# slices, with steps, negative starts, empty and beyond bounds
for s in [slice(None), slice(1, None), slice(None, 1), slice(0, 0), slice(1, 2), slice(-1, None), slice(-5, 5)]:
    G("x3", s)
for s in [slice(None, None, 2), slice(1, None, 3), slice(2, 8, 2), slice(-3, None), slice(None, -3), slice(-8, -2, 3),
          slice(5, 2), slice(20, None), slice(None, 100), slice(-100, 3), slice(None, None, 20), slice(3, 3),
          slice(9223372036854775807, None), slice(0, 2 ** 70), slice(-2 ** 70, 2)]:
    G("x1", s)
G("x3", slice(None), slice(1, None))
G("x3", slice(None), slice(None), slice(None, None, 2))
G("x3", slice(1, None), slice(1, None), slice(1, None))
G("x3", slice(None), slice(3, None))
G("x4", slice(None), slice(None, None, 2), slice(1, 3), slice(-2, None))
G("x4", Ellipsis, slice(None, None, 4))
G("x4", Ellipsis, slice(0, 0))
G("x3", slice(1, 2), slice(0, 1), slice(3, 4))
# slices as strings
for s in [":", "1:", "::2", "-3:", "1:5:2", " 2 : 7 ", ":-1", "::", "-8:-2:3", "3:1", "::3"]:
    G("x1", S(s))
G("x3", S(":"), S("1:3"))
G("x3", 1, S("::2"), S("-2:"))
# None
G("x3", None)
G("x3", None, None)
G("x3", slice(None), None)
G("x3", Ellipsis, None)
G("x3", 0, None)
G("x3", None, 0, None, 1)
G("x3", 1, None, slice(None), None, 2)
G("x1", None, slice(None), None)
G("x0", None)
G("x0", None, None)
G("x4", None, Ellipsis, None)
G("x4", slice(None), None, Ellipsis, None, slice(None))
# Ellipsis
G("x3", Ellipsis)
G("x3", Ellipsis, 0)
G("x3", 0, Ellipsis)
G("x3", Ellipsis, 1, 2)
G("x3", 0, 1, 2, Ellipsis)
G("x4", 0, Ellipsis, 1)
G("x4", Ellipsis, slice(1, 3), 0)
G("x0", Ellipsis)
G("x0", None, Ellipsis)
G("x3", Ellipsis, Ellipsis)
G("x3", Ellipsis, 0, Ellipsis)
G("x3")  # x[()]
G("x0")
# booleans
G("x3", True)
G("x3", False)
G("x3", True, 0)
G("x3", 0, True)
G("x3", False, slice(1, None))
G("x3", None, True)
G("x3", Ellipsis, True)
G("x1", True, True)
G("x0", True)
G("x0", False)
G("x4", True, 0, Ellipsis, [1])
# boolean masks
G("x3", mask2)
G("x3", mask23)
G("x3", mask234)
G("x3", slice(None), mask3)
G("x3", Ellipsis, mask4)
G("x3", 0, mask34)
G("x1", x1 > 5)
G("x1", x1 > 100)
G("x3", T([False, False]))
G("x4", mask23, slice(1, 3))
G("x4", slice(None), slice(None), mask45)
G("x3", T(True))
G("x3", T(False))
G("x3", 1, T(True))
G("x0", T(True))
G("x1", (x1 % 3 == 0).to(torch.uint8))
G("x3", None, mask23)
G("x3", mask23, None)
G("m2", m2 > 5)
G("m2", slice(None), m2[0] > 1)
G("b2", BASES["b2"])
G("b2", 0)
# integer tensors: advanced indexing
G("x3", T([0, 1]))
G("x3", T([1, 1, 0]))
G("x3", T([-1]))
G("x3", slice(None), T([2, 0]))
G("x3", Ellipsis, T([3, 0, 1]))
G("x3", T([[0, 1], [1, 0]]))
G("x3", T([0, 1]), T([1, 2]))
G("x3", T([0, 1]), slice(None), T([1, 2]))
G("x3", T([[0], [1]]), T([0, 2]))
G("x3", slice(None), T([0, 2]), T([1, 3]))
G("x4", T([0, 1]), slice(None), T([0, 1]), slice(None))
G("x4", slice(None), T([0, 2]), slice(None), T([1, 4]))
G("x4", 0, T([0, 2]), slice(None), T([1, 4]))
G("x4", T([1]), slice(1, 3), None, T([0, 3]))
G("x3", T(1))
G("x3", 0, T(2))
G("x3", T(-1), T([0, 1]))
G("x1", T([1, 3], torch.int32))
G("x1", T([2, -1], torch.int8))
G("x1", T([4], torch.int16))
G("x3", T([], torch.int64))
G("x3", T([0, 1]), None)
G("x3", None, T([0, 1]))
G("x3", T([0, 1]), None, T([0, 1]))
G("x3", T([1, 0]), Ellipsis, T([3]))
G("x3", T([[1]]), T([[0, 1, 2]]), T([[1], [2]]))
G("x1", T([[0, 9], [5, 4]]))
G("x4", T(1), slice(None), T([0, 2]))
G("x4", slice(None), [0, 2], 1)
G("x4", [0, 1], 1, slice(None), [2, 3])
G("m2", [2, 0], slice(None, None, 2))
G("e2", slice(None))
G("e2", slice(None), 0)
G("e2", [])
G("e2", Ellipsis, [0, 2])
G("e2", T([], torch.int64), 1)
# lists (Python's x[[0, 2]])
G("x3", [0, 1])
G("x1", [0, 2, 4])
G("x1", [-1, -2])
G("x3", [1])
G("x3", [True, False])
G("x1", [])
G("x3", slice(None), [0, 2])
G("x3", [0, 1], [2, 0])
G("x3", [0, 1], slice(None), [2, 0])
G("x3", [[0, 1], [1, 0]])
G("x3", [0], [1], [2])
G("x3", Ellipsis, [0, 3])
G("x3", [1, 0], slice(1, None), None)
G("x3", [True, True], 0)
G("x3", 1, [True, False, True])
G("x3", [0, 1], [[0], [2]])
G("x1", [True, 3])
G("x3", [[True, False, True], [False, False, True]])
G("x1", [[[1]], [[2]]])
# mixtures
G("x4", 0, slice(1, 3), None, Ellipsis, T([1, 2]))
G("x4", None, Ellipsis, 0, T([0, 2]))
G("x4", mask23, Ellipsis, T([0, 4, 1]))
G("x4", mask23, Ellipsis, T([0, 4]))
G("x4", slice(1, None), [0, 2], None, 2)
G("x4", Ellipsis, None, [1, 0], [4, 3])
G("x4", 1, Ellipsis, [True, False, True, False, True])
G("x4", -1, S("1:"), None, T([[0], [3]]), S("::2"))
G("x4", T([[0], [1]]), None, mask34)
G("x4", T([[0, 1]]), None, mask34)
G("x4", Ellipsis, T(2), None)
G("x4", Big(1), S(":2"), T([3, 0]), Ellipsis)
G("x3", None, [1, 0], None, S("::3"), None)
G("x4", [0, 1], [[0], [2]], slice(None), [1, 4])

# errors
G("x3", 2)
G("x3", -3)
G("x3", 0, 3)
G("x3", 0, 0, 4)
G("x3", 0, 0, 0, 0)
G("x3", None, 5)
G("x3", Ellipsis, 4)
G("x3", slice(None, None, 0))
G("x3", S("::-1"))
G("x3", slice(None), S("::-2"))
G("x3", slice(None), slice(None, None, -1))
G("x0", 0)
G("x0", 0, Ellipsis)
G("x0", slice(None))
G("x3", T([2]))
G("x3", T([0, 1]), T([0, 1, 2]))
G("x3", T([True, False, True]))
G("x3", T([1.0]))
G("x3", [5])
G("x1", T([True, False, True]))
G("x3", mask234, 0)
G("x3", Ellipsis, T(5))
G("x3", True, 0, 0, 0, 0)
G("x3", [0, 1], [-4])
G("x3", S("::0"))

# ------------------------------------------------------------ x.indexPut_(items, value)
P("x3", 0, 0)
P("x3", -1, -5)
P("x3", [slice(None), 1], 7)
P("x3", [0, slice(1, 3)], T([100, 101, 102, 103]))
P("x3", [Ellipsis, 0], T([[1, 2, 3], [4, 5, 6]]))
P("x3", None, T([[[[9, 8, 7, 6]]]]))
P("x3", True, 3)
P("x3", False, 3)
P("x3", Ellipsis, 9)
P("x3", mask234, 0)
P("x3", mask23, T([-1, -2, -3, -4]))
P("x3", [T([0, 1]), T([1, 2])], T([[1, 1, 1, 1]]))
P("x1", [[0, 2, 4]], T([7, 8, 9]))
P("x1", S("::2"), T([0, 1, 2, 3, 4]))
P("x1", slice(2, 5), T(-1))
P("x3", [slice(None), slice(None), S("::2")], T([[[1]]]))
P("x3", [0, [0, 2], slice(1, 3)], T([[5, 6], [7, 8]]))
P("m2", m2 > 5, 0.5)
P("m2", [slice(None), [0, 3]], T([[1.5], [2.5], [3.5]], torch.float64))
P("m2", 0, True)
P("x3", [0, 0, 0], 2.9)
P("x3", [T([1]), Ellipsis, 0], T([10, 11, 12]))
P("x3", [[True, False]], 4)
P("x3", [1, T(True)], T([[-9, -9, -9, -9]]))
P("x3", T(1), 0)
P("x4", [0, Ellipsis, None, 1], T([0.25, 0.5, 0.75, 1.0]).reshape(4, 1))
P("x4", [0, Ellipsis, None, 1], T([0.25, 0.5, 0.75]).reshape(3, 1))
P("x4", [[0, 1], slice(None), [0, 1]], torch.arange(30, dtype=torch.float32).reshape(2, 3, 5))
P("x3", [slice(None), None, 1], T([1, 2, 3, 4]))
P("x1", -1, Big(2 ** 40))
P("x3", slice(1, None), T([[0]]))
P("b2", BASES["b2"], False)
P("x3", [Ellipsis, slice(1, 3)], T([[0], [1], [2]]))
P("x1", [[]], 5)
P("x3", [[0, 1], [1, 2], [2, 3]], T([-7, -8]))
P("x3", 0, BASES["x3"][1].clone())
P("x1", x1 % 3 == 0, T([10, 20, 30, 40]))
P("x3", [0], T([4, 3, 2, 1]))
P("x3", [], 1)
P("x0", Ellipsis, 2.5)
P("x0", None, T([1.25]))
P("x3", [None, mask23], T([[5, 6, 7, 8]]))
P("x3", [T([[0], [1]]), T([0, 2])], 11)
# assignment errors
P("x3", 0, T([1, 2, 3]))
P("x3", mask234, T([1, 2]))
P("x3", 5, 1)
P("m2", [[0]], T([1, 2, 3, 4]))
P("x3", slice(None, None, 0), 1)
P("x3", S("::-1"), 0)
P("x3", [0, 0, 0, 0], 1)

# ------------------------------------------------------------ autograd through indexing
def grad_case(items, as_tuple=None, put=None):
    g = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4).div(8).requires_grad_(True)
    if put is None:
        as_tuple = len(items) != 1 or isinstance(items[0], list)
        y = g[py_key(items, as_tuple)]
        w = torch.arange(y.numel(), dtype=torch.float64).reshape(y.shape) + 1
        (y * w).sum().backward()
        grad_cases.append({"expr": f"g[{', '.join(show(i) for i in items)}]", "items": [enc_item(i) for i in items],
                           "out": enc(y), "grad": enc(g.grad)})
    else:
        v = put.clone().requires_grad_(True)
        c = g.clone()
        lst = items if as_tuple else [items]
        c[tuple(py_item(i) for i in lst) if as_tuple else py_item(lst[0])] = v * 2
        w = torch.arange(c.numel(), dtype=torch.float64).reshape(c.shape) + 1
        (c * w).sum().backward()
        grad_cases.append({"expr": f"c[{', '.join(show(i) for i in lst)}] = 2 * v", "tuple": as_tuple,
                           "items": [enc_item(i) for i in lst], "value": enc(put),
                           "out": enc(c), "grad": enc(g.grad), "valueGrad": enc(v.grad)})


grad_case((0,))
grad_case((slice(None), slice(1, 3)))
grad_case((Ellipsis, S("::2")))
grad_case(([0, 0, 1],))
grad_case((torch.arange(24).reshape(2, 3, 4) > 9,))
grad_case((T([0, 1]), slice(None), T([1, 1])))
grad_case((None, 1, Ellipsis, [3, 3, 0]))
grad_case((True,))
grad_case((slice(None), [[0, 1], [2, 2]]))
grad_case((1, mask34))
grad_case((T(1), None, -1))
grad_case([0, slice(1, None)], as_tuple=True, put=torch.arange(8, dtype=torch.float64).reshape(2, 4) / 4)
grad_case(torch.arange(24).reshape(2, 3, 4) > 9, as_tuple=False, put=torch.tensor(0.5, dtype=torch.float64))
grad_case([[0, 1], slice(None), [1, 2]], as_tuple=True, put=torch.arange(6, dtype=torch.float64).reshape(2, 3) - 2)

out = {
    "torch": torch.__version__,
    "bases": {k: enc(v) for k, v in BASES.items()},
    "get": get_cases,
    "set": set_cases,
    "grad": grad_cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "indexing.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
ok = sum(1 for c in get_cases if "out" in c)
print(f"{path}: {len(get_cases)} get cases ({ok} results, {len(get_cases) - ok} errors), "
      f"{len(set_cases)} set cases ({sum(1 for c in set_cases if 'error' in c)} errors), {len(grad_cases)} grad cases")
