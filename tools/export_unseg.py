#!/usr/bin/env python3
"""Export the UnSeg generator to TorchScript with the contract the Java pipeline loads.

Contract of the exported module (see docs/unseg-generator.md and TorchScriptGenerator.java):
    forward(X, P) -> noise
    X      float32 [B, 3, 1024, 1024], RGB in [0, 1] (ImageNet normalisation happens INSIDE)
    P      float32 [B, 1, 256, 256], mask prompt, values {0, 255}
    noise  float32 [B, 3, 256, 256], finite, within [-1, 1] (tanh output; a float32 tanh reaches exactly +-1.0)
A traced export fixes B: export with --batch-size equal to the pipeline's unseg.generator.batch-size.
Trace on the device you will run on (--device cuda for a GPU run): tracing records device constants.

Usage (needs torch, plus whatever the UnSeg checkout imports, e.g. torchvision):
    python3 tools/export_unseg.py \\
        --unseg-repo ~/src/UnSeg \\                 # your checkout of github.com/sunye23/UnSeg
        --weights Generator_unseg_final.pth \\       # the authors' generator state_dict
        --sam-checkpoint sam_vit_b_01ec64.pth \\     # Meta's SAM ViT-B checkpoint
        --out unseg_generator.pt --batch-size 4 --device cuda
    Then set unseg.generator.model=unseg_generator.pt and unseg.generator.model-sha256 to the
    printed SHA-256.

    python3 tools/export_unseg.py --selftest      # checks this tool's export path with a stand-in net

Nothing from the UnSeg repository is copied here (it has no licence): the tool imports the user's
checkout at run time. What it assumes about that checkout (all overridable by flags):
  --builder MODULE:FUNCTION   builds the generator network. Default
                              segment_anything_training.build_sam:build_noise_sam_vit_b
  --builder-kwargs JSON       keyword arguments for it. Default {"checkpoint": null}
  --sam-parts PREFIX=FILE,... the builder reads frozen SAM parts from files relative to the working
                              directory; this tool writes them from --sam-checkpoint into a temporary
                              folder (keys under PREFIX, prefix removed) and runs the builder there.
                              Default image_encoder.=pretrained_checkpoint/sam_vit_b_backbone.pth,
                              prompt_encoder.=pretrained_checkpoint/sam_vit_b_prompt_decoder.pth,
                              mask_decoder.=pretrained_checkpoint/sam_vit_b_maskdecoder.pth
  --call-style sam-dicts      the network takes a list of dicts {'image': [3,1024,1024] in [0,1],
                              'mask_inputs': [1,1,256,256] in {0,255}, 'original_size': (1024,1024)};
                              'tensors' calls net(X, P) instead
  --normalize none            the network normalises X itself; 'imagenet' adds (X-mean)/std in the wrapper
  --tanh no                   the network ends in tanh; 'yes' adds one in the wrapper
After building, --weights is loaded with load_state_dict(strict=True) (a 'module.' prefix from
DataParallel is removed). UNTESTED against the real checkpoint: if the defaults do not fit your
checkout, the error names the flag to change.
"""
import argparse
import hashlib
import importlib
import json
import os
import sys
import tempfile
import textwrap

import torch
import torch.nn.functional as F

IMAGE = 1024
NOISE = 256
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_BUILDER = "segment_anything_training.build_sam:build_noise_sam_vit_b"
DEFAULT_SAM_PARTS = ("image_encoder.=pretrained_checkpoint/sam_vit_b_backbone.pth,"
                     "prompt_encoder.=pretrained_checkpoint/sam_vit_b_prompt_decoder.pth,"
                     "mask_decoder.=pretrained_checkpoint/sam_vit_b_maskdecoder.pth")


