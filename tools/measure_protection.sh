#!/usr/bin/env bash
# Measures the "Does it protect?" tables for the built-in generator: makes the generated datasets from
# the photos in samples/, protects each with --key measure-key once per generator design and budget (BUDGETS, eps 8/2 by default), and
# evaluates every protected copy against every defence (the controls beside the first design's), then
# once more with 20% of the training images taken clean.
#   tools/measure_protection.sh [WORKDIR]   (default /tmp/unseg-measure; it is replaced)
# Environment (defaults in brackets):
#   KINDS    which datasets: coco (multi-class scenes, 320 px, the evaluate defaults: base 64, crop 48, 120 epochs)
#            and/or pairs (mask pairs, 64 px, binary, the recipe ControlsTest runs: base 48, crop 32,
#            rescale 0.75-1.5, 50 epochs, learning rate 0.002) [coco pairs]
#   DESIGNS  synthetic generator designs (unseg.generator.synthetic.design) [shift cells octaves]
#   COUNT [300] images made; SAMPLE [240] TEST [60] images trained and tested on; REPEATS [3] seeds a
#   side; MODEL [both]; DEFENSES [none,jpeg:75,blur:1,gray,iss:10,resize:0.5]; MIX [1]: 0 skips the 20%-clean run;
#   BUDGETS [8/2]: eps/eps-bg pairs, each design protected and evaluated at each (e.g. "8/2 16/4 32/4").
# Hours on a 2-core machine with the defaults; the README says which reduced run its figures come from.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/unseg-measure}"
count="${COUNT:-300}"
defenses="${DEFENSES:-none,jpeg:75,blur:1,gray,iss:10,resize:0.5}"
common=(--sample "${SAMPLE:-240}" --test "${TEST:-60}" --repeats "${REPEATS:-3}" --model "${MODEL:-both}")
rm -rf "$work"
unseg() { local t=$SECONDS; ${UNSEG:-"$here/bin/unseg"} "$@"; echo "  ($1: $((SECONDS - t)) s)"; }

for kind in ${KINDS:-coco pairs}; do
  case "$kind" in
    coco)
      unseg make-dataset --kind coco --photos "$here/samples" --output "$work/coco" --count "$count" --size 320 --seed 1
      input=(--format coco --images "$work/coco/images" --annotations "$work/coco/annotations.json")
      recipe=() ;;
    pairs)
      unseg make-dataset --kind mask-pairs --photos "$here/samples" --output "$work/pairs" --count "$count" --size 64 --seed 1
      input=(--format mask-pairs --images "$work/pairs/images" --annotations "$work/pairs/masks")
      recipe=(--labels binary --base-size 48 --crop 32 --epochs 50 --conf unseg.evaluate.rescale-min=0.75
        --conf unseg.evaluate.rescale-max=1.5 --conf unseg.evaluate.learning-rate=0.002) ;;
    *) echo "KINDS: coco or pairs, not $kind" >&2; exit 2 ;;
  esac
  controls=(--controls)
  for design in ${DESIGNS:-shift cells octaves}; do
    for budget in ${BUDGETS:-8/2}; do
      eps="${budget%/*}" eps_bg="${budget#*/}"
      out="$work/$kind-$design"
      [ "$budget" = 8/2 ] || out="$out-$eps-$eps_bg"
      unseg protect "${input[@]}" --output "$out" --key measure-key --eps "$eps" --eps-bg "$eps_bg" \
        --conf "unseg.generator.synthetic.design=$design"
      # evaluate reads the clean dataset from the protect run's own settings.
      unseg evaluate --protected "$out" "${common[@]}" "${recipe[@]}" --defense "$defenses" "${controls[@]}" --run-id table
      if [ "${MIX:-1}" != 0 ]; then
        unseg evaluate --protected "$out" "${common[@]}" "${recipe[@]}" --defense none --clean-fraction 0.2 --run-id mix-20
      fi
      controls=()
    done
  done
done
echo "reports: $work/*/_unseg/evaluation/*/report.html"
