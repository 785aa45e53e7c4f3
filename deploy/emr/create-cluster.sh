#!/usr/bin/env bash
# An EMR 7 cluster with GPU core nodes for unseg (Spark 3.5 on YARN, S3 through EMRFS or S3A).
# Fill in:
#   REGION        e.g. us-east-1
#   SUBNET_ID     an EC2 subnet of your VPC
#   KEY_NAME      an EC2 key pair (SSH), or drop KeyName
#   LOG_URI       s3://YOUR-BUCKET/emr-logs/
#   CORE_TYPE     GPU instance type: g4dn.2xlarge (T4 16 GB), g5.2xlarge (A10G 24 GB), g6.2xlarge (L4)
#   CORE_COUNT    number of GPU nodes (one executor, one GPU each with configurations.json)
#   RELEASE       emr-7.x release label (Spark 3.5)
#   BOOTSTRAP_URI optional: s3:// path of deploy/install-turbojpeg.sh uploaded to your bucket; installs
#                 libturbojpeg on every node so JPEG goes through libjpeg-turbo (unseg.codec.jpeg = auto)
# Roles: EMR_DefaultRole / EMR_EC2_DefaultRole (aws emr create-default-roles); the instance profile
# must read the input bucket and write the output bucket: no keys are configured anywhere.
# Bootstrap: only the optional libturbojpeg install above (without it JPEG goes through ImageIO). EMR GPU AMIs ship the NVIDIA driver, and EMR ships Spark's discovery script
# at /usr/lib/spark/scripts/gpu/getGpusResources.sh (deploy/gpu-discovery.sh is the same thing for
# other clusters). If your AMI lacks the driver, add a bootstrap action that installs it.
set -euo pipefail
: "${REGION:?}" "${SUBNET_ID:?}" "${KEY_NAME:?}" "${LOG_URI:?}"
CORE_TYPE="${CORE_TYPE:-g5.2xlarge}"
CORE_COUNT="${CORE_COUNT:-2}"
RELEASE="${RELEASE:-emr-7.5.0}"
bootstrap=()
[ -z "${BOOTSTRAP_URI:-}" ] || bootstrap=(--bootstrap-actions "Path=$BOOTSTRAP_URI,Name=libturbojpeg")
here="$(cd "$(dirname "$0")" && pwd)"
aws emr create-cluster --region "$REGION" --name unseg \
  --release-label "$RELEASE" --applications Name=Hadoop Name=Spark \
  --service-role EMR_DefaultRole \
  --ec2-attributes "SubnetId=$SUBNET_ID,KeyName=$KEY_NAME,InstanceProfile=EMR_EC2_DefaultRole" \
  --log-uri "$LOG_URI" \
  --instance-groups \
    "InstanceGroupType=MASTER,InstanceCount=1,InstanceType=m5.xlarge" \
    "InstanceGroupType=CORE,InstanceCount=$CORE_COUNT,InstanceType=$CORE_TYPE" \
  --configurations "file://$here/configurations.json" "${bootstrap[@]}"