class ContractWrapper(torch.nn.Module):
    """Adapts a generator network to forward(X, P) -> noise with the pipeline's contract."""

    def __init__(self, inner, call_style="sam-dicts", normalize="none", tanh="no"):
        super().__init__()
        if call_style not in ("sam-dicts", "tensors"):
            raise ValueError("--call-style must be sam-dicts or tensors, got %r" % call_style)
        self.inner = inner
        self.call_style = call_style
        self.normalize = normalize == "imagenet"
        self.tanh = tanh == "yes"
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x, p):
        if self.normalize:
            x = (x - self.mean) / self.std
        if self.call_style == "sam-dicts":
            # Built in Python while tracing: the loop is unrolled, so the batch size is fixed.
            batch = [{"image": x[i], "mask_inputs": p[i:i + 1], "original_size": (IMAGE, IMAGE)}
                     for i in range(x.shape[0])]
            out = self.inner(batch)
        else:
            out = self.inner(x, p)
        if isinstance(out, (list, tuple)):
            out = out[0]
        if self.tanh:
            out = torch.tanh(out)
        return out


def example_inputs(batch, seed, device):
    """X uniform in [0,1]; P made of 16x16 blocks of 0 or 255, like a downsampled union mask."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, 3, IMAGE, IMAGE, generator=g)
    blocks = (torch.rand(batch, 1, NOISE // 16, NOISE // 16, generator=g) > 0.5).float() * 255.0
    p = F.interpolate(blocks, size=(NOISE, NOISE), mode="nearest")
    return x.to(device), p.to(device)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_contract(out, batch, what):
    expected = (batch, 3, NOISE, NOISE)
    if tuple(out.shape) != expected or out.dtype != torch.float32:
        raise SystemExit("%s returned %s %s, the contract is float32 %s: check --call-style, --builder"
                         % (what, out.dtype, tuple(out.shape), expected))
    if not torch.isfinite(out).all() or out.abs().max().item() > 1.0:
        raise SystemExit("%s returned values outside [-1, 1] (max |v| = %g): add --tanh yes if the network"
                         " does not end in tanh" % (what, out.abs().max().item()))


def export(wrapper, out_path, batch, device, mode, checks, tolerance):
    """Traces or scripts the wrapper, saves it, reloads the file and compares it with the original."""
    wrapper = wrapper.eval().to(device)
    x, p = example_inputs(batch, 0, device)
    with torch.no_grad():
        if mode == "trace":
            exported = torch.jit.trace(wrapper, (x, p), check_trace=False)
        else:
            exported = torch.jit.script(wrapper)
    exported.save(out_path)
    loaded = torch.jit.load(out_path, map_location=device)
    worst = 0.0
    for seed in range(1, checks + 1):  # fresh inputs, not the trace's: catches values frozen by tracing
        x, p = example_inputs(batch, seed, device)
        with torch.no_grad():
            ref = wrapper(x, p)
            got = loaded(x, p)
        check_contract(ref, batch, "the original network (through the wrapper)")
        check_contract(got, batch, "the exported module")
        worst = max(worst, (ref - got).abs().max().item())
    digest = sha256(out_path)
    print("exported %s (%s, batch %d, device %s)" % (out_path, mode, batch, device))
    print("largest |exported - original| over %d random batches: %.3g" % (checks, worst))
    print("SHA-256: %s" % digest)
    print("pipeline settings: unseg.generator.model=%s unseg.generator.model-sha256=%s "
          "unseg.generator.batch-size=%d" % (out_path, digest, batch))
    if worst > tolerance:
        raise SystemExit("exported module differs from the original by %g > --tolerance %g" % (worst, tolerance))
    return worst, digest


def split_sam(sam_checkpoint, parts, folder):
    """Writes the SAM sub-module state_dicts the builder reads from its working directory."""
    state = torch.load(sam_checkpoint, map_location="cpu")
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    for item in parts.split(","):
        prefix, rel = item.split("=", 1)
        sub = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if not sub:
            raise SystemExit("--sam-checkpoint %s has no keys starting with %r (see --sam-parts); first keys: %s"
                             % (sam_checkpoint, prefix, list(state)[:5]))
        target = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        torch.save(sub, target)


def build_network(args):
    repo = os.path.abspath(os.path.expanduser(args.unseg_repo))
    if not os.path.isdir(repo):
        raise SystemExit("--unseg-repo %s is not a folder: clone github.com/sunye23/UnSeg and pass its path" % repo)
    sys.path.insert(0, repo)
    module_name, _, func_name = args.builder.partition(":")
    try:
        builder = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as e:
        raise SystemExit("cannot import --builder %s from %s: %s. Pass the module:function that builds the"
                         " generator in your checkout" % (args.builder, repo, e))
    kwargs = json.loads(args.builder_kwargs)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        if args.sam_checkpoint:
            split_sam(args.sam_checkpoint, args.sam_parts, work)
        os.chdir(work)
        try:
            net = builder(**kwargs)
        except FileNotFoundError as e:
            raise SystemExit("the builder wants a file it did not find (%s): give --sam-checkpoint, or fix"
                             " --sam-parts to the paths it reads" % e)
        finally:
            os.chdir(cwd)
    state = torch.load(args.weights, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    state = {(k[7:] if k.startswith("module.") else k): v for k, v in state.items()}
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise SystemExit("--weights %s does not fit the network from --builder %s: %s"
                         % (args.weights, args.builder, str(e)[:2000]))
    return net


# ---------------------------------------------------------------- self-test with a stand-in network
STANDIN_SOURCE = textwrap.dedent('''
    """A stand-in 'checkout': same calling convention and file habits as the defaults assume."""
    import torch
    import torch.nn.functional as F

    class StandIn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.image_encoder = torch.nn.Conv2d(3, 4, 4, stride=4)
            self.prompt_encoder = torch.nn.Conv2d(1, 4, 1)
            self.mask_decoder = torch.nn.Conv2d(4, 4, 3, padding=1)
            self.noise_head = torch.nn.Conv2d(4, 3, 3, padding=1)
            self.register_buffer("pixel_mean", torch.tensor([0.485, 0.456, 0.406]).view(-1, 1, 1), False)
            self.register_buffer("pixel_std", torch.tensor([0.229, 0.224, 0.225]).view(-1, 1, 1), False)

        def forward(self, batched_input):
            x = torch.stack([(r["image"] - self.pixel_mean) / self.pixel_std for r in batched_input], 0)
            m = torch.cat([r["mask_inputs"] for r in batched_input], 0) / 255.0
            h = F.gelu(self.image_encoder(x)) + self.prompt_encoder(m)
            return torch.tanh(self.noise_head(F.gelu(self.mask_decoder(h))) * 4.0)

    def build(checkpoint=None):
        net = StandIn()
        for part in ("image_encoder", "prompt_encoder", "mask_decoder"):
            getattr(net, part).load_state_dict(torch.load("frozen/%s.pth" % part))  # cwd-relative
        return net.eval()
''')


def selftest(args):
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "standin_repo")
        os.makedirs(os.path.join(repo, "standin_pkg"))
        open(os.path.join(repo, "standin_pkg", "__init__.py"), "w").close()
        with open(os.path.join(repo, "standin_pkg", "build.py"), "w") as f:
            f.write(STANDIN_SOURCE)
        sys.path.insert(0, repo)
        standin = importlib.import_module("standin_pkg.build")
        torch.manual_seed(7)
        reference_net = standin.StandIn().eval()
        sam = {}  # a 'SAM checkpoint' holding the frozen parts under their prefixes
        weights = {}  # a 'generator state_dict' holding everything
        for k, v in reference_net.state_dict().items():
            weights[k] = v
            if not k.startswith("noise_head."):
                sam[k] = v
        torch.save(sam, os.path.join(tmp, "sam.pth"))
        torch.save({"module." + k: v for k, v in weights.items()}, os.path.join(tmp, "gen.pth"))
        sys.path.remove(repo)
        args.unseg_repo = repo
        args.weights = os.path.join(tmp, "gen.pth")
        args.sam_checkpoint = os.path.join(tmp, "sam.pth")
        args.builder = "standin_pkg.build:build"
        args.sam_parts = ("image_encoder.=frozen/image_encoder.pth,prompt_encoder.=frozen/prompt_encoder.pth,"
                          "mask_decoder.=frozen/mask_decoder.pth")
        net = build_network(args)
        for k, v in reference_net.state_dict().items():
            assert torch.equal(v, net.state_dict()[k]), "weight %s not restored" % k
        out = args.out or os.path.join(tmp, "standin.pt")
        wrapper = ContractWrapper(net, args.call_style, args.normalize, args.tanh)
        worst, _ = export(wrapper, out, args.batch_size, args.device, args.mode, args.checks, args.tolerance)
        # The exported file must be independent of the stand-in's source: load it with the module gone.
        del sys.modules["standin_pkg.build"], sys.modules["standin_pkg"]
        loaded = torch.jit.load(out)
        x, p = example_inputs(args.batch_size, 99, "cpu")
        with torch.no_grad():
            direct = reference_net(
                [{"image": x[i], "mask_inputs": p[i:i + 1]} for i in range(args.batch_size)])
            diff = (loaded(x, p) - direct).abs().max().item()
        print("stand-in: exported file vs the unwrapped network: %.3g" % diff)
        if diff > args.tolerance:
            raise SystemExit("self-test FAILED: the wrapper changed the network's output")
        # The checks can fail: a second normalisation changes the output, an unbounded net breaks the range.
        with torch.no_grad():
            twice = ContractWrapper(net, args.call_style, "imagenet", "no").eval()(x, p)
        if (twice - direct).abs().max().item() <= args.tolerance:
            raise SystemExit("self-test FAILED: a double normalisation went unnoticed")
        try:
            export(ContractWrapper(_Unbounded(), "tensors", "none", "no"), os.path.join(tmp, "bad.pt"),
                   args.batch_size, "cpu", args.mode, 1, args.tolerance)
        except SystemExit as e:
            print("stand-in without tanh rejected as expected: %s" % e)
        else:
            raise SystemExit("self-test FAILED: an output outside [-1, 1] was exported")
        print("self-test passed")


class _Unbounded(torch.nn.Module):
    """Returns values up to 2: what a network without its final tanh looks like."""

    def forward(self, x, p):
        return F.avg_pool2d(x, 4) * 3.0 - 1.0

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unseg-repo", help="your checkout of github.com/sunye23/UnSeg")
    ap.add_argument("--weights", help="Generator_unseg_final.pth (the generator state_dict)")
    ap.add_argument("--sam-checkpoint", help="SAM ViT-B checkpoint, e.g. sam_vit_b_01ec64.pth")
    ap.add_argument("--out", help="output TorchScript file, e.g. unseg_generator.pt")
    ap.add_argument("--builder", default=DEFAULT_BUILDER, help="module:function building the network")
    ap.add_argument("--builder-kwargs", default='{"checkpoint": null}', help="JSON keyword arguments")
    ap.add_argument("--sam-parts", default=DEFAULT_SAM_PARTS, help="PREFIX=RELATIVE_FILE,... (see above)")
    ap.add_argument("--call-style", default="sam-dicts", choices=["sam-dicts", "tensors"])
    ap.add_argument("--normalize", default="none", choices=["none", "imagenet"])
    ap.add_argument("--tanh", default="no", choices=["no", "yes"])
    ap.add_argument("--mode", default="trace", choices=["trace", "script"])
    ap.add_argument("--batch-size", type=int, default=1, help="fixed batch size of a traced export")
    ap.add_argument("--device", default="cpu", help="cpu or cuda[:N]: the device the pipeline will use")
    ap.add_argument("--checks", type=int, default=2, help="random batches compared after export")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed difference")
    ap.add_argument("--selftest", action="store_true", help="export a stand-in network end to end")
    args = ap.parse_args()
    if args.selftest:
        selftest(args)
        return
    missing = [f for f in ("unseg_repo", "weights", "out") if not getattr(args, f)]
    if missing:
        ap.error("missing --" + ", --".join(m.replace("_", "-") for m in missing))
    net = build_network(args)
    export(ContractWrapper(net, args.call_style, args.normalize, args.tanh), args.out, args.batch_size,
           args.device, args.mode, args.checks, args.tolerance)


if __name__ == "__main__":
    main()
