"""Real-data features for metrics, computed once and cached on disk.

The cache key is (dataset, image shape, split, number of images, extractor,
extractor checksum), so a different extractor, weights file, split or sample
count never reuses stale statistics. Each entry also stores a fingerprint (a
SHA-256) of the very images it was computed from: when the images behind a
name change (a new data version, an edited transform), the entry is computed
again instead of silently scoring against the old images. The fingerprint also
finds the same images cached under another name (ProGAN's `fashion_mnist` at
32x32 and the image-to-image tasks' `fashion_mnist_garments` are the same
10,000 test garments): their features are reused, not computed again.
Reading the images costs seconds; their features cost minutes to an hour. Files are written to a
temporary name and renamed, so an interrupted write never leaves a corrupt
entry. Processes on one machine computing the same entry at once take a lock,
so it is computed once (`_one_writer`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np
from absl import logging
from etils import epath

from jaxgan.evaluation.extractors import Extractor

def cache_key(dataset_name: str, shape: tuple[int, ...], split: str, num: int, extractor: Extractor) -> str:
    """A file-name-safe key naming everything the reference features depend on."""
    shape_text = "x".join(str(d) for d in shape)
    split_text = re.sub(r"[^A-Za-z0-9_.-]+", "_", split)
    return f"{dataset_name}-{shape_text}-{split_text}-{num}-{extractor.name}-{extractor.checksum[:16]}"


FINGERPRINT = "images_sha256"  # the npz field holding the fingerprint; never a feature


def fingerprint(images: np.ndarray) -> str:
    """SHA-256 of the images' shape, dtype and bytes: what the cached features were computed from."""
    images = np.ascontiguousarray(images)
    digest = hashlib.sha256(f"{images.shape}{images.dtype}".encode())
    digest.update(images.tobytes())
    return digest.hexdigest()


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
    images = dataset.reference_images(split, num)
    stamp = fingerprint(images)
    cached = _cached(path, stamp, len(images), dataset.name)
    if cached is not None:
        return cached
    with _one_writer(path):  # runs started side by side compute an entry once; the others wait and read it
        cached = _cached(path, stamp, len(images), dataset.name)
        if cached is not None:
            return cached
        twin = _same_images(path, extractor, stamp)
        if twin is not None:
            source, out = twin
            logging.info("Reusing the features of %s for %s: the same %d images (fingerprint %s).", source.name,
                         path.name, len(images), stamp[:12])
            _write(path, {**out, FINGERPRINT: np.asarray(stamp)})
            return out
        logging.info("Computing reference features of %d %s images (%s); caching them in %s.",
                     len(images), dataset.name, extractor.label, path)
        out = extractor(images)
        _write(path, {**out, FINGERPRINT: np.asarray(stamp)})
        return out


def _cached(path: epath.Path, stamp: str, count: int, dataset_name: str) -> dict[str, np.ndarray] | None:
    """The entry at `path` if it holds the features of the images with fingerprint `stamp`, else None."""
    if not path.exists():
        return None
    with path.open("rb") as f:
        with np.load(f) as data:
            cached = {k: data[k] for k in data.files}
    held = str(cached.pop(FINGERPRINT, ""))
    if held == stamp:
        return cached
    if not held:  # an entry written before fingerprints: adopt it for the images of today
        logging.info("Stamping the reference cache entry %s with its images' fingerprint.", path)
        _write(path, {**cached, FINGERPRINT: np.asarray(stamp)})
        return cached
    logging.warning("The %d %s images behind %s changed since their features were cached (fingerprint %s, "
                    "now %s); computing them again.", count, dataset_name, path.name, held[:12], stamp[:12])
    return None


@contextlib.contextmanager
def _one_writer(path: epath.Path) -> Iterator[None]:
    """Holds an exclusive lock on `path`'s entry while it is computed, where the cache is a local directory.

    Seeds or ablations started together all reach their first evaluation needing the same entry; without
    the lock each would spend the same CPU-hour on it. A process that finds the lock taken logs that it
    waits, then reads what the holder wrote. `flock` is released by the kernel when a holder dies, so a
    killed run never blocks the next. Remote caches (gs://) are not locked: there, runs may compute twice.
    Nor are multi-process runs: their processes compute the features together (a collective map over
    every device), so one waiting on another's lock would hang both.
    """
    if not _is_local(path) or jax.process_count() > 1:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.info("Another process is computing %s; waiting for it, then reading its features.", path.name)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _is_local(path: epath.Path) -> bool:
    return "://" not in os.fspath(path)


def _same_images(path: epath.Path, extractor: Extractor,
                 stamp: str) -> tuple[epath.Path, dict[str, np.ndarray]] | None:
    """Another entry beside `path` of the same extractor and weights whose images have the fingerprint `stamp`.

    Features depend only on the images and the extractor, so such an entry holds exactly the features
    `path` would; only its name differs. Entries without a fingerprint, or unreadable, never match.
    """
    suffix = f"-{extractor.name}-{extractor.checksum[:16]}.npz"
    for other in sorted(path.parent.glob(f"*{suffix}")) if path.parent.exists() else ():
        if other.name == path.name:
            continue
        try:
            with other.open("rb") as f, np.load(f) as data:
                if FINGERPRINT in data.files and str(data[FINGERPRINT]) == stamp:
                    return other, {k: data[k] for k in data.files if k != FINGERPRINT}
        except (OSError, ValueError) as e:  # a damaged entry is no match; its own name recomputes it
            logging.warning("Skipping the unreadable reference cache entry %s: %s", other, e)
    return None


def _write(path: epath.Path, arrays: dict[str, np.ndarray]) -> None:
    """Writes `arrays` to `path` through a temporary file and a rename (never a half-written entry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    with tmp.open("wb") as f:
        np.savez(f, **arrays)
    tmp.replace(path)  # atomic, and over a stale entry
