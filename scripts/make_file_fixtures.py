"""Writes the small files of test/fixtures/ that test/files_*.test.ts reads: what
Python's torch and safetensors write for non-ASCII tensor names, integers beyond
2^53, and a checkpoint re-zipped with deflate (which torch.load reads too).

    ~/torch-venv/bin/python scripts/make_file_fixtures.py
(torch==2.11.0 and safetensors, installed outside the repo; see docs/testing.md)
"""
import io
import json
import os
import zipfile

import torch
from safetensors.torch import save_file, load_file

FIX = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")

# Names of 2, 3 and 4 UTF-8 bytes per character: the header's length in bytes differs from its length in characters.
unicode_tensors = {
    "conv.权重": torch.arange(6, dtype=torch.float32).reshape(2, 3),
    "ß": torch.tensor([1, -2], dtype=torch.int64),
    "emoji😀": torch.tensor([0.5, 1.5, -2.0], dtype=torch.float16),
}
save_file(unicode_tensors, os.path.join(FIX, "py_unicode.safetensors"), metadata={"note": "ünïcode"})
assert all(torch.equal(load_file(os.path.join(FIX, "py_unicode.safetensors"))[k], v) for k, v in unicode_tensors.items())

# Python ints are pickled as BININT up to 2^31 and as LONG1 beyond.
ints = {
    "small": 5,
    "neg": -7,
    "safe": 2**53 - 1,
    "unsafe": 2**53 + 1,
    "big": 2**62 + 3,
    "min64": -(2**63),
    "u64": 2**64 - 1,
    "huge": 2**100 + 1,
    "negbig": -(2**70) - 5,
    "t": torch.tensor([1, 2]),
}
torch.save(ints, os.path.join(FIX, "py_ints.pt"))

# The Python state dict fixture, re-zipped with every record deflated: torch.load reads it.
src = os.path.join(FIX, "py_small_state_dict.pt")
out = os.path.join(FIX, "py_small_deflated.pt")
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        zout.writestr(info.filename, zin.read(info.filename))
a = torch.load(src, weights_only=True)
b = torch.load(out, weights_only=True)
assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a)
print("wrote py_unicode.safetensors, py_ints.pt, py_small_deflated.pt")
