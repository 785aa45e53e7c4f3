#!/usr/bin/env bash
# A Dataproc 2.2 cluster (Spark 3.5) with one GPU per worker for unseg; gs:// works out of the box.
# Fill in:
#   PROJECT       your GCP project id
#   REGION, ZONE  e.g. us-central1 / us-central1-a (the GPU type must exist in the zone)
#   CLUSTER       cluster name
#   GPU_TYPE      nvidia-tesla-t4 | nvidia-l4 (with g2 machine types) | nvidia-tesla-a100
#   WORKER_TYPE   n1-standard-8 for T4; g2-standard-8 for L4
#   WORKERS       number of GPU workers
#   SERVICE_ACCOUNT  may read the input bucket and write the output bucket (no keys anywhere)
#   TURBOJPEG_INIT   optional: gs:// path of deploy/install-turbojpeg.sh uploaded to your bucket; installs
#                    libturbojpeg0 on every node so JPEG goes through libjpeg-turbo (unseg.codec.jpeg = auto)
# The driver comes from Google's initialization action (it installs the NVIDIA driver and CUDA and
# configures YARN GPU scheduling); the discovery script it sets up serves Spark's gpu resource.
set -euo pipefail
: "${PROJECT:?}" "${REGION:?}" "${ZONE:?}" "${CLUSTER:?}" "${SERVICE_ACCOUNT:?}"
GPU_TYPE="${GPU_TYPE:-nvidia-tesla-t4}"
WORKER_TYPE="${WORKER_TYPE:-n1-standard-8}"
WORKERS="${WORKERS:-2}"
init="gs://goog-dataproc-initialization-actions-$REGION/gpu/install_gpu_driver.sh"
[ -z "${TURBOJPEG_INIT:-}" ] || init="$init,$TURBOJPEG_INIT"
gcloud dataproc clusters create "$CLUSTER" --project "$PROJECT" --region "$REGION" --zone "$ZONE" \
  --image-version 2.2-debian12 \
  --service-account "$SERVICE_ACCOUNT" \
  --master-machine-type n1-standard-4 \
  --worker-machine-type "$WORKER_TYPE" --num-workers "$WORKERS" \
  --worker-accelerator "type=$GPU_TYPE,count=1" \
  --initialization-actions "$init" \
  --metadata gpu-driver-provider=NVIDIA,install-gpu-agent=true \
  --properties "spark:spark.executor.resource.gpu.amount=1,spark:spark.task.resource.gpu.amount=1,spark:spark.executor.memoryOverhead=6g,spark:spark.executor.cores=4,spark:spark.task.cpus=4,spark:spark.dynamicAllocation.enabled=false"
