"""Real-data features for metrics, computed once and cached on disk.

The cache key is (dataset, image shape, split, number of images, extractor,
extractor checksum), so a different extractor, weights file, split or sample
count never reuses stale statistics. Files are written to a temporary name and
renamed, so an interrupted write never leaves a corrupt entry.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np
from absl import logging
from etils import epath

from jaxgan.evaluation.extractors import Extractor

def cache_key(dataset_name: str, shape: tuple[int, ...], split: str, num: int, extractor: Extractor) -> str:
    """A file-name-safe key naming everything the reference features depend on."""
    shape_text = "x".join(str(d) for d in shape)
    split_text = re.sub(r"[^A-Za-z0-9_.-]+", "_", split)
    return f"{dataset_name}-{shape_text}-{split_text}-{num}-{extractor.name}-{extractor.checksum[:16]}"


def reference_features(
    dataset: Any, extractor: Extractor, split: str, num: int, directory: str | epath.Path
) -> dict[str, np.ndarray]:
    """Features and class probabilities of `num` real images of `split`, cached in `directory`.

    Args:
      dataset: has `name`, `element_shape` and `reference_images(split, num)`; a
        `reference_name` (default `name`) names its real images in the cache
        key, so that datasets built from the same images (every
        edges2fashion / super-resolution task) compute them once.
      extractor: the feature extractor.
      split: the tfds split of the reference images.
      num: how many (all of the split if it is smaller).
      directory: the cache directory; entries go under `reference/`.

    Returns:
      `{"features": [M, D], "probs": [M, K]}` as computed by `extractor`.
    """
    name = getattr(dataset, "reference_name", dataset.name)  # datasets with the same real images share one entry
    path = epath.Path(directory) / "reference" / (
        cache_key(name, tuple(dataset.element_shape), split, num, extractor) + ".npz"
    )
    if path.exists():
        with path.open("rb") as f:
            with np.load(f) as data:
                return {k: data[k] for k in data.files}
    images = dataset.reference_images(split, num)
    logging.info("Computing reference features of %d %s images (%s); caching them in %s.",
                 len(images), dataset.name, extractor.label, path)
    out = extractor(images)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    with tmp.open("wb") as f:
        np.savez(f, **out)
    tmp.rename(path)
    return out
