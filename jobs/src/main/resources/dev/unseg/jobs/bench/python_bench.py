"""The bench's Python baselines, run by `unseg bench` as a child process on the same files and threads.

usage: python_bench.py MODE IMAGES MASKS OUT THREADS LIST
  MODE     pillow: read, decode, encode (same format, JPEG quality 95), write: a plain Pillow loop.
           python-naive: the same plus the mask PNG and a fixed +-8 (inside the mask) / +-2 (outside)
           noise pattern added with numpy and clipped: what a straightforward Python protector costs.
  LIST     a file with one image path (relative to IMAGES) per line; masks are MASKS/<stem>.png.
Prints `cpu_seconds=<process CPU time, all threads>` on success.
"""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image


def save(img, path, fmt):
    if fmt == "JPEG":
        img.save(path, "JPEG", quality=95)
    else:
        img.save(path, fmt)


def pillow(images, masks, out, name):
    src = os.path.join(images, name)
    with open(src, "rb") as f:
        img = Image.open(f)
        fmt = img.format
        img.load()
    save(img, os.path.join(out, name), fmt)


PATTERN = {}


def pattern(h, w):
    # Fixed +-1 pattern per size (seeded), made once: the noise itself is not what is timed.
    key = (h, w)
    if key not in PATTERN:
        PATTERN[key] = np.random.default_rng(7).integers(0, 2, size=(h, w, 3), dtype=np.int16) * 2 - 1
    return PATTERN[key]


def python_naive(images, masks, out, name):
    src = os.path.join(images, name)
    with open(src, "rb") as f:
        img = Image.open(f)
        fmt = img.format
        rgb = np.asarray(img.convert("RGB"), dtype=np.int16)
    stem = os.path.splitext(name)[0]
    with Image.open(os.path.join(masks, stem + ".png")) as m:
        inside = np.asarray(m) != 0
    h, w = inside.shape
    eps = np.where(inside, 8, 2).astype(np.int16)[:, :, None]
    protected = np.clip(rgb + pattern(h, w) * eps, 0, 255).astype(np.uint8)
    save(Image.fromarray(protected, "RGB"), os.path.join(out, name), fmt)


def main(argv):
    mode, images, masks, out, threads, listing = argv[1:7]
    work = {"pillow": pillow, "python-naive": python_naive}[mode]
    with open(listing, encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip()]
    for name in names:
        os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
    cpu = time.process_time()
    with ThreadPoolExecutor(max_workers=int(threads)) as pool:
        for r in pool.map(lambda n: work(images, masks, out, n), names):
            pass  # re-raises a worker's exception
    print("cpu_seconds=%.6f" % (time.process_time() - cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
