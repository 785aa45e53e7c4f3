#!/usr/bin/env python3
"""GPU ceiling of the UnSeg generator: images/s of the bare forward pass, batch sizes 1..32, fp32 and bf16.

This is the most a GPU executor can give, with decode/mask/composite/encode free: the in-task pipeline
(unseg bench) should approach it once CPU threads keep the GPU fed.

What it times (forward(X, P) -> noise, the contract of tools/export_unseg.py):
  --model FILE.pt   an exported TorchScript generator. A traced export has a fixed batch size: only
                    that batch is timed (the others are reported as skipped).
  (default)         a stand-in of the same size and shape, built here in plain PyTorch, no download:
                    SAM ViT-B's image encoder at 1024x1024 (16x16 patches, 768 wide, 12 blocks, 12 heads,
                    windowed attention 14x14 with global attention in blocks 3, 6, 9, 12, decomposed
                    relative positions, the 256-channel neck), plus a small prompt encoder and an
                    upsampling head to 3x256x256 tanh noise. Random weights: speed only, never noise.

Usage on a GPU machine:
    /usr/bin/python3 tools/gpu_ceiling.py --device cuda              # stand-in, batch 1..32, fp32+bf16
    /usr/bin/python3 tools/gpu_ceiling.py --device cuda --model unseg_generator.pt
    /usr/bin/python3 tools/gpu_ceiling.py --device cuda --attention fused   # SDPA instead of SAM's code
Measured on an H200 (docs/throughput.md): 58.4 img/s bf16, 30.9 fp32 at batch 32; fused 35.7 and 23.6.
Smoke test anywhere (what CI-sized machines can do; CPU figures are not a ceiling of anything):
    /usr/bin/python3 tools/gpu_ceiling.py --device cpu --max-batch 2
"""
import argparse
import functools
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

print = functools.partial(print, flush=True)  # progress shows at once when piped to a file

IMAGE = 1024
NOISE = 256


