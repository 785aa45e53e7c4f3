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
"""
import hashlib
import hmac
import json
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
    by_image = {}
    for a in index["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    diffs = []
    for im in index["images"]:
        rgb = np.asarray(Image.open(f"{images}/{im['file_name']}").convert("RGB"), np.float64)
        mask = object_mask(by_image.get(im["id"], []), *rgb.shape[:2])
        if mask.any() and (~mask).any():
            q = rgb[..., 0] - rgb[..., 1] + rgb[..., 2]
            diffs.append(q[mask].mean() - q[~mask].mean())
    return float(np.mean(diffs)), len(diffs)


def main():
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
