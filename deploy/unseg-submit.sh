#!/usr/bin/env bash
# spark-submit wrapper for the unseg job jar. Copy it next to the jars, set the variables below
# (or export them), then:  ./unseg-submit.sh protect --format coco --images s3a://... --output s3a://...
#
# Fill in:
#   UNSEG_JAR        the shaded job jar: jobs/target/unseg-jobs-<version>-spark.jar (Spark/Hadoop not inside)
#   SPARK_MASTER     yarn (EMR, Dataproc), spark://HOST:7077 (standalone), k8s://https://HOST:443
#   DEPLOY_MODE      client (driver where you run this) or cluster
#   EXTRA_JARS       comma-separated jars for --jars: the S3A connector where the cluster lacks it
#                    (jobs/target/extra-jars/s3a/*.jar; not on EMR or Dataproc), and for
#                    --generator unseg the libtorch jar (jobs/target/extra-jars/torch/*.jar)
#   USE_GPU          1: one GPU per executor and per task (needs GPU_DISCOVERY on the nodes)
#   GPU_DISCOVERY    path of deploy/gpu-discovery.sh on every node (YARN/standalone)
#   EXECUTOR_MEMORY  executor heap (default 8g)
#   EXECUTOR_OVERHEAD  off-heap memory per executor (default 2g CPU-only; 6g with USE_GPU: libtorch and
#                    CUDA for SAM ViT-B live outside the heap. An estimate, not a measurement: raise it
#                    if YARN kills executors for exceeding memory limits)
#   NUM_EXECUTORS    executors (default 4); EXECUTOR_CORES cores each (default 4: decode/encode threads)
#   UNSEG_KEY        the synthetic generator's secret (read from the environment, never put it in args
#                    that land in shell history or scheduler logs)
set -euo pipefail
: "${UNSEG_JAR:?set UNSEG_JAR to the shaded job jar (unseg-jobs-*-spark.jar)}"
: "${SPARK_MASTER:?set SPARK_MASTER (yarn, spark://HOST:7077, k8s://...)}"
DEPLOY_MODE="${DEPLOY_MODE:-client}"
USE_GPU="${USE_GPU:-0}"
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-8g}"
EXECUTOR_CORES="${EXECUTOR_CORES:-4}"
NUM_EXECUTORS="${NUM_EXECUTORS:-4}"
if [ "$USE_GPU" = 1 ]; then
  EXECUTOR_OVERHEAD="${EXECUTOR_OVERHEAD:-6g}"
else
  EXECUTOR_OVERHEAD="${EXECUTOR_OVERHEAD:-2g}"
fi

args=(
  --master "$SPARK_MASTER" --deploy-mode "$DEPLOY_MODE"
  --class dev.unseg.jobs.cli.UnsegCli
  --name unseg-protect
  --num-executors "$NUM_EXECUTORS" --executor-cores "$EXECUTOR_CORES"
  --executor-memory "$EXECUTOR_MEMORY"
  --conf "spark.executor.memoryOverhead=$EXECUTOR_OVERHEAD"
  # No libtorch download at run time: the native jar must come with --jars.
  --conf spark.driver.extraJavaOptions=-Dai.djl.offline=true
  # ParallelGC: large short-lived image arrays are humongous objects to G1 (docs/throughput.md).
  --conf 'spark.executor.extraJavaOptions=-Dai.djl.offline=true -XX:+UseParallelGC --add-modules=jdk.incubator.vector'
  # Keeps the key out of the Spark UI's environment page and event logs.
  --conf 'spark.redaction.regex=(?i)secret|password|token|access[.]key|unseg_key|generator[.]key'
)
# The driver reads UNSEG_KEY from its environment (client mode: this shell) and ships the settings
# to the executors with the tasks; in YARN cluster mode the driver's environment is set here.
if [ -n "${UNSEG_KEY:-}" ] && [ "$DEPLOY_MODE" = cluster ]; then
  args+=(--conf "spark.yarn.appMasterEnv.UNSEG_KEY=$UNSEG_KEY")
fi
if [ -n "${EXTRA_JARS:-}" ]; then
  args+=(--jars "$EXTRA_JARS")
fi
if [ "$USE_GPU" = 1 ]; then
  : "${GPU_DISCOVERY:?set GPU_DISCOVERY to the path of gpu-discovery.sh on the nodes}"
  args+=(
    --conf spark.executor.resource.gpu.amount=1
    --conf spark.task.resource.gpu.amount=1
    --conf "spark.executor.resource.gpu.discoveryScript=$GPU_DISCOVERY"
    # One task per executor drives its GPU; the task runs its own decode/encode thread pool.
    --conf "spark.task.cpus=$EXECUTOR_CORES"
  )
fi
exec spark-submit "${args[@]}" "$UNSEG_JAR" "$@"
