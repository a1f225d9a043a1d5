"""Speed of the FID Inception forward on this machine: images/s and CPU seconds per image.

  python benchmarks/inception_speed.py [--batch 16] [--calls 3] [--size 28]

Times `jaxgan.evaluation.inception.features_and_probs` (the TF-GAN resize of
`--size` x `--size` grey images to 299, then pool3) on one batch of uniform
noise, jitted as evaluations run it, after one warm-up call. The weights are
the converted ones in the cache directory (README "Evaluation"). Prints one
line per timed call and the median: wall images/s and process CPU seconds per
image (all threads), so a figure taken beside other jobs can be told from a
quiet one (CPU per image barely moves; images/s does). A 10k-sample FID costs
about 10,000 / (images/s) seconds of features.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import numpy as np

from jaxgan.evaluation import inception
from jaxgan.evaluation.extractors import cache_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=inception.CPU_BATCH_SIZE, help="Images per call.")
    parser.add_argument("--calls", type=int, default=3, help="Timed calls (after one warm-up call).")
    parser.add_argument("--size", type=int, default=28, help="Side of the grey input images.")
    args = parser.parse_args()
    path = cache_dir() / inception.DEFAULT_FILE
    if not path.exists():
        raise SystemExit(f"{path} does not exist: convert the FID Inception first with {inception.CONVERT_COMMAND}.")
    variables = inception.load_params(path)
    images = np.random.default_rng(0).uniform(-1, 1, (args.batch, args.size, args.size, 1)).astype(np.float32)
    forward = jax.jit(lambda v, x: inception.features_and_probs(v, x)["features"])
    start = time.perf_counter()
    jax.block_until_ready(forward(variables, images))
    print(f"{jax.default_backend()}, {args.batch} images of {args.size}x{args.size} per call; compile + first call "
          f"{time.perf_counter() - start:.1f} s")
    rates, cpu = [], []
    for _ in range(args.calls):
        wall, proc = time.perf_counter(), time.process_time()
        jax.block_until_ready(forward(variables, images))
        rates.append(args.batch / (time.perf_counter() - wall))
        cpu.append((time.process_time() - proc) / args.batch)
        print(f"  {rates[-1]:.2f} images/s, {cpu[-1]:.3f} CPU-s per image")
    print(f"median: {statistics.median(rates):.2f} images/s, {statistics.median(cpu):.3f} CPU-s per image; "
          f"10,000 images: {10_000 / statistics.median(rates) / 60:.0f} min")


if __name__ == "__main__":
    main()
