"""What the notebooks share: run bin/unseg, read a manifest into pandas, show images side by side.

Debian ships no Python Parquet reader, so manifests are read through `bin/unseg inspect`, which
prints one JSON line per image and then the run's summary.
"""
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
UNSEG = ROOT / "bin" / "unseg"
SAMPLES = ROOT / "samples"


def unseg(*args, check=True):
    """Runs `bin/unseg ARGS...` and prints its console output. With check (the default) a failure raises;
    without, the completed process is returned for the caller to judge."""
    p = subprocess.run([str(UNSEG), *map(str, args)], capture_output=True, text=True)
    # Spark's own WARN lines (ports, native libraries) are noise here; unseg's lines are kept.
    shown = [line for line in (p.stdout + p.stderr).splitlines() if " WARN " not in line]
    print("\n".join(shown))
    if check and p.returncode != 0:
        raise RuntimeError(f"unseg {args[0]} exited with {p.returncode}")
    return None if check else p


def manifest(output, *conf):
    """The manifest of a protect run's output (a path or an s3a:// URI) as a DataFrame, and its summary."""
    p = subprocess.run([str(UNSEG), "inspect", str(output), *conf], capture_output=True, text=True, check=True)
    rows, rest = [], []
    for line in p.stdout.splitlines():
        if line.startswith("{\"run_id\""):
            rows.append(json.loads(line))
        else:
            rest.append(line)
    return pd.DataFrame(rows), json.loads("\n".join(rest))


def rgb(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(np.int16)


def amplified_noise(original, protected):
    """The change protect made, scaled so that +-eps spans the grey range around mid-grey."""
    diff = protected - original
    scale = 127 / max(1, np.abs(diff).max())
    return np.clip(128 + diff * scale, 0, 255).astype(np.uint8)
