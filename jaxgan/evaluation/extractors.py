"""Feature extractors for sample-quality metrics, looked up by name.

An extractor maps images (float32 `[N, H, W, C]` in [-1, 1], the range
generators produce) to features for FID/KID/precision/recall and class
probabilities for the Inception Score. Each one is registered as a builder:

    @EXTRACTORS.register("my_extractor")
    def build(eval_config) -> Extractor: ...

A builder that cannot run (weights file missing, say) raises
`ExtractorUnavailable` with a message saying how to make it available. Metrics
are then skipped with that message; they are never faked or silently replaced.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any, Callable

import jax
import numpy as np
from etils import epath

from jaxgan.registry import Registry

EXTRACTORS = Registry("feature extractor")


class ExtractorUnavailable(RuntimeError):
    """An extractor cannot be built here; the message says how to provide what it needs."""


@dataclasses.dataclass(frozen=True)
class Extractor:
    """A built feature extractor.

    Attributes:
      name: the registry name.
      label: how results computed with it are labelled, e.g. "classifier-FID
        (fashion_mnist_classifier)"; goes into every protocol string.
      checksum: sha256 of its weights (file or parameters), recorded with results.
      feature_dim: size of the features.
      num_classes: size of the class probabilities (0 if it has none).
      apply: images `[N, H, W, C]` in [-1, 1] -> `{"features": [N, D], "probs": [N, K]}` numpy
        ("probs" only when `num_classes` > 0).
      no_probs_reason: when `num_classes` is 0, how to get class probabilities
        (shown when a metric such as `is` needs them).
    """

    name: str
    label: str
    checksum: str
    feature_dim: int
    num_classes: int
    apply: Callable[[np.ndarray], dict[str, np.ndarray]]
    no_probs_reason: str = ""

    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        return self.apply(images)


CACHE_ENV = "JAXGAN_CACHE_DIR"


def cache_dir(configured: str = "") -> epath.Path:
    """Where trained extractors and reference features are cached.

    `configured` (config.eval.cache_dir), else $JAXGAN_CACHE_DIR, else ~/.cache/jaxgan.
    """
    return epath.Path(configured or os.environ.get(CACHE_ENV) or os.path.expanduser("~/.cache/jaxgan"))


def build_extractor(name: str, eval_config: Any) -> Extractor:
    """Builds extractor `name`; raises ValueError (unknown) or ExtractorUnavailable."""
    return EXTRACTORS.get(name)(eval_config)


def file_checksum(path: str | epath.Path) -> str:
    """sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with epath.Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def params_checksum(params: Any) -> str:
    """sha256 over a parameter pytree's leaves (paths, dtypes, shapes and bytes)."""
    digest = hashlib.sha256()
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        leaf = np.asarray(leaf)
        digest.update(f"{jax.tree_util.keystr(path)}:{leaf.dtype}:{leaf.shape}".encode())
        digest.update(np.ascontiguousarray(leaf).tobytes())
    return digest.hexdigest()
