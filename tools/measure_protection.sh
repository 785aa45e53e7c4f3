#!/usr/bin/env bash
# Measures the README's "Does it protect?" tables for the built-in generator: makes the multi-class
# COCO scenes (320 px) and the mask pairs (64 px) from the photos in samples/, protects both at eps 8/2
# with --key measure-key, and evaluates each with the defaults of reference.conf (the usual recipe,
# U-Net and DeepLab, peak and last) against every defence, with the controls beside, then once more
# with 20% of the training images taken clean; each side trained REPEATS times (seeds 1, 2, ...).
#   tools/measure_protection.sh [WORKDIR]   (default /tmp/unseg-measure; it is replaced)
# Hours on a 2-core machine; minutes on a GPU. For a reduced run, set any of COUNT, SAMPLE, TEST,
# BASE, CROP, EPOCHS, REPEATS, MODEL, DEFENSES in the environment (the reduced figures then say little).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/unseg-measure}"
count="${COUNT:-300}"
defenses="${DEFENSES:-none,jpeg:75,blur:1,gray,iss:10,resize:0.5}"
opts=(--sample "${SAMPLE:-240}" --test "${TEST:-60}" --repeats "${REPEATS:-3}" --model "${MODEL:-both}")
[ -n "${BASE:-}" ] && opts+=(--base-size "$BASE")
[ -n "${CROP:-}" ] && opts+=(--crop "$CROP")
[ -n "${EPOCHS:-}" ] && opts+=(--epochs "$EPOCHS")
rm -rf "$work"
unseg() { local t=$SECONDS; ${UNSEG:-"$here/bin/unseg"} "$@"; echo "  ($1: $((SECONDS - t)) s)"; }

# Multi-class COCO scenes: class maps, four classes.
unseg make-dataset --kind coco --photos "$here/samples" --output "$work/coco" --count "$count" --size 320 --seed 1
unseg protect --format coco --images "$work/coco/images" --annotations "$work/coco/annotations.json" \
  --output "$work/coco-protected" --key measure-key --eps 8 --eps-bg 2
unseg evaluate --format coco --clean "$work/coco/images" --annotations "$work/coco/annotations.json" \
  --protected "$work/coco-protected" "${opts[@]}" --defense "$defenses" --controls --run-id table
unseg evaluate --format coco --clean "$work/coco/images" --annotations "$work/coco/annotations.json" \
  --protected "$work/coco-protected" "${opts[@]}" --defense none --clean-fraction 0.2 --run-id mix-20

# Mask pairs: binary labels.
unseg make-dataset --kind mask-pairs --photos "$here/samples" --output "$work/pairs" --count "$count" --size 64 --seed 1
unseg protect --format mask-pairs --images "$work/pairs/images" --annotations "$work/pairs/masks" \
  --output "$work/pairs-protected" --key measure-key --eps 8 --eps-bg 2
unseg evaluate --format mask-pairs --labels binary --clean "$work/pairs/images" --masks "$work/pairs/masks" \
  --protected "$work/pairs-protected" "${opts[@]}" --base-size "${BASE:-64}" --crop "${CROP:-64}" \
  --defense "$defenses" --controls --run-id table
echo "reports: $work/*-protected/_unseg/evaluation/*/report.html"
