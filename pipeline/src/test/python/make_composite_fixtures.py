"""Torch reference for the UnSeg composite (docs/unseg-contract.md) and the fixtures the Java tests compare against.

Run from the repository root, with Debian's torch 1.13.1 (the `python3` on PATH has no torch):

    /usr/bin/python3 pipeline/src/test/python/make_composite_fixtures.py

It rewrites pipeline/src/test/resources/composite/ (cases.json plus gzip'd byte arrays and one float32 noise
file). Everything is seeded: running it twice gives identical files.

Why the masks go through interpolate with 2 channels: torch 1.13 sends a contiguous [1, 1, H, W] tensor to its
channels-last bilinear kernel (it is also channels-last contiguous), whose arithmetic (w00 = wy0 * wx0, a
four-term sum) differs in the last bit from the generic kernel that 3-channel images use and that torch >= 2.1
uses for masks. Duplicating the channel pins every bilinear call of the contract to the generic kernel, the one
the Java port reproduces. The script reports how often the channels-last arithmetic would change W.

The fixtures were made on a CPU with AVX2, where torch runs its AVX2 kernels; GCC fused their multiply-adds
(see Axis.lerp on the Java side). ATEN_CPU_CAPABILITY=default changes the last bit of some X values only.
"""
import gzip
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "composite"))
# The scikit-image sample photos, as copied into the codec tests' resources (their LICENSES.md).
PHOTOS = os.path.normpath(os.path.join(HERE, "..", "resources", "dev", "unseg", "pipeline", "image", "photos"))
X_SAMPLE_ROWS = [0, 1, 2, 333, 511, 512, 1022, 1023]

torch.set_num_threads(1)


def bilinear(t, size):
    """t: [C, h, w] float32 -> [C, size[0], size[1]], generic kernel for any C."""
    c = t.shape[0]
    src = t if c > 1 else t.expand(2, -1, -1)
    out = F.interpolate(src.contiguous()[None], size=size, mode="bilinear", align_corners=False)[0]
    return out[:c]


def nearest(t, size):
    return F.interpolate(t.contiguous()[None], size=size, mode="nearest")[0]


def composite(rgb, mask, noise, eps_grey, eps_bg_grey):
    """The contract of docs/unseg-contract.md, float32 throughout. rgb: HxWx3 uint8, mask: HxW {0,1}, noise: 3x256x256."""
    h, w = mask.shape
    s = max(h, w)
    img = torch.from_numpy(rgb).permute(2, 0, 1).float()
    ipad = torch.zeros(3, s, s)
    ipad[:, :h, :w] = img
    x = bilinear(ipad, (1024, 1024)) / 255
    mpad = torch.zeros(1, s, s)
    mpad[0, :h, :w] = torch.from_numpy(mask).float()
    m1024 = nearest(mpad, (1024, 1024))
    p_raw = bilinear(m1024, (256, 256))
    p = torch.round(p_raw) * 255
    w_raw = bilinear(p / 255, (s, s))
    wt = torch.round(w_raw)
    eps, eps_bg = eps_grey / 255, eps_bg_grey / 255
    d = bilinear(torch.from_numpy(noise), (s, s)) * (wt * eps + (1 - wt) * eps_bg)
    out = torch.clamp(img + 255 * d[:, :h, :w], 0, 255)
    out = torch.round(out).to(torch.uint8).permute(1, 2, 0).contiguous().numpy()
    # What torch 1.13's own dispatch for a [1, 1, S, S] tensor (channels-last kernel) would give for W.
    w_cl = torch.round(F.interpolate((p / 255)[None], size=(s, s), mode="bilinear", align_corners=False)[0])
    stats = {
        "p_ties": int((p_raw == 0.5).sum()),
        "w_ties": int((w_raw[0, :h, :w] == 0.5).sum()),
        "w_channels_last_differs": int((w_cl[0, :h, :w] != wt[0, :h, :w]).sum()),
    }
    return x.numpy(), p[0].numpy(), wt[0, :h, :w].numpy(), out, stats


