#!/usr/bin/env bash
# Measures the README's "Does it protect?" table: makes the synthetic mask-pairs dataset from the
# photos in samples/, protects it with the built-in generator at eps 8/2, and evaluates it without
# defence, after JPEG quality 75, and after a Gaussian blur of sigma 1.
#   tools/measure_protection.sh [WORKDIR]   (default /tmp/unseg-measure; it is replaced)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/unseg-measure}"
rm -rf "$work"
"$here/bin/unseg" make-dataset --photos "$here/samples" --output "$work/data" --count 240 --size 64 --seed 1
"$here/bin/unseg" protect --format mask-pairs --images "$work/data/images" --annotations "$work/data/masks" \
  --output "$work/protected" --key measure-key --eps 8 --eps-bg 2
for d in none jpeg:75 blur:1; do
  "$here/bin/unseg" evaluate --clean "$work/data/images" --masks "$work/data/masks" --protected "$work/protected" \
    --sample 180 --test 60 --size 64 --epochs 6 --seed 1 --defense "$d" --run-id "table-${d/:/-}" \
    --conf unseg.evaluate.base-channels=8
done
