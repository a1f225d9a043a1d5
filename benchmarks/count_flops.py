"""GFLOP per train step of every suite case, counted on the lowered program for a chosen backend's convolutions.

  python benchmarks/count_flops.py --conv_impl xla [--output runs/flops.json]

XLA:GPU compiles convolutions into cuDNN custom calls that its cost analysis
does not count, and jax 0.11's GPU backend analyses no lowered program, so a
suite run on a GPU cannot count its own FLOPs. The program it runs is the
same one lowered anywhere: this counts it on CPU, with "auto" convolutions
resolved as on that backend (`--conv_impl xla` for GPU/TPU, `subpixel` for
CPU), in both precisions. benchmarks/README.md takes the GPU MFU from these
counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import jax

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import step_speed  # noqa: E402
import suite  # noqa: E402

from jaxgan.models import conv  # noqa: E402


def lowered_gflops(name: str, dtype: str) -> float:
    """GFLOP of one step of suite case `name` in `dtype`, from the lowered program's cost analysis."""
    config, shape = suite.case_config(name, dtype)
    for net in ("g", "d"):
        if "conv_impl" in config.model[net]:
            config.model[net].conv_impl = "auto"
    return step_speed.cost_gflops(step_speed.build_step(config, shape).lower())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conv_impl", default="xla", choices=["xla", "subpixel"])
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    conv.AUTO_IMPL[jax.default_backend()] = args.conv_impl
    counts = {}
    for dtype in ("float32", "bfloat16"):
        for name in suite.CASES:
            counts[f"{name}/{dtype}"] = lowered_gflops(name, dtype)
            print(f"{name:16s} {dtype:9s} {counts[f'{name}/{dtype}']:9.3f} GFLOP/step", flush=True)
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"conv_impl": args.conv_impl, "gflop_per_step": counts}, f, indent=2)


if __name__ == "__main__":
    main()
