#!/usr/bin/env bash
# Submit unseg protect to a Dataproc cluster (see create-cluster.sh).
# Fill in:
#   PROJECT, REGION, CLUSTER  as for create-cluster.sh
#   JAR_DIR       gs://YOUR-BUCKET/unseg: holds unseg-jobs-*-spark.jar and pytorch-native-cu124-*.jar
#   INPUT, OUTPUT gs:// locations (the output must not exist yet)
#   MODEL, MODEL_SHA256  the TorchScript UnSeg generator and its SHA-256
# Executor memory overhead 6g: an estimate for SAM ViT-B on libtorch+CUDA, not a measurement.
# The discovery script: the GPU initialization action installs one and sets
# spark.executor.resource.gpu.discoveryScript; if yours does not, copy ../gpu-discovery.sh to every
# node (an initialization action) and add it to --properties.
set -euo pipefail
: "${PROJECT:?}" "${REGION:?}" "${CLUSTER:?}" "${JAR_DIR:?}" "${INPUT:?}" "${OUTPUT:?}" "${MODEL:?}" "${MODEL_SHA256:?}"
gcloud dataproc jobs submit spark --project "$PROJECT" --region "$REGION" --cluster "$CLUSTER" \
  --class dev.unseg.jobs.cli.UnsegCli \
  --jars "$JAR_DIR/unseg-jobs-0.1.0-SNAPSHOT-spark.jar,$JAR_DIR/pytorch-native-cu124-2.5.1-linux-x86_64.jar" \
  --properties "spark.executor.resource.gpu.amount=1,spark.task.resource.gpu.amount=1,spark.executor.memoryOverhead=6g,spark.driver.extraJavaOptions=-Dai.djl.offline=true,spark.executor.extraJavaOptions=-Dai.djl.offline=true -XX:+UseParallelGC --add-modules=jdk.incubator.vector" \
  -- protect --format coco \
  --images "$INPUT/val2017" --annotations "$INPUT/annotations/instances_val2017.json" \
  --output "$OUTPUT" --generator unseg --model "$MODEL" --model-sha256 "$MODEL_SHA256" --device gpu
