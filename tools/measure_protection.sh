#!/usr/bin/env bash
# Measures the README's "Does it protect?" table: makes the synthetic mask-pairs dataset from the
# photos in samples/, protects it with the built-in generator at eps 8/2, and evaluates it without
# defence, after JPEG quality 75, and after a Gaussian blur of sigma 1; each side trained 3 times
# (seeds 1-3), so every figure comes with its run-to-run spread.
#   tools/measure_protection.sh [WORKDIR]   (default /tmp/unseg-measure; it is replaced)
# About 25 minutes on a 2-core machine; the reports land in WORKDIR/protected/_unseg/evaluation/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/unseg-measure}"
rm -rf "$work"
"$here/bin/unseg" make-dataset --photos "$here/samples" --output "$work/data" --count 300 --size 64 --seed 1
"$here/bin/unseg" protect --format mask-pairs --images "$work/data/images" --annotations "$work/data/masks" \
  --output "$work/protected" --key measure-key --eps 8 --eps-bg 2
for d in none jpeg:75 blur:1; do
  "$here/bin/unseg" evaluate --clean "$work/data/images" --masks "$work/data/masks" --protected "$work/protected" \
    --sample 240 --test 60 --size 64 --epochs 20 --seed 1 --repeats 3 --defense "$d" --run-id "table-${d/:/-}"
done
