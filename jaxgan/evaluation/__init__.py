"""Evaluation of generators: sample metrics, chosen by the kind of dataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan.evaluation.mode_coverage import mode_coverage


def evaluate_samples(dataset: Any, samples: np.ndarray) -> dict[str, Any]:
    """Scores generated `samples` of `dataset` with the metrics that fit it.

    Returns a flat dict of metrics plus a `protocol` string saying how they
    were computed, so no number travels without its protocol.
    """
    if hasattr(dataset, "means") and hasattr(dataset, "std"):
        return mode_coverage(samples, dataset.means, dataset.std)
    # Image metrics (FID, KID, IS, precision/recall) are not built yet: say so rather than guess.
    return {
        "num_samples": int(len(samples)),
        "non_finite_samples": int((~np.isfinite(samples.reshape(len(samples), -1)).all(axis=1)).sum()),
        "protocol": "no sample-quality metric for image data yet; see the sample grids",
    }