def photo(name):
    return np.array(Image.open(os.path.join(PHOTOS, name)).convert("RGB"))


def write_gz(name, array):
    with gzip.GzipFile(os.path.join(OUT, name), "wb", mtime=0) as f:
        f.write(np.ascontiguousarray(array).tobytes())
    return name


def ellipse_mask(h, w, cy, cx, ry, rx):
    yy, xx = np.mgrid[0:h, 0:w]
    return (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1).astype(np.uint8)


def stripes_mask(h, w, period):
    """Rows and columns alternating in and out: many edges, hence many exact 0.5 values in P."""
    yy, xx = np.mgrid[0:h, 0:w]
    return (((yy // period) + (xx // period)) % 2).astype(np.uint8)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    rng = np.random.default_rng(20240617)
    # Like a tanh generator output, plus the extremes the float32 range allows strictly inside (-1, 1).
    noise = np.tanh(rng.standard_normal((3, 256, 256)) * 1.5).astype(np.float32)
    noise[0, 0, :4] = [np.nextafter(np.float32(1), np.float32(0)), -np.nextafter(np.float32(1), np.float32(0)), 0.5, -0.5]
    noise = np.clip(noise, -0.99999994, 0.99999994).astype("<f4")
    noise.tofile(os.path.join(OUT, "noise.f32"))

    rocket = photo("rocket.jpg")          # 640x427, public domain (SpaceX)
    chelsea = photo("chelsea.png")        # 451x300, CC0
    coffee = photo("coffee.png")          # 600x400, CC0
    astronaut = photo("astronaut.png")    # 512x512, public domain (NASA)
    horse = np.array(Image.open(os.path.join(PHOTOS, "horse.png")).convert("L"))  # 400x328 silhouette, CC0
    horse_mask = (horse < 128).astype(np.uint8)

    # Inputs stored as PNG in the resources (lossless, so the Java side decodes exactly these bytes).
    Image.fromarray(rocket).save(os.path.join(OUT, "rocket.png"), optimize=True)
    Image.fromarray(chelsea).save(os.path.join(OUT, "chelsea.png"), optimize=True)
    Image.fromarray(coffee[36:364, 100:500]).save(os.path.join(OUT, "coffee_crop.png"), optimize=True)
    Image.fromarray(astronaut[0:300, 100:400]).save(os.path.join(OUT, "astronaut_crop.png"), optimize=True)
    Image.fromarray(astronaut[100:400, 150:330]).save(os.path.join(OUT, "astronaut_portrait.png"), optimize=True)

    def png(name):
        return np.array(Image.open(os.path.join(OUT, name)).convert("RGB"))

    tiny = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)

    def window(name, x0, y0, w, h):
        """Pixel (x, y) = png[(y0 + y) % height][(x0 + x) % width]: crops, and tiles for sizes above the photos'."""
        a = png(name)
        ys = (y0 + np.arange(h)) % a.shape[0]
        xs = (x0 + np.arange(w)) % a.shape[1]
        return {"png": name, "x0": x0, "y0": y0}, a[ys][:, xs]

    cases = [
        ("rocket_landscape", *window("rocket.png", 0, 0, 640, 427),
         ellipse_mask(427, 640, 230.5, 330.25, 150.3, 90.7) | stripes_mask(427, 640, 37) * (np.arange(640) < 120), 8, 2),
        ("chelsea_nonint", {"png": "chelsea.png"}, png("chelsea.png"), stripes_mask(300, 451, 9), 8, 2),
        ("coffee_horse", {"png": "coffee_crop.png"}, png("coffee_crop.png"), horse_mask, 8, 2),
        ("astronaut_square", {"png": "astronaut_crop.png"}, png("astronaut_crop.png"),
         ellipse_mask(300, 300, 150, 140, 100, 60), 16, 4),
        ("astronaut_portrait", {"png": "astronaut_portrait.png"}, png("astronaut_portrait.png"),
         stripes_mask(300, 180, 5), 8, 2),
        ("tiny_7x5", {"raw_gz": write_gz("tiny_7x5.rgb.gz", tiny)}, tiny,
         np.array([[0, 1, 1, 0, 0, 1, 0]] * 2 + [[1, 1, 0, 0, 1, 1, 1]] * 3, dtype=np.uint8), 8, 2),
        ("tiny_empty_mask", {"raw_gz": "tiny_7x5.rgb.gz"}, tiny, np.zeros((5, 7), np.uint8), 8, 2),
        ("chelsea_full_mask_max_eps", {"png": "chelsea.png"}, png("chelsea.png"), np.ones((300, 451), np.uint8), 255, 255),
        ("chelsea_tiled_1500x700", *window("chelsea.png", 0, 0, 1500, 700),
         ellipse_mask(700, 1500, 350, 700, 300, 500), 8, 2),
        ("rocket_tiled_600x1024", *window("rocket.png", 17, 5, 600, 1024),  # S = 1024: identity resample for X
         stripes_mask(1024, 600, 41), 8, 2),
        ("rocket_crop_256x200", *window("rocket.png", 200, 100, 256, 200),  # S = 256: identity resample for W
         ellipse_mask(200, 256, 100, 128, 70.5, 90.5), 8, 2),
        ("rocket_crop_512x384", *window("rocket.png", 64, 20, 512, 384),  # S = 512: nearest's 2x shortcut
         stripes_mask(384, 512, 3), 8, 2),
    ]
    index = []
    for name, source, rgb, mask, eps, eps_bg in cases:
        h, w = mask.shape
        x, p, wt, out, stats = composite(rgb, mask, noise, float(eps), float(eps_bg))
        x_le = x.astype("<f4")
        entry = {
            "name": name, "width": w, "height": h, "image": source, "eps": eps, "epsBackground": eps_bg,
            "noise": "noise.f32",
            "mask": write_gz(name + ".mask.gz", mask),
            "prompt": write_gz(name + ".P.gz", (p / 255).astype(np.uint8)),
            "weight": write_gz(name + ".W.gz", wt.astype(np.uint8)),
            "xSha256": hashlib.sha256(x_le.tobytes()).hexdigest(),
            "xSampleRows": X_SAMPLE_ROWS,
            "xSamples": write_gz(name + ".Xrows.gz", x_le[:, X_SAMPLE_ROWS, :]),
            "outSha256": hashlib.sha256(out.tobytes()).hexdigest(),
            "stats": stats,
        }
        if h * w <= 120_000 and eps <= 16:
            # out - in as int8: small values, compresses well
            entry["outDelta"] = write_gz(name + ".delta.gz", (out.astype(np.int16) - rgb.astype(np.int16)).astype(np.int8))
        index.append(entry)
        print(name, w, h, stats)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": "make_composite_fixtures.py", "torch": torch.__version__, "cases": index}, f, indent=1)
    with open(os.path.join(OUT, "LICENSES.md"), "w") as f:
        f.write(LICENSES)


LICENSES = """# Sources of the images in this folder

All come from scikit-image's data folder (Debian package python3-skimage, package license BSD-3-Clause),
copied from pipeline/src/test/resources/dev/unseg/pipeline/image/photos; crops and re-encodings as PNG made by make_composite_fixtures.py.

- rocket.png: rocket.jpg 640x427 decoded and stored as PNG; public domain (SpaceX).
- chelsea.png: chelsea.png 451x300; CC0. 
- coffee_crop.png: coffee.png 600x400, rows 36..363, columns 100..499; CC0.
- astronaut_crop.png, astronaut_portrait.png: crops of astronaut.png 512x512; public domain (NASA).
- masks of coffee_horse: horse.png (CC0 silhouette), pixels darker than 128.
- cases with x0/y0 read pixel (x, y) from png[(y0 + y) % height][(x0 + x) % width]
  (crops and tiles of the photos above).
- tiny_7x5.rgb.gz and noise.f32: seeded random numbers, made by the script.
"""

if __name__ == "__main__":
    main()
