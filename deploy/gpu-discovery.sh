#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript, and for standalone
# workers spark.worker.resource.gpu.discoveryScript): prints the GPUs this node has as
#   {"name": "gpu", "addresses": ["0", "1"]}
# Copy it to the same path on every node and make it executable. Needs nvidia-smi (the NVIDIA
# driver). Nothing to fill in. Spark's own example is examples/src/main/scripts/getGpusResources.sh.
set -euo pipefail
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e 's/^ *//' -e 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
