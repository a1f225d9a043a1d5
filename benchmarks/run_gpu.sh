#!/usr/bin/env bash
# The GPU figures of benchmarks/README.md: the whole suite in float32 and in
# bfloat16, each against the PyTorch twin on the same GPU (CUDA, same precision).
#
#   bash benchmarks/run_gpu.sh [OUTDIR]     # default runs/benchmarks_gpu
#
# Writes OUTDIR/suite_{float32,bfloat16}.{json,log} and nvidia_smi.txt. GPU steps
# take milliseconds, so each case times 50 steps (CPU figures use 5).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/benchmarks_gpu}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/nvidia_smi.txt" 2>&1
# JAX and torch share the GPU: JAX takes at most half of it.
export XLA_PYTHON_CLIENT_MEM_FRACTION=${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.5}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
for dtype in float32 bfloat16; do
  python3 benchmarks/suite.py --output "$out/suite_$dtype.json" --steps 50 --rounds 3 --dtype "$dtype" 2>&1 |
    grep -v -E "^[IW][0-9]{4} " | tee "$out/suite_$dtype.log"
done
