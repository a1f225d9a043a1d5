#!/usr/bin/env bash
# Train several seeds of one experiment side by side on one GPU host, then
# export each run's exact evaluation samples, to score them on another machine.
#
#   launch/gpu_seeds.sh [--dry_run] CONFIG PREFIX SEEDS [--config.key=value ...]
#
# e.g. on a host without the FID Inception weights (skip the eval there; export 10k samples):
#   NUM=10000 launch/gpu_seeds.sh experiments/beat_lucic_fashion_mnist.py:ema+wide \
#     runs/beat_lucic_ema+wide 0,1,2 --config.eval.metrics= --config.eval.num_samples=64
#
# Seed S trains in PREFIX_sS/ (log: PREFIX_sS.log) with --config.seed=S; all
# seeds run at once, each with 1/N of the GPU's memory: small networks leave a
# GPU mostly idle, so N seeds take little longer than one. A run that stops
# resumes from its checkpoint when the script is run again. Then each run's
# eval samples (the fixed eval latents of `jaxgan.evaluate`) are written in
# float16 to PREFIX_sS/eval_samples_G.npy for G in EXPORT ("ema", the default,
# and/or "noema": the live generator); NUM sets how many (default: the run's
# eval.num_samples). Score them where the weights are:
#   python -m jaxgan.tools.score_samples --config CONFIG --config.seed=S --samples FILE --output scores.json
# --dry_run (first) prints every command instead of running it.
set -euo pipefail
DRY=0
if [ "${1:-}" = --dry_run ]; then DRY=1; shift; fi
[ $# -ge 3 ] || { sed -n '2,21p' "$0"; exit 2; }
CONFIG=$1 PREFIX=$2 SEEDS=$3; shift 3
cd "$(dirname "$0")/.."
IFS=, read -ra seeds <<< "$SEEDS"
for s in "${seeds[@]}"; do
  [[ $s =~ ^[0-9]+$ ]] || { echo "SEEDS must be comma-separated integers, e.g. 0,1,2; got '$SEEDS'" >&2; exit 2; }
done
read -ra generators <<< "${EXPORT:-ema}"
for g in "${generators[@]}"; do
  [[ $g == ema || $g == noema ]] || { echo "EXPORT takes ema and/or noema (e.g. EXPORT=\"ema noema\"); got '$g'" >&2; exit 2; }
done
[[ -z ${NUM:-} || $NUM =~ ^[1-9][0-9]*$ ]] || { echo "NUM must be a positive integer; got '$NUM'" >&2; exit 2; }

train_command() {  # seed, overrides...
  printf '%q ' python -m jaxgan.main --config "$CONFIG" --workdir "${PREFIX}_s$1" --config.seed="$1" "${@:2}"
}
export_command() {  # seed, generator
  local args=(python -m jaxgan.tools.export_eval_samples --workdir "${PREFIX}_s$1"
              --output "${PREFIX}_s$1/eval_samples_$2.npy" --float16 "--$2")
  [ -n "${NUM:-}" ] && args+=(--num "$NUM")
  printf '%q ' "${args[@]}"
}

if [ "$DRY" = 1 ]; then
  for s in "${seeds[@]}"; do echo "train seed $s: $(train_command "$s" "$@")"; done
  for s in "${seeds[@]}"; do for g in "${generators[@]}"; do echo "export seed $s: $(export_command "$s" "$g")"; done; done
  exit 0
fi
# JAXGAN_ALLOW_CPU=1 runs it on CPU devices (the tests do).
if [ -z "${JAXGAN_ALLOW_CPU:-}" ]; then
  python -c 'import jax; assert jax.default_backend() == "gpu", "no GPU visible: pip install -U \"jax[cuda13]\""'
fi
mkdir -p "$(dirname "$PREFIX")"
fraction=$(python -c "print(round(0.9 / ${#seeds[@]}, 3))")
pids=()
for s in "${seeds[@]}"; do
  XLA_PYTHON_CLIENT_MEM_FRACTION=$fraction bash -c "$(train_command "$s" "$@")" > "${PREFIX}_s$s.log" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!seeds[@]}"; do wait "${pids[$i]}" || failed+=("${seeds[$i]}"); done
if [ ${#failed[@]} -gt 0 ]; then
  for s in "${failed[@]}"; do echo "seed $s failed; the end of ${PREFIX}_s$s.log:" >&2; tail -n 20 "${PREFIX}_s$s.log" >&2; done
  exit 1
fi
for s in "${seeds[@]}"; do
  for g in "${generators[@]}"; do bash -c "$(export_command "$s" "$g")"; echo "wrote ${PREFIX}_s$s/eval_samples_$g.npy"; done
done
