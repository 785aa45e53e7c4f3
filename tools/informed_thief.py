#!/usr/bin/env python3
"""An informed thief against the built-in generator's default design (`shift`), from the release alone.

The `shift` design adds one keyed colour, magenta (+R -G +B) or green (-R +G -B), at eps inside the
objects and its opposite at eps-bg outside, the same on every image (SyntheticTextureGenerator.java).
Whoever has the released images and their annotations (a segmentation release has both) can tell which:
the mean of R - G + B inside the masks minus outside moves by about 3 x (eps + eps-bg) = 30 grey levels
at 8/2. This script measures that on a COCO release and prints a key whose colour is the opposite one:
protecting the release again with it (`unseg protect ... --key THAT`, same budget) cancels the shift up to
rounding and clipping. docs/evaluate.md ("An informed thief") measures what the probe then learns.

    /usr/bin/python3 tools/informed_thief.py RELEASE/annotations.json RELEASE/images [CLEAN/images]

With the clean images as a third argument it prints their figure too, for comparison.

A thief who does not know the design (a generator of the owner's own, `--generator trained`) but has
clean annotated images of the same kind (REFERENCE) can estimate any dataset-wide tint: per channel, the
release's mean inside the objects and outside, minus the same on the reference, subtracted from every
released image (inside and outside apart), rounded and clipped, written as PNG under OUT with the same
names. docs/evaluate.md ("An informed thief") measures what the probe learns from that.

    /usr/bin/python3 tools/informed_thief.py --untint REFERENCE/annotations.json REFERENCE/images \
        RELEASE/annotations.json RELEASE/images OUT
"""
import hashlib
import hmac
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

COLOURS = ("magenta", "green")


def shift_colour(key):
    """SyntheticTextureGenerator's choice of colour for a key (its keyedBytes of "shift/colour")."""
    block = hmac.new(key.encode(), b"unseg-synthetic-texture/v1/shift/colour/0", hashlib.sha256).digest()
    return COLOURS[block[0] % 2]


def rle_mask(counts, h, w):
    """COCO's RLE: a list of column-major run lengths, or the compressed string (5 bits a character,
    each run a delta from the run two back)."""
    runs, p = (list(counts), len(counts)) if isinstance(counts, list) else ([], 0)
    while p < len(counts):
        x, k, more = 0, 0, True
        while more:
            c = ord(counts[p]) - 48
            x |= (c & 0x1F) << 5 * k
            more = bool(c & 0x20)
            p, k = p + 1, k + 1
            if not more and c & 0x10:
                x |= -1 << 5 * k
        runs.append(x + (runs[-2] if len(runs) > 2 else 0))
    flat = np.zeros(h * w, bool)
    pos = 0
    for i, n in enumerate(runs):
        flat[pos:pos + n] = i % 2 == 1
        pos += n
    return flat.reshape(w, h).T


def object_mask(annotations, h, w):
    mask = np.zeros((h, w), bool)
    for a in annotations:
        seg = a["segmentation"]
        if isinstance(seg, dict):
            mask |= rle_mask(seg["counts"], *seg["size"])
        else:
            canvas = Image.new("1", (w, h))
            for poly in seg:
                ImageDraw.Draw(canvas).polygon(list(map(float, poly)), fill=1)
            mask |= np.asarray(canvas, bool)
    return mask


def inside_minus_outside(index, images):
    diffs = []
    for _, rgb, mask in with_masks(index, images):
        if mask.any() and (~mask).any():
            q = rgb[..., 0] - rgb[..., 1] + rgb[..., 2]
            diffs.append(q[mask].mean() - q[~mask].mean())
    return float(np.mean(diffs)), len(diffs)


def with_masks(index, images):
    """Each image of a COCO index as (file name, RGB as float64, union mask of its annotations)."""
    anns = {}
    for a in index["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    for im in index["images"]:
        rgb = np.asarray(Image.open(f"{images}/{im['file_name']}").convert("RGB"), np.float64)
        yield im["file_name"], rgb, object_mask(anns.get(im["id"], []), *rgb.shape[:2])


def channel_means(index, images):
    """Per channel, the mean value over all object pixels and over all other pixels of a dataset."""
    sums, counts = np.zeros((2, 3)), np.zeros(2)
    for _, rgb, mask in with_masks(index, images):
        for k, where in enumerate((mask, ~mask)):
            sums[k] += rgb[where].sum(axis=0)
            counts[k] += where.sum()
    return sums / counts[:, None]


def untint(ref_index, ref_images, index, images, out):
    tint = channel_means(index, images) - channel_means(ref_index, ref_images)
    print("estimated tint (R, G, B): inside the objects " + ", ".join(f"{v:+.2f}" for v in tint[0])
          + "; outside " + ", ".join(f"{v:+.2f}" for v in tint[1]))
    os.makedirs(out, exist_ok=True)
    for name, rgb, mask in with_masks(index, images):
        fixed = np.where(mask[..., None], rgb - tint[0], rgb - tint[1])
        target = os.path.join(out, os.path.splitext(name)[0] + ".png")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        Image.fromarray(np.clip(np.rint(fixed), 0, 255).astype(np.uint8)).save(target)
    print(f"wrote {len(index['images'])} images to {out}")


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "--untint":
        a = sys.argv[2:]
        untint(json.load(open(a[0])), a[1], json.load(open(a[2])), a[3], a[4])
        return
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    index = json.load(open(sys.argv[1]))
    released, n = inside_minus_outside(index, sys.argv[2])
    print(f"release: mean of R - G + B inside the objects minus outside {released:+.2f} over {n} images")
    if len(sys.argv) == 4:
        clean, _ = inside_minus_outside(index, sys.argv[3])
        print(f"clean:   {clean:+.2f}")
    guess = COLOURS[0] if released > 0 else COLOURS[1]
    opposite = COLOURS[1 - COLOURS.index(guess)]
    key = next(f"thief-{i}" for i in range(1000) if shift_colour(f"thief-{i}") == opposite)
    print(f"the release's shift is most likely {guess}; --key {key} adds {opposite}, which cancels it")


if __name__ == "__main__":
    main()
