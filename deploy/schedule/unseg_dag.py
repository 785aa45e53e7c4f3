"""Airflow DAG: protect a dataset daily with unseg through spark-submit.

Fill in:
  SPARK_CONN_ID   an Airflow Spark connection (host yarn / spark://HOST:7077 / k8s://...)
  JAR, TORCH_JAR  the shaded job jar, and libtorch's jar for --generator unseg (see README)
  INPUT, OUTPUT   dataset locations; each run writes OUTPUT/<ds> (an existing output is refused)
  the Airflow Variable "unseg_key" (synthetic generator): passed as UNSEG_KEY in the environment.
Needs apache-airflow-providers-apache-spark. Exit code 2 (a setting or input is wrong) and 1 (the run
failed or did not account for every image) both fail the task.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

SPARK_CONN_ID = "spark_default"
JAR = "s3a://YOUR-BUCKET/unseg/unseg-jobs-0.1.0-SNAPSHOT-spark.jar"
TORCH_JAR = "s3a://YOUR-BUCKET/unseg/pytorch-native-cu124-2.5.1-linux-x86_64.jar"
INPUT = "s3a://YOUR-INPUT-BUCKET/coco"
OUTPUT = "s3a://YOUR-OUTPUT-BUCKET/coco-protected"

with DAG(
    dag_id="unseg_protect",
    start_date=datetime(2026, 1, 1),
    schedule="30 2 * * *",
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
) as dag:
    SparkSubmitOperator(
        task_id="protect",
        conn_id=SPARK_CONN_ID,
        application=JAR,
        java_class="dev.unseg.jobs.cli.UnsegCli",
        jars=TORCH_JAR,
        conf={
            "spark.executor.resource.gpu.amount": "1",
            "spark.task.resource.gpu.amount": "1",
            "spark.executor.resource.gpu.discoveryScript": "/opt/unseg/deploy/gpu-discovery.sh",
            "spark.executor.cores": "4",
            "spark.task.cpus": "4",
            # libtorch + CUDA outside the heap for SAM ViT-B: an estimate, not a measurement.
            "spark.executor.memoryOverhead": "6g",
            "spark.driver.extraJavaOptions": "-Dai.djl.offline=true",
            "spark.executor.extraJavaOptions": "-Dai.djl.offline=true -XX:+UseParallelGC --add-modules=jdk.incubator.vector",
            "spark.redaction.regex": "(?i)secret|password|token|access[.]key|unseg_key",
        },
        env_vars={"UNSEG_KEY": "{{ var.value.unseg_key }}"},
        application_args=[
            "protect", "--format", "coco",
            "--images", f"{INPUT}/val2017",
            "--annotations", f"{INPUT}/annotations/instances_val2017.json",
            # A retry after a failed attempt gets a fresh output folder: try_number in the name.
            "--output", OUTPUT + "/{{ ds_nodash }}-{{ ti.try_number }}",
            "--generator", "unseg", "--model", "s3a://YOUR-BUCKET/unseg/unseg_sam_vitb.pt", "--device", "gpu",
        ],
    )
