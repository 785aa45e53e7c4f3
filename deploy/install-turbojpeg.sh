#!/usr/bin/env bash
# Installs libturbojpeg (libjpeg-turbo's TurboJPEG library) on a cluster node, so that unseg decodes and
# encodes JPEG through it (unseg.codec.jpeg = auto picks it up; about twice as fast as ImageIO, same pixels).
# Use it as an EMR bootstrap action (upload to S3, BOOTSTRAP_URI in deploy/emr/create-cluster.sh) or a
# Dataproc initialization action (upload to GCS, TURBOJPEG_INIT in deploy/dataproc/create-cluster.sh).
# Every node (driver and executors) needs it: with unseg.codec.jpeg = turbo, an executor without it fails
# its images. A failed install leaves the node as it was: auto then uses ImageIO everywhere it is missing.
set -euo pipefail
if command -v apt-get >/dev/null 2>&1; then                 # Dataproc (Debian), Ubuntu
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0
elif command -v dnf >/dev/null 2>&1; then                   # EMR 7 (Amazon Linux 2023), RHEL/Fedora
  sudo dnf install -y -q turbojpeg
else                                                        # older Amazon Linux / CentOS
  sudo yum install -y -q turbojpeg
fi
