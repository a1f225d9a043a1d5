r"""Compute and cache an experiment's reference features once, before its runs evaluate.

  python -m jaxgan.tools.prepare_reference --config experiments/srgan_fashion_mnist_x4.py

A run computes the real images' features (`config.eval.reference_num_samples`
of `config.eval.reference_split`, with `config.eval.extractor`) at its first
evaluation and caches them (`jaxgan.evaluation.reference`); later runs read
the cache. Runs started side by side (seeds, ablations) compute an entry once:
the first takes a lock on it (on a local cache directory) and the others wait
for its features, idle, at their first evaluation. With the FID Inception on
2 CPU cores, 10,000 images take ~40 minutes. This command fills the same cache
entry beforehand, from the same code path, so no run waits mid-training. Datasets built from the same real
images (every edges2fashion and super-resolution task) share one entry.
Flags and overrides are those of `jaxgan.main` (`--config.eval.*=...`).
"""

from __future__ import annotations

import time

from absl import flags
from ml_collections import config_flags

from jaxgan import cli
from jaxgan import config as config_lib

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
flags.mark_flags_as_required(["config"])


def prepare(config) -> dict[str, object]:
    """Fills the cache entry the run's evaluation reads; returns what it holds and how long it took."""
    from jaxgan.data import build_dataset
    from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor, cache_dir
    from jaxgan.evaluation.reference import cache_key, reference_features

    c = config.eval
    if not c.metrics.strip():
        raise config_lib.ConfigError("config.eval.metrics is empty: this experiment compares no features with "
                                     "real images, so it has no reference to prepare.")
    dataset = build_dataset(config)
    try:
        extractor = build_extractor(c.extractor, c)
    except ExtractorUnavailable as e:
        raise config_lib.ConfigError(str(e)) from None
    start = time.perf_counter()
    features = reference_features(dataset, extractor, c.reference_split, c.reference_num_samples,
                                  cache_dir(c.cache_dir))["features"]
    name = getattr(dataset, "reference_name", dataset.name)
    return {"entry": cache_key(name, tuple(dataset.element_shape), c.reference_split, c.reference_num_samples,
                               extractor),
            "images": len(features), "extractor": extractor.label, "seconds": round(time.perf_counter() - start, 1)}


def main(argv):
    if len(argv) > 1:
        raise flags.ValidationError(f"Unexpected arguments: {argv[1:]}")
    config = cli.loaded(_CONFIG)
    config_lib.validate(config)
    from jaxgan import writers

    writers.quiet_library_logs()
    result = prepare(config)
    print(f"Reference ready: {result['images']} images, {result['extractor']}; cache entry {result['entry']} "
          f"({result['seconds']} s, 0 when it was cached already).")


if __name__ == "__main__":
    cli.run(main)
