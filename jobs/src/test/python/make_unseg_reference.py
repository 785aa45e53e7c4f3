#!/usr/bin/python3
"""PyTorch reference of the WHOLE UnSeg contract (docs/unseg-contract.md) with the TorchScript fixture model,
on real sample photos: what `unseg protect --generator unseg --model fixture_generator.pt` must write.

Run from the repository root with Debian's torch 1.13 (the `python3` on PATH has no torch):

    /usr/bin/python3 jobs/src/test/python/make_unseg_reference.py
    /usr/bin/python3 jobs/src/test/python/make_unseg_reference.py --saturating

The second form uses saturating_generator.pt (most noise values exactly +-1.0) and writes
jobs/src/test/resources/unseg-reference/saturating/ instead.

It reads the sample photos and masks of samples/ and the fixture model
pipeline/src/test/resources/torchscript/fixture_generator.pt, and rewrites
jobs/src/test/resources/unseg-reference/: one expected protected PNG per case (`<case>.png`) and
`reference.json` (inputs, eps, the model's SHA-256, torch version, per-case statistics).

Per image, as docs/unseg-contract.md states it: pad to S x S, X = bilinear(-> 1024) / 255, P = round(bilinear(
nearest(M -> 1024) -> 256)) * 255, noise = model(X, P), W = round(bilinear(P/255 -> S)),
d = bilinear(noise -> S) * (W * eps + (1 - W) * eps_bg), out = round(clamp(I + 255 d, 0, 255)) cropped.
Images are decoded with Pillow (libjpeg for JPEG). All bilinear calls use the generic (channels-first)
kernel, as the composite fixtures do (see pipeline/src/test/python/make_composite_fixtures.py for why).
"""
import hashlib
import json
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))
MODEL = os.path.join(ROOT, "pipeline", "src", "test", "resources", "torchscript", "fixture_generator.pt")
OUT = os.path.join(ROOT, "jobs", "src", "test", "resources", "unseg-reference")
EPS, EPS_BG = 8.0, 2.0

# case name -> (image, mask file, how the mask is read). Paths are relative to the repository root.
# rocket.jpg carries an Adobe RGB (1998) ICC profile: Java's decoder converts it to sRGB (within 1 level
# of LittleCMS), Pillow ignores it, and the two differ by up to 55 levels. So the rocket case reads
# the composite fixtures' rocket.png (Pillow's decode of rocket.jpg, no profile), which both sides
# decode identically. ADE_val_00000003.jpg has no profile and both decoders agree on every value.
CASES = [
    ("tiles/rocket", "pipeline/src/test/resources/composite/rocket.png", "samples/tiles/masks/rocket.png", "binary"),
    ("tiles/chelsea", "samples/tiles/images/chelsea.png", "samples/tiles/masks/chelsea.png", "binary"),
    ("ade20k/ADE_val_00000003", "samples/ade20k/images/validation/ADE_val_00000003.jpg",
     "samples/ade20k/annotations/validation/ADE_val_00000003.png", "label"),
]

torch.set_num_threads(1)


def bilinear(t, size):
    """[C, h, w] -> [C, size], align_corners=False, always the generic kernel (C >= 2)."""
    c = t.shape[0]
    src = t if c > 1 else t.expand(2, -1, -1)
    return F.interpolate(src.contiguous()[None], size=size, mode="bilinear", align_corners=False)[0][:c]


def nearest(t, size):
    return F.interpolate(t.contiguous()[None], size=size, mode="nearest")[0]


def read_mask(path, kind):
    # Both rules select nonzero pixels: mask-pairs (grey masks without alpha) and ADE20K label maps
    # (every labelled pixel; 0 = unlabelled is excluded). `kind` is recorded for the reader of the JSON.
    a = np.array(Image.open(os.path.join(ROOT, path)))
    assert a.ndim == 2, (path, kind, a.shape)
    return (a != 0).astype(np.uint8)


def protect(model, rgb, mask):
    h, w = mask.shape
    s = max(h, w)
    img = torch.from_numpy(rgb).permute(2, 0, 1).float()
    ipad = torch.zeros(3, s, s)
    ipad[:, :h, :w] = img
    x = bilinear(ipad, (1024, 1024)) / 255
    mpad = torch.zeros(1, s, s)
    mpad[0, :h, :w] = torch.from_numpy(mask).float()
    p = torch.round(bilinear(nearest(mpad, (1024, 1024)), (256, 256))) * 255
    with torch.no_grad():
        noise = model(x[None], p[None])[0]
    wt = torch.round(bilinear(p / 255, (s, s)))
    d = bilinear(noise, (s, s)) * (wt * (EPS / 255) + (1 - wt) * (EPS_BG / 255))
    out = torch.round(torch.clamp(img + 255 * d[:, :h, :w], 0, 255)).to(torch.uint8)
    return out.permute(1, 2, 0).contiguous().numpy(), wt[0, :h, :w].numpy().astype(np.uint8), noise


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--saturating", action="store_true", help="the saturating fixture, into unseg-reference/saturating/")
    args = ap.parse_args()
    model_file = MODEL.replace("fixture_generator.pt", "saturating_generator.pt") if args.saturating else MODEL
    out_dir = os.path.join(OUT, "saturating") if args.saturating else OUT
    os.makedirs(out_dir, exist_ok=True)
    model = torch.jit.load(model_file).eval()
    index = []
    for name, image, mask_file, kind in CASES:
        rgb = np.array(Image.open(os.path.join(ROOT, image)).convert("RGB"))
        mask = read_mask(mask_file, kind)
        assert mask.shape == rgb.shape[:2], (name, mask.shape, rgb.shape)
        out, wt, noise = protect(model, rgb, mask)
        target = os.path.join(out_dir, name + ".png")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        Image.fromarray(out).save(target, optimize=True)
        diff = out.astype(np.int16) - rgb.astype(np.int16)
        inside = wt.astype(bool)
        stats = {
            "case": name, "image": image, "mask": mask_file, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]),
            "expected": name + ".png", "maskPixels": int(mask.sum()), "epsPixels": int(wt.sum()),
            "linfInside": int(np.abs(diff[inside]).max()) if inside.any() else 0,
            "linfOutside": int(np.abs(diff[~inside]).max()) if (~inside).any() else 0,
            "changedValues": int((diff != 0).sum()),
            "noiseMin": float(noise.min()), "noiseMax": float(noise.max()),
            "noiseSaturated": int((noise.abs() == 1.0).sum()),
        }
        assert stats["linfInside"] <= EPS and stats["linfOutside"] <= EPS_BG, stats
        index.append(stats)
        print(json.dumps(stats))
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump({"script": "jobs/src/test/python/make_unseg_reference.py", "torch": torch.__version__,
                   "model": os.path.relpath(model_file, ROOT),
                   "modelSha256": sha256(model_file), "eps": EPS, "epsBackground": EPS_BG, "cases": index}, f, indent=1)


if __name__ == "__main__":
    main()
