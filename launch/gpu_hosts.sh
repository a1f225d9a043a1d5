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
# --dry_run (first) prints the command of every process (with COORDINATOR and
# NUM_PROCESSES set: one line per host) instead of running it.
set -euo pipefail
DRY=0
if [ "${1:-}" = --dry_run ]; then DRY=1; shift; fi
[ $# -ge 2 ] || { sed -n '2,13p' "$0"; exit 2; }
CONFIG=$1 WORKDIR=$2; shift 2
cd "$(dirname "$0")/.."

command_for() {  # the trainer's command for process $1 (empty: a single host or auto-detected cluster)
  local args=(python -m jaxgan.main) id=$1
  shift
  if [ -n "${COORDINATOR:-}" ]; then
    args+=(--jax_coordinator_address="$COORDINATOR" --jax_num_processes="$NUM_PROCESSES" --jax_process_id="$id")
  elif [ -n "${MULTIHOST:-}" ]; then
    args+=(--jax_distributed)
  fi
  printf '%q ' "${args[@]}" --config "$CONFIG" --workdir "$WORKDIR" "$@"
}

if [ "$DRY" = 1 ]; then
  if [ -n "${COORDINATOR:-}" ]; then
    for ((i = 0; i < NUM_PROCESSES; i++)); do echo "host $i: $(command_for "$i" "$@")"; done
  else
    echo "this host: $(command_for "" "$@")"
  fi
  exit 0
fi
python -c 'import jax; assert jax.default_backend() == "gpu", "no GPU visible: pip install -U \"jax[cuda13]\""'
eval "exec $(command_for "${PROCESS_ID:-}" "$@")"
