#!/usr/bin/env bash
# Run a jaxgan experiment on every worker of a Cloud TPU VM (single or multi-host).
#
#   launch/tpu_vm.sh [--dry_run] [--workers N] TPU_NAME ZONE experiments/ring8.py gs://BUCKET/runs/ring8 [--config.key=value ...]
#
# Copies this checkout to all workers, installs it, and starts one process per
# worker: worker i runs `python -m jaxgan.main` with --jax_process_id=i, the
# worker count and worker 0's internal address as coordinator (JAX's own
# runtime, jax.distributed). The workdir should be a gs:// path all workers reach.
# --dry_run prints the commands instead of running them (give --workers, e.g. 4
# for a v4-32 slice; otherwise the count and addresses come from gcloud).
set -euo pipefail
DRY=0 WORKERS=""
while [ $# -gt 0 ]; do
  case $1 in
    --dry_run) DRY=1; shift ;;
    --workers) WORKERS=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 4 ] || { sed -n '2,11p' "$0"; exit 2; }
TPU=$1 ZONE=$2 CONFIG=$3 WORKDIR=$4; shift 4
REPO=$(cd "$(dirname "$0")/.." && pwd)
PORT=8476

if [ "$DRY" = 1 ] && [ -n "$WORKERS" ]; then
  COORDINATOR_IP=WORKER0_INTERNAL_IP
else
  IPS=($(gcloud compute tpus tpu-vm describe "$TPU" --zone "$ZONE" --format='value[delimiter=" "](networkEndpoints[].ipAddress)'))
  WORKERS=${WORKERS:-${#IPS[@]}}
  COORDINATOR_IP=${IPS[0]}
fi

run() { if [ "$DRY" = 1 ]; then echo "$*"; else "$@"; fi; }

run tar -C "$REPO" --exclude=.git --exclude=.venv --exclude=runs -czf /tmp/jaxgan.tgz .
run gcloud compute tpus tpu-vm scp /tmp/jaxgan.tgz "$TPU":/tmp/jaxgan.tgz --zone "$ZONE" --worker=all
SETUP="set -e; mkdir -p ~/jaxgan && tar -C ~/jaxgan -xzf /tmp/jaxgan.tgz && cd ~/jaxgan; python3 -m venv ~/jaxgan-venv && . ~/jaxgan-venv/bin/activate; pip install -q -U 'jax[tpu]' && pip install -q -e ."
PIDS=()
for ((i = 0; i < WORKERS; i++)); do
  TRAIN="python -m jaxgan.main --jax_coordinator_address=$COORDINATOR_IP:$PORT --jax_num_processes=$WORKERS --jax_process_id=$i --config $CONFIG --workdir $WORKDIR $*"
  if [ "$DRY" = 1 ]; then
    echo "gcloud compute tpus tpu-vm ssh $TPU --zone $ZONE --worker=$i --command \"$SETUP; $TRAIN\""
  else
    gcloud compute tpus tpu-vm ssh "$TPU" --zone "$ZONE" --worker="$i" --command "$SETUP; $TRAIN" &
    PIDS+=($!)
  fi
done
STATUS=0
for pid in "${PIDS[@]}"; do wait "$pid" || STATUS=1; done
exit $STATUS
