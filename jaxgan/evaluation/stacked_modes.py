"""Modes of stacked MNIST / Fashion-MNIST samples (VEEGAN / PacGAN protocol).

Each channel of a sample is labelled by a pretrained 10-class classifier
(argmax of its probabilities); the sample's mode is `100 * c0 + 10 * c1 + c2`,
one of 1000. Reported: the distinct modes among the samples and KL(q || u), q
the histogram of sample modes and u uniform over the 1000 modes (0 log 0 = 0).
The published protocol draws 26,000 samples (`PROTOCOL_SAMPLES`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan.data.stacked import NUM_CHANNELS, stack_label
from jaxgan.evaluation.extractors import Extractor

NUM_MODES = 1000
PROTOCOL_SAMPLES = 26_000


def channel_labels(samples: np.ndarray, classifier: Extractor) -> np.ndarray:
    """The classifier's label of each channel of `samples` `[N, H, W, 3]`: int `[N, 3]`."""
    samples = np.asarray(samples, np.float32)
    if samples.ndim != 4 or samples.shape[-1] != NUM_CHANNELS:
        raise ValueError(f"Stacked samples are [N, H, W, {NUM_CHANNELS}], got shape {samples.shape}.")
    channels = np.moveaxis(samples, -1, 1).reshape(-1, *samples.shape[1:3], 1)  # sample-major, channel-minor
    return classifier(channels)["probs"].argmax(axis=1).reshape(len(samples), NUM_CHANNELS)


def mode_kl(modes: np.ndarray, num_modes: int = NUM_MODES) -> float:
    """KL(histogram of `modes` || uniform over `num_modes`), with 0 log 0 = 0."""
    counts = np.bincount(modes, minlength=num_modes)
    q = counts[counts > 0] / counts.sum()
    return float(np.sum(q * np.log(q * num_modes)))


def stacked_modes(samples: np.ndarray, classifier: Extractor) -> dict[str, Any]:
    """Mode count and KL of stacked samples `[N, 28, 28, 3]` in [-1, 1], channels labelled by `classifier`.

    Returns:
      dict with `modes` (distinct modes among the samples), `num_modes` (1000),
      `kl`, `num_samples` and `protocol`.
    """
    modes = stack_label(channel_labels(samples, classifier))
    return {
        "modes": int(len(np.unique(modes))),
        "num_modes": NUM_MODES,
        "kl": mode_kl(modes),
        "num_samples": int(len(samples)),
        "protocol": (
            f"{len(samples)} samples (protocol: {PROTOCOL_SAMPLES}); each channel labelled by {classifier.name} "
            f"(sha256 {classifier.checksum[:12]}); modes = distinct 100*c0+10*c1+c2; "
            f"KL(histogram || uniform {NUM_MODES})"
        ),
    }
