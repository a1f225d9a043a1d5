#!/usr/bin/env bash
# Run a jaxgan experiment on one or more GPU hosts.
#
# One host (all its GPUs):
#   launch/gpu_hosts.sh experiments/ring8.py runs/ring8 [--config.key=value ...]
#
# Several hosts without Slurm: run this on every host with the same arguments and
#   COORDINATOR=host0:1234 NUM_PROCESSES=N PROCESS_ID=i launch/gpu_hosts.sh ...
# Under Slurm or Open MPI, set MULTIHOST=1 instead: JAX detects the rest.
# The workdir must be shared storage (NFS, gs://) visible to every host.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,11p' "$0"; exit 2; }
CONFIG=$1 WORKDIR=$2; shift 2
cd "$(dirname "$0")/.."
python -c 'import jax; assert jax.default_backend() == "gpu", "no GPU visible: pip install -U \"jax[cuda13]\""'

ARGS=()
if [ -n "${COORDINATOR:-}" ]; then
  ARGS+=(--jax_distributed --coordinator_address="$COORDINATOR" --num_processes="$NUM_PROCESSES" --process_id="$PROCESS_ID")
elif [ -n "${MULTIHOST:-}" ]; then
  ARGS+=(--jax_distributed)
fi
exec python -m jaxgan.main "${ARGS[@]}" --config "$CONFIG" --workdir "$WORKDIR" "$@"
