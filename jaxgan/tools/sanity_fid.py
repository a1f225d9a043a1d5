r"""Sanity figures for an FID protocol: real against real, real against lightly noised real, and the cost.

  python -m jaxgan.tools.sanity_fid --dataset fashion_mnist [--extractor inception_fid] [--num 10000] \
      [--noise_std 0.05] [--output runs/sanity_fid.json]

With the Lucic et al. protocol (10k Fashion-MNIST test images as the
reference; see experiments/lucic_fashion_mnist.py):

- FID(test, train): 10k training images against the reference, the floor
  a perfect generator reaches with a finite sample from the same distribution;
- FID(test, test + noise): the reference images plus Gaussian noise of
  `noise_std` (in [-1, 1] units; 0.05 is ~6 grey levels), clipped, which
  shows how sensitive the features are to a perturbation invisible to a person;
- the time of one evaluation of `num` images (features of the samples, the
  reference's being cached as in training runs), on this machine.

The reference features go through the same on-disk cache as training's
evaluations (`jaxgan.evaluation.reference`), so a later run reuses them.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from absl import app, flags
from etils import epath

from jaxgan import config as config_lib
from jaxgan.data import build_dataset
from jaxgan.evaluation import metrics as m
from jaxgan.evaluation.extractors import build_extractor, cache_dir
from jaxgan.evaluation.reference import reference_features

FLAGS = flags.FLAGS


def fid_of_features(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance of Gaussian fits to two feature sets."""
    sa, sb = m.GaussianStats(), m.GaussianStats()
    sa.update(a)
    sb.update(b)
    return float(m.frechet_distance(sa.mean, sa.cov, sb.mean, sb.cov))


def noised(images: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    """`images` + N(0, std^2) per pixel, clipped to [-1, 1]."""
    noise = np.random.default_rng(seed).normal(0.0, std, images.shape).astype(np.float32)
    return np.clip(images + noise, -1.0, 1.0)


def run(dataset_name: str, extractor_name: str, num: int, noise_std: float) -> dict[str, object]:
    """Computes the figures; the reference is `num` test images."""
    config = config_lib.base_config()
    config.data.name = dataset_name
    config.eval.extractor = extractor_name
    dataset = build_dataset(config)
    extractor = build_extractor(extractor_name, config.eval)
    cache = cache_dir(config.eval.cache_dir)
    start = time.perf_counter()
    test = reference_features(dataset, extractor, "test", num, cache)["features"]
    reference_seconds = time.perf_counter() - start
    train = reference_features(dataset, extractor, "train", num, cache)["features"]
    start = time.perf_counter()
    noisy = extractor(noised(dataset.reference_images("test", num), noise_std))["features"]
    noisy_fid = fid_of_features(test, noisy)
    eval_seconds = time.perf_counter() - start
    return {
        "protocol": f"{num} {dataset_name} test images as reference; features: {extractor.label}, "
                    f"sha256 {extractor.checksum[:12]}",
        "fid_test_vs_train": fid_of_features(test, train),
        f"fid_test_vs_test_noise_{noise_std}": noisy_fid,
        "seconds_one_evaluation": eval_seconds,
        "seconds_reference_features": reference_seconds,
        "num": num,
    }


def define_flags() -> None:
    flags.DEFINE_string("dataset", "fashion_mnist", "An image dataset with train and test splits.")
    flags.DEFINE_string("extractor", "inception_fid", "Feature extractor (jaxgan.evaluation.extractors).")
    flags.DEFINE_integer("num", 10_000, "Images per set.")
    flags.DEFINE_float("noise_std", 0.05, "Std of the Gaussian noise added to the test images, in [-1, 1] units.")
    flags.DEFINE_string("output", "", "Also write the figures to this JSON file.")


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise app.UsageError("Usage: python -m jaxgan.tools.sanity_fid --dataset fashion_mnist")
    try:
        result = run(FLAGS.dataset, FLAGS.extractor, FLAGS.num, FLAGS.noise_std)
    except (ValueError, RuntimeError, FileNotFoundError) as e:  # unknown names, data or weights missing
        sys.exit(f"error: {e}")
    text = json.dumps(result, indent=2)
    print(text)
    if FLAGS.output:
        epath.Path(FLAGS.output).write_text(text + "\n")


if __name__ == "__main__":
    define_flags()
    app.run(main)
