#!/usr/bin/env bash
# Run a jaxgan experiment on every worker of a Cloud TPU VM (single or multi-host).
#
#   launch/tpu_vm.sh TPU_NAME ZONE experiments/ring8.py gs://BUCKET/runs/ring8 [--config.key=value ...]
#
# Copies this checkout to all workers, installs it, and starts the same command
# on each; JAX's runtime (jax.distributed.initialize, auto-detected on TPU)
# joins the hosts. The workdir should be a gs:// path that all hosts can reach.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,9p' "$0"; exit 2; }
TPU=$1 ZONE=$2 CONFIG=$3 WORKDIR=$4; shift 4
REPO=$(cd "$(dirname "$0")/.." && pwd)

tar -C "$REPO" --exclude=.git --exclude=.venv --exclude=runs -czf /tmp/jaxgan.tgz .
gcloud compute tpus tpu-vm scp /tmp/jaxgan.tgz "$TPU":/tmp/jaxgan.tgz --zone "$ZONE" --worker=all
gcloud compute tpus tpu-vm ssh "$TPU" --zone "$ZONE" --worker=all --command "
  set -e
  mkdir -p ~/jaxgan && tar -C ~/jaxgan -xzf /tmp/jaxgan.tgz && cd ~/jaxgan
  python3 -m venv ~/jaxgan-venv && . ~/jaxgan-venv/bin/activate
  pip install -q -U 'jax[tpu]' && pip install -q -e .
  python -m jaxgan.main --jax_distributed --config $CONFIG --workdir $WORKDIR $*
"
