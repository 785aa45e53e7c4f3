#!/usr/bin/env python3
"""Is the generator's input X the same when built on the GPU? And what does building it there save?

The DJL generator builds X = bilinear(zero-pad to SxS -> 1024x1024) / 255 on the model's device from the
8-bit image (pipeline/.../generator/djl/DeviceImage.java): two gathers of bilinear taps, each two-tap sum
as b*wb rounded to float32 plus a*wa in float64, rounded to float32 once. This script issues the same
tensor operations through PyTorch (the library DJL's engine calls) on CPU and on CUDA, and compares
each with F.interpolate on the padded image on the CPU (the generator contract's reference, as
Composite.generatorImage computes it) and with F.interpolate on CUDA (what a naive GPU port would run).
It then times, per image: building X on the CPU and copying its 12 MiB of floats to the GPU, against
copying the 8-bit image and building X there.

    /usr/bin/python3 tools/gpu_input_check.py --device cuda            # on a GPU machine
    /usr/bin/python3 tools/gpu_input_check.py --device cpu --images 3  # smoke test anywhere
"""
import argparse
import functools
import time

import torch
import torch.nn.functional as F

print = functools.partial(print, flush=True)

SIZE = 1024


def taps(padded, size, out=SIZE):
    """Axis.bilinear's taps (ATen's area_pixel_compute_source_index), those in the zero padding at weight 0."""
    scale = torch.tensor(padded, dtype=torch.float32) / torch.tensor(out, dtype=torch.float32)
    i0, i1, w0, w1 = [], [], [], []
    for i in range(out):
        if padded == out:
            lo, hi, l1 = i, i, 0.0
        else:
            src = max(float(scale) * (i + 0.5) - 0.5, 0.0)
            lo = min(int(src), padded - 1)
            hi = lo + (1 if lo < padded - 1 else 0)
            l1 = float(torch.tensor(min(max(src - lo, 0.0), 1.0), dtype=torch.float32))
        w1_ = torch.tensor(l1, dtype=torch.float32)
        w0_ = torch.tensor(1.0, dtype=torch.float32) - w1_
        i0.append(lo if lo < size else 0)
        w0.append(float(w0_) if lo < size else 0.0)
        i1.append(hi if hi < size else 0)
        w1.append(float(w1_) if hi < size else 0.0)
    as_long = lambda v: torch.tensor(v, dtype=torch.long)
    as_float = lambda v: torch.tensor(v, dtype=torch.float32)
    return as_long(i0), as_long(i1), as_float(w0), as_float(w1)


def fma_sum(a, wa, b, wb):
    return (a.double() * wa.double() + (b * wb).double()).float()


def device_x(hwc_u8, cols, rows, divisor="tensor"):
    """DeviceImage.x: the same operations, in the same order, on hwc_u8's device. DJL's div(Number) divides by
    a 0-dim tensor on the array's device (divisor "tensor"); "scalar" divides by a Python number, which
    PyTorch's CUDA kernel turns into a multiplication by its reciprocal; "none" leaves the sum."""
    dev = hwc_u8.device
    ci0, ci1, cw0, cw1 = (t.to(dev) for t in cols)
    ri0, ri1, rw0, rw1 = (t.to(dev) for t in rows)
    chw = hwc_u8.permute(2, 0, 1).float()
    t = fma_sum(chw[:, :, ci0], cw0, chw[:, :, ci1], cw1)
    x = fma_sum(t[:, ri0, :], rw0.view(-1, 1), t[:, ri1, :], rw1.view(-1, 1))
    if divisor == "none":
        return x
    return x / (torch.tensor(255.0, device=dev) if divisor == "tensor" else 255.0)


def reference_x(hwc_u8, divide=True):
    h, w, _ = hwc_u8.shape
    s = max(h, w)
    padded = F.pad(hwc_u8.permute(2, 0, 1).float(), (0, s - w, 0, s - h))
    x = F.interpolate(padded[None], size=(SIZE, SIZE), mode="bilinear", align_corners=False)[0]
    return x / 255.0 if divide else x


