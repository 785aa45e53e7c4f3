#!/usr/bin/python3
"""Builds the TorchScript fixtures the Java tests load through DJL, and PyTorch's reference output.

Run with Debian's torch 1.13 (the `python3` on PATH has no torch):

    /usr/bin/python3 pipeline/src/test/python/make_torchscript_fixture.py \
        --out pipeline/src/test/resources/torchscript

Writes:
  fixture_generator.pt    a tiny network with the UnSeg generator contract: X float [B,3,1024,1024]
                          in [0,1], P float [B,1,256,256] in {0,255} -> noise float [B,3,256,256]
                          within [-1,1]. ImageNet normalisation is inside, as in a real export.
  wrong_shape.pt          same inputs, output [B,3,128,128] (a wrongly exported model)
  out_of_range.pt         same inputs, output without tanh, scaled past [-1,1]
  saturating_generator.pt like fixture_generator.pt with a 300x gain before the tanh and no 0.99 scale:
                          most values are exactly -1.0 or +1.0, as a trained tanh generator's often are
                          (float32 tanh returns +-1.0 beyond about +-9). Legal output.
  reference.bin           float32 little-endian: for each reference item, every STRIDE-th value of
                          its noise (flat CHW order), items one after another
  reference.json          the seeds, stride, per-item sum and sum of |v| over ALL values (float64),
                          and the SHA-256 of fixture_generator.pt

The reference inputs are not stored: both sides compute them from a seed with the integer hash
below (`hash32`), which Java re-implements in FixtureInputs.java. Keep the two in step.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

IMAGE = 1024
NOISE = 256
STRIDE = 17
SEEDS = [11, 22, 33]
M32 = np.uint64(0xFFFFFFFF)


def hash32(seed, idx):
    """A 32-bit integer mix of (seed, index); uint64 arithmetic masked to 32 bits."""
    h = (idx.astype(np.uint64) * np.uint64(0x9E3779B1) + np.uint64(seed) * np.uint64(0x85EBCA77)
         + np.uint64(1)) & M32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x7FEB352D)) & M32
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(0x846CA68B)) & M32
    h ^= h >> np.uint64(16)
    return h


def image_input(seed):
    """X in [0,1): 24 high bits of the hash of each flat CHW index, divided by 2^24 (exact in f32)."""
    idx = np.arange(3 * IMAGE * IMAGE, dtype=np.uint64)
    v = (hash32(seed, idx) >> np.uint64(8)).astype(np.float64) / float(1 << 24)
    return v.astype(np.float32).reshape(3, IMAGE, IMAGE)


def prompt_input(seed):
    """P in {0,255}: 16x16-pixel blocks, a block is foreground when its hash's top bit is set."""
    y, x = np.meshgrid(np.arange(NOISE), np.arange(NOISE), indexing="ij")
    block = ((y // 16) * 16 + (x // 16)).astype(np.uint64).ravel()
    on = (hash32(seed + 1000, block) >> np.uint64(31)) == 1
    return np.where(on, 255.0, 0.0).astype(np.float32).reshape(1, NOISE, NOISE)


class TinyGenerator(torch.nn.Module):
    """Normalise X, pool it to 256x256, join P/255, three convs, tanh * scale."""

    def __init__(self, out_size: int = NOISE, squash: bool = True, scale: float = 0.99, gain: float = 3.0):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.c1 = torch.nn.Conv2d(4, 16, 3, padding=1)
        self.c2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.c3 = torch.nn.Conv2d(16, 3, 3, padding=1)
        self.out_size = out_size
        self.squash = squash
        self.scale = scale
        self.gain = gain

    def forward(self, x: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        x = (x - self.mean) / self.std
        x = F.avg_pool2d(x, kernel_size=4)  # 1024 -> 256
        h = torch.cat([x, p / 255.0], dim=1)
        h = F.relu(self.c1(h))
        h = F.relu(self.c2(h))
        h = self.c3(h) * self.gain  # 3: spread the output over most of (-1, 1); 300: saturate the tanh
        if self.out_size != 256:
            h = F.interpolate(h, size=[self.out_size, self.out_size], mode="bilinear",
                              align_corners=False)
        if self.squash:
            return torch.tanh(h) * self.scale
        return h * self.scale


def save_scripted(model, path):
    model.eval()
    torch.jit.script(model).save(path)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder (the test resources folder)")
    ap.add_argument("--only-saturating", action="store_true",
                    help="write saturating_generator.pt alone (the other files keep their bytes)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.only_saturating:
        torch.manual_seed(20261202)
        save_scripted(TinyGenerator(scale=1.0, gain=300.0), os.path.join(args.out, "saturating_generator.pt"))
        return
    torch.manual_seed(20240601)

    good = TinyGenerator()
    save_scripted(good, os.path.join(args.out, "fixture_generator.pt"))
    save_scripted(TinyGenerator(out_size=128), os.path.join(args.out, "wrong_shape.pt"))
    save_scripted(TinyGenerator(squash=False, scale=5.0), os.path.join(args.out, "out_of_range.pt"))

    # Reference: run the SAVED file (what DJL loads), all items in one batch.
    loaded = torch.jit.load(os.path.join(args.out, "fixture_generator.pt"))
    x = torch.from_numpy(np.stack([image_input(s) for s in SEEDS]))
    p = torch.from_numpy(np.stack([prompt_input(s) for s in SEEDS]))
    with torch.no_grad():
        noise = loaded(x, p).numpy().astype(np.float32)
    assert noise.shape == (len(SEEDS), 3, NOISE, NOISE), noise.shape
    assert np.isfinite(noise).all() and np.abs(noise).max() < 1.0

    flat = noise.reshape(len(SEEDS), -1)
    flat[:, ::STRIDE].astype("<f4").tofile(os.path.join(args.out, "reference.bin"))
    meta = {
        "seeds": SEEDS,
        "stride": STRIDE,
        "sum": [float(np.sum(r, dtype=np.float64)) for r in flat],
        "sumAbs": [float(np.sum(np.abs(r), dtype=np.float64)) for r in flat],
        "min": float(flat.min()),
        "max": float(flat.max()),
        "promptForeground": [int((prompt_input(s) > 0).sum()) for s in SEEDS],
        "imageSum": [float(np.sum(image_input(s), dtype=np.float64)) for s in SEEDS],
        "modelSha256": sha256(os.path.join(args.out, "fixture_generator.pt")),
        "torch": torch.__version__,
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
