"""Evaluation of generators: sample metrics, chosen by the kind of dataset and `config.eval`."""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan.evaluation import classifier, inception  # noqa: F401  (register their extractors)
from jaxgan.evaluation.image_metrics import evaluate_images
from jaxgan.evaluation.mode_coverage import mode_coverage


def evaluate_samples(dataset: Any, samples: np.ndarray, eval_config: Any) -> dict[str, Any]:
    """Scores generated `samples` of `dataset` with the metrics that fit it.

    2-D mixtures get mode coverage; images get `eval_config.metrics` (FID,
    KID, IS, precision/recall, density/coverage, stacked modes) with the
    features of `eval_config.extractor`. Returns a flat dict of metrics plus a
    `protocol` string saying how they were computed, so no number travels
    without its protocol.
    """
    if hasattr(dataset, "means") and hasattr(dataset, "std"):
        return mode_coverage(samples, dataset.means, dataset.std)
    finite = np.isfinite(samples.reshape(len(samples), -1)).all(axis=1)
    return {"num_samples": int(len(samples)), "non_finite_samples": int((~finite).sum()),
            **evaluate_images(samples, dataset, eval_config)}