def differ(a, b):
    d = (a.cpu() - b.cpu()).abs()
    return int((d != 0).sum()), float(d.max())


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--images", type=int, default=12, help="random images of varied sizes to compare (default 12)")
    ap.add_argument("--iters", type=int, default=50, help="timed builds per path (default 50)")
    a = ap.parse_args()
    dev = torch.device(a.device)
    g = torch.Generator().manual_seed(0)
    sizes = [(480, 640), (640, 480), (427, 640), (1024, 1024), (2048, 1536), (333, 500), (64, 64), (1, 7)]
    while len(sizes) < a.images:
        sizes.append(tuple(int(v) for v in torch.randint(16, 2500, (2,), generator=g)))
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    print(f"gpu_input_check: {name}; torch {torch.__version__}")
    print("values that differ from the CPU reference (F.interpolate on the padded image, / 255):")
    print(f"{'h x w':>11} {'ops, cpu':>9} {'ops, dev':>9} {'ops, dev, /255 scalar':>22} {'interp, dev':>12}"
          f" {'max':>9} {'sums before /255, dev':>22}")
    values = bad_cpu = bad_dev = bad_scalar = bad_naive = bad_sum = 0
    worst = 0.0
    for h, w in sizes[: a.images]:
        img = torch.randint(0, 256, (h, w, 3), dtype=torch.uint8, generator=g)
        s = max(h, w)
        cols, rows = taps(s, w), taps(s, h)
        on_dev = img.to(dev)
        ref = reference_x(img)
        n_cpu, m_cpu = differ(device_x(img, cols, rows), ref)
        n_dev, m_dev = differ(device_x(on_dev, cols, rows), ref)
        n_scalar, m_scalar = differ(device_x(on_dev, cols, rows, "scalar"), ref)
        n_naive, m_naive = differ(reference_x(on_dev), ref)
        n_sum, _ = differ(device_x(on_dev, cols, rows, "none"), reference_x(img, divide=False))
        values += ref.numel()
        bad_cpu, bad_dev, bad_scalar = bad_cpu + n_cpu, bad_dev + n_dev, bad_scalar + n_scalar
        bad_naive, bad_sum = bad_naive + n_naive, bad_sum + n_sum
        worst = max(worst, m_cpu, m_dev, m_scalar, m_naive)
        print(f"{h:5d}x{w:<5d} {n_cpu:9d} {n_dev:9d} {n_scalar:22d} {n_naive:12d} {max(m_scalar, m_naive):9.2e} {n_sum:22d}")
    print(f"over {values} values: DeviceImage's ops differ in {bad_cpu} on the CPU and {bad_dev} on {a.device};"
          f" dividing by a Python 255 there, {bad_scalar}; F.interpolate there, {bad_naive}; largest difference"
          f" {worst:.2e}; the sums before / 255 differ in {bad_sum}")

    # Time per 640x480 image: the CPU path (build X in float32 on the CPU, pinned copy of 12 MiB) against
    # the device path (copy 0.9 MiB of bytes, build X there).
    img = torch.randint(0, 256, (480, 640, 3), dtype=torch.uint8, generator=g)
    cols, rows = taps(640, 640), taps(640, 480)
    x_cpu = device_x(img, cols, rows)
    cpu_build = cpu_copy = 0.0
    for _ in range(a.iters):
        t0 = time.perf_counter()
        x_cpu = device_x(img, cols, rows)
        t1 = time.perf_counter()
        x_cpu.to(dev, non_blocking=False)
        sync(dev)
        t2 = time.perf_counter()
        cpu_build, cpu_copy = cpu_build + t1 - t0, cpu_copy + t2 - t1
    cols_d, rows_d = [t.to(dev) for t in cols], [t.to(dev) for t in rows]
    device_x(img.to(dev), cols_d, rows_d)
    sync(dev)
    t0 = time.perf_counter()
    for _ in range(a.iters):
        device_x(img.to(dev), cols_d, rows_d)
    sync(dev)
    on_dev = time.perf_counter() - t0
    n = a.iters
    print(f"640x480, mean of {n}: X on the CPU (torch, {torch.get_num_threads()} threads) {1e3 * cpu_build / n:.2f} ms"
          f" + copy of {x_cpu.numel() * 4 / 2**20:.0f} MiB {1e3 * cpu_copy / n:.2f} ms;"
          f" bytes copied and X built on {a.device} {1e3 * on_dev / n:.3f} ms")


if __name__ == "__main__":
    main()