class Attention(nn.Module):
    def __init__(self, dim, heads, size):
        super().__init__()
        self.heads = heads
        self.fused = False  # True: the same attention through F.scaled_dot_product_attention
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        hd = dim // heads
        # SAM's decomposed relative position tables, one per axis
        self.rel_h = nn.Parameter(torch.zeros(2 * size - 1, hd))
        self.rel_w = nn.Parameter(torch.zeros(2 * size - 1, hd))
        self.size = size

    def forward(self, x):
        b, h, w, c = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.reshape(3, b * self.heads, h * w, -1).unbind(0)
        attn = (q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1)
        idx = torch.arange(h, device=x.device)
        rh = self.rel_h[(idx[:, None] - idx[None, :] + self.size - 1)]
        rw = self.rel_w[(idx[:, None] - idx[None, :] + self.size - 1)]
        rq = q.reshape(b * self.heads, h, w, -1)
        bias_h = torch.einsum("bhwc,hkc->bhwk", rq, rh)
        bias_w = torch.einsum("bhwc,wkc->bhwk", rq, rw)
        if self.fused:
            bias = (bias_h[:, :, :, :, None] + bias_w[:, :, :, None, :]).reshape(-1, h * w, h * w)
            x = F.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
            x = x.reshape(b, self.heads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1)
            return self.proj(x)
        attn = (attn.view(-1, h, w, h, w) + bias_h[:, :, :, :, None] + bias_w[:, :, :, None, :]).view(-1, h * w, h * w)
        x = (attn.softmax(dim=-1) @ v).view(b, self.heads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim, heads, window, grid):
        super().__init__()
        self.window = window
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads, window if window > 0 else grid)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        if self.window > 0:
            b, h, w, c = x.shape
            s = self.window
            ph, pw = (s - h % s) % s, (s - w % s) % s
            x = F.pad(x, (0, 0, 0, pw, 0, ph))
            hp, wp = h + ph, w + pw
            x = x.view(b, hp // s, s, wp // s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, s, s, c)
            x = self.attn(x)
            x = x.view(b, hp // s, wp // s, s, s, c).permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, c)[:, :h, :w]
        else:
            x = self.attn(x)
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class LayerNorm2d(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + 1e-6)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class StandIn(nn.Module):
    """SAM ViT-B image encoder + prompt encoder + an upsampling noise head: UnSeg's generator's shape."""

    def __init__(self, dim=768, depth=12, heads=12, window=14, global_blocks=(2, 5, 8, 11)):
        super().__init__()
        grid = IMAGE // 16
        self.patch = nn.Conv2d(3, dim, 16, 16)
        self.pos = nn.Parameter(torch.zeros(1, grid, grid, dim))
        self.blocks = nn.ModuleList(
            Block(dim, heads, 0 if i in global_blocks else window, grid) for i in range(depth))
        self.neck = nn.Sequential(nn.Conv2d(dim, 256, 1, bias=False), LayerNorm2d(256),
                                  nn.Conv2d(256, 256, 3, padding=1, bias=False), LayerNorm2d(256))
        # SAM's mask-prompt downscaler: 256x256 prompt -> 64x64x256 embedding
        self.prompt = nn.Sequential(nn.Conv2d(1, 4, 2, 2), LayerNorm2d(4), nn.GELU(),
                                    nn.Conv2d(4, 16, 2, 2), LayerNorm2d(16), nn.GELU(), nn.Conv2d(16, 256, 1))
        self.head = nn.Sequential(nn.ConvTranspose2d(256, 64, 2, 2), LayerNorm2d(64), nn.GELU(),
                                  nn.ConvTranspose2d(64, 32, 2, 2), nn.GELU(), nn.Conv2d(32, 3, 3, padding=1))
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, x, p):
        x = self.patch((x - self.mean) / self.std).permute(0, 2, 3, 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        e = self.neck(x.permute(0, 3, 1, 2)) + self.prompt(p / 255.0)
        return torch.tanh(self.head(e))


def batches(max_batch):
    out, b = [], 1
    while b <= max_batch:
        out.append(b)
        b *= 2
    return out


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_one(model, batch, dtype, device, warmup, iters):
    x = torch.rand(batch, 3, IMAGE, IMAGE, device=device)
    p = (torch.rand(batch, 1, NOISE, NOISE, device=device) > 0.5).float() * 255
    autocast = torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=dtype == "bf16")
    with torch.inference_mode(), autocast:
        for _ in range(warmup):
            model(x, p)
        sync(device)
        start = time.perf_counter()
        for _ in range(iters):
            out = model(x, p)
        sync(device)
        seconds = time.perf_counter() - start
    if tuple(out.shape) != (batch, 3, NOISE, NOISE):
        raise SystemExit(f"the model returned {tuple(out.shape)}, expected {(batch, 3, NOISE, NOISE)}")
    return batch * iters / seconds, seconds / iters


def fused_difference(model, device):
    """Switches the stand-in to fused attention and returns how far its output moved (random weights made
    non-zero, so the relative positions take part)."""
    with torch.no_grad():
        for blk in model.blocks:
            blk.attn.rel_h.normal_(0, 0.02)
            blk.attn.rel_w.normal_(0, 0.02)
    x = torch.rand(1, 3, IMAGE, IMAGE, device=device)
    p = (torch.rand(1, 1, NOISE, NOISE, device=device) > 0.5).float() * 255
    with torch.inference_mode():
        explicit = model(x, p)
        for blk in model.blocks:
            blk.attn.fused = True
        return float((model(x, p) - explicit).abs().max())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (default cuda)")
    ap.add_argument("--model", help="exported TorchScript generator; default: the built-in stand-in")
    ap.add_argument("--max-batch", type=int, default=32, help="largest batch (powers of two from 1; default 32)")
    ap.add_argument("--dtypes", default=None,
                    help="fp32, bf16 or both, bf16 by autocast (default both on GPU; fp32 on CPU, where bf16 without"
                         " AMX is emulated and takes minutes per pass)")
    ap.add_argument("--attention", choices=("explicit", "fused"), default="explicit",
                    help="the stand-in's attention: explicit (SAM's own code: the full score matrix) or fused"
                         " (the same function through F.scaled_dot_product_attention, as an optimised export"
                         " would run it; checked against explicit first)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed passes per setting (default 3 on GPU, 0 on CPU)")
    ap.add_argument("--iters", type=int, default=None, help="timed passes per setting (default 10 on GPU, 1 on CPU)")
    a = ap.parse_args()
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: run on a GPU machine, or use --device cpu --max-batch 2 as a smoke test")
    warmup = a.warmup if a.warmup is not None else (3 if device.type == "cuda" else 0)
    iters = a.iters if a.iters is not None else (10 if device.type == "cuda" else 1)
    dtypes = a.dtypes or ("fp32,bf16" if device.type == "cuda" else "fp32")
    if a.model:
        model = torch.jit.load(a.model, map_location=device).eval()
        what = a.model
    else:
        torch.manual_seed(0)
        model = StandIn().to(device).eval()
        params = sum(p.numel() for p in model.parameters())
        what = (f"stand-in: SAM ViT-B encoder at {IMAGE}x{IMAGE} + prompt encoder + noise head,"
                f" {params / 1e6:.1f} M parameters, {a.attention} attention")
        if a.attention == "fused":
            print(f"fused attention vs explicit, fp32, batch 1: max |difference| {fused_difference(model, device):.2e}")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"gpu_ceiling: {what}")
    print(f"device: {name}; torch {torch.__version__}; warmup {warmup}, timed passes {iters}")
    print(f"{'dtype':6} {'batch':>5} {'img/s':>10} {'s/pass':>9}")
    for dtype in dtypes.split(","):
        for b in batches(a.max_batch):
            try:
                ips, per_pass = time_one(model, b, dtype, device, warmup, iters)
                print(f"{dtype:6} {b:5d} {ips:10.4g} {per_pass:9.3f}")
            except RuntimeError as e:  # out of memory, or a traced model with a fixed batch
                msg = str(e).splitlines()[0][:100]
                print(f"{dtype:6} {b:5d} {'skipped':>10}  ({msg})")
                if device.type == "cuda":
                    torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
