#!/usr/bin/env bash
# Measures docs/train-generator.md's table: trains generators with unseg train-generator on the
# generated scenes (make-dataset --kind coco, 320 px), one per variant of UnSeg's two tricks, protects
# the scenes with each (eps 8/2), then evaluates each protected copy with the evaluate defaults
# (U-Net and DeepLab; the clean sides are trained again for each, from the same seed, so they are the
# same every time).
#   tools/measure_trained_generator.sh [WORKDIR]   (default /tmp/unseg-train-measure; it is replaced)
# Environment (defaults in brackets):
#   VARIANTS  any of: plain (neither trick: the defaults), paper (both, as the paper trains), lm (label
#             modification only), eg (eps generalisation only), classes (plain, the surrogate learning
#             the class maps) [plain paper lm eg classes]
#   EPOCHS [20] SAMPLE [200] training of each generator; DEFENSES [none,jpeg:75]; MODEL [both]; REPEATS [1]
# About half an hour a variant on a 2-core machine (a quarter of an hour to train, 15 to evaluate).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/unseg-train-measure}"
rm -rf "$work"
unseg() { local t=$SECONDS; ${UNSEG:-"$here/bin/unseg"} "$@"; echo "  ($1: $((SECONDS - t)) s)"; }

unseg make-dataset --kind coco --photos "$here/samples" --output "$work/coco" --count 300 --size 320 --seed 1
input=(--format coco --images "$work/coco/images" --annotations "$work/coco/annotations.json")
for variant in ${VARIANTS:-plain paper lm eg classes}; do
  case "$variant" in
    plain) flags=() ;;
    paper) flags=(--label-modification --eps-generalisation) ;;
    lm) flags=(--label-modification) ;;
    eg) flags=(--eps-generalisation) ;;
    classes) flags=(--labels classes) ;;
    *) echo "VARIANTS: plain, paper, lm, eg or classes, not $variant" >&2; exit 2 ;;
  esac
  unseg train-generator "${input[@]}" --output "$work/$variant.zip" --epochs "${EPOCHS:-20}" --sample "${SAMPLE:-200}" \
    --eps 8 --eps-bg 2 "${flags[@]}"
  unseg protect "${input[@]}" --output "$work/$variant" --generator trained --model "$work/$variant.zip" --eps 8 --eps-bg 2
  unseg evaluate --protected "$work/$variant" --model "${MODEL:-both}" --repeats "${REPEATS:-1}" \
    --defense "${DEFENSES:-none,jpeg:75}" --run-id "$variant"
done
echo "reports: $work/*/_unseg/evaluation/*/report.html; the built-in generator's row: tools/measure_protection.sh"
