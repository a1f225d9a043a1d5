"""Sample-quality metrics of generated images, chosen by name (`config.eval.metrics`).

Each metric is one function of `MetricInputs` returning named values, in the
registry `METRICS`; adding one is a function plus a `@METRICS.register` line.
Features come from the extractor named by `config.eval.extractor`
(`jaxgan.evaluation.extractors`); real-data features are cached on disk
(`jaxgan.evaluation.reference`). Result keys carry the extractor's name, e.g.
`fashion_mnist_classifier/fid`, so a classifier-FID is never mistaken for an
Inception FID, and every result has a `protocol` string saying how it was made.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable

import numpy as np

from jaxgan.evaluation import metrics as m
from jaxgan.evaluation.extractors import Extractor, ExtractorUnavailable, build_extractor, cache_dir
from jaxgan.evaluation.reference import reference_features
from jaxgan.evaluation.stacked_modes import NUM_MODES, stacked_modes
from jaxgan.registry import Registry

METRICS = Registry("metric")

# Standard settings, written into every protocol string.
KID_SUBSETS, KID_SUBSET_SIZE = 100, 1000
IS_SPLITS = 10
CONFIDENT_AT = 0.9  # "confident": the top class probability a recognisable sample reaches
PR_K, DC_K = 3, 5


@dataclasses.dataclass
class MetricInputs:
    """What a metric may use. Features are computed on first use and shared."""

    samples: np.ndarray
    dataset: Any
    extractor: Extractor
    eval_config: Any
    samples_view: Any = None

    @functools.cached_property
    def fake(self) -> dict[str, np.ndarray]:
        """Extractor outputs on the generated samples (cached on disk when they are a fixed baseline's)."""
        if self.samples_view is None:
            return self.extractor(self.samples)
        c = self.eval_config
        return reference_features(self.samples_view, self.extractor, c.reference_split, len(self.samples),
                                  cache_dir(c.cache_dir))

    @functools.cached_property
    def real(self) -> dict[str, np.ndarray]:
        """Extractor outputs on the reference images (cached on disk)."""
        c = self.eval_config
        return reference_features(self.dataset, self.extractor, c.reference_split, c.reference_num_samples,
                                  cache_dir(c.cache_dir))


@METRICS.register("fid")
def fid(inputs: MetricInputs) -> dict[str, float]:
    """Fréchet distance between Gaussian fits of real and generated features."""
    real, fake = m.GaussianStats(), m.GaussianStats()
    real.update(inputs.real["features"])
    fake.update(inputs.fake["features"])
    return {"fid": m.frechet_distance(real.mean, real.cov, fake.mean, fake.cov)}


@METRICS.register("kid")
def kid(inputs: MetricInputs) -> dict[str, float]:
    """Kernel Inception Distance: unbiased MMD², cubic polynomial kernel, over subsets."""
    mean, std = m.kid(inputs.real["features"], inputs.fake["features"], KID_SUBSETS, KID_SUBSET_SIZE)
    return {"kid": mean, "kid_std": std}


@METRICS.register("is", needs_probs=True)
def inception_score(inputs: MetricInputs) -> dict[str, float]:
    """Inception Score of the generated samples (the extractor's class probabilities)."""
    mean, std = m.inception_score(inputs.fake["probs"], IS_SPLITS)
    return {"is": mean, "is_std": std}


@METRICS.register("confident", needs_probs=True)
def confident(inputs: MetricInputs) -> dict[str, float]:
    """Fraction of samples the extractor's classifier puts in one class with probability >= CONFIDENT_AT."""
    return {"confident": m.confident_fraction(inputs.fake["probs"], CONFIDENT_AT)}


@METRICS.register("pr")
def precision_recall(inputs: MetricInputs) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019), k-NN manifolds."""
    return m.precision_recall(inputs.real["features"], inputs.fake["features"], PR_K)


@METRICS.register("dc")
def density_coverage(inputs: MetricInputs) -> dict[str, float]:
    """Density and coverage (Naeem et al. 2020)."""
    return m.density_coverage(inputs.real["features"], inputs.fake["features"], DC_K)


@METRICS.register("modes")
def stacked(inputs: MetricInputs) -> dict[str, float]:
    """Stacked datasets: distinct modes among the samples and KL to uniform, channels labelled by the extractor."""
    result = stacked_modes(inputs.samples, inputs.extractor)
    return {"modes": result["modes"], "kl": result["kl"]}


def parse_metrics(text: str) -> list[str]:
    """'fid, kid' -> ['fid', 'kid'], checking every name against the registry."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        METRICS.get(name)
    return names


def protocol(inputs: MetricInputs, names: list[str]) -> str:
    """How the numbers were made: sample counts, reference split, extractor and settings."""
    c, ex = inputs.eval_config, inputs.extractor
    parts = [f"{len(inputs.samples)} generated samples"]
    if "real" in vars(inputs):  # a metric compared with real images
        parts.append(f"reference: {len(inputs.real['features'])} images of {inputs.dataset.name} '{c.reference_split}'")
    parts.append(f"features: {ex.label}, sha256 {ex.checksum[:12]}")
    settings: dict[str, str] = {
        "kid": f"KID over {KID_SUBSETS} subsets of {KID_SUBSET_SIZE}",
        "is": f"IS over {IS_SPLITS} splits",
        "confident": f"confident: top class probability >= {CONFIDENT_AT}",
        "pr": f"precision/recall k={PR_K}",
        "dc": f"density/coverage k={DC_K}",
        "modes": f"modes: each channel labelled by the extractor, mode = 100*c0+10*c1+c2, KL to uniform over {NUM_MODES}",
    }
    parts += [settings[n] for n in names if n in settings]
    return "; ".join(parts)


def evaluate_images(samples: np.ndarray, dataset: Any, eval_config: Any, samples_view: Any = None
                    ) -> dict[str, Any]:
    """Scores `samples` with `eval_config.metrics`, using `eval_config.extractor`.

    `samples_view`: for samples that are a deterministic function of the data
    (a baseline such as the bicubic upsampling of super-resolution), a view
    like a dataset's (`name`, `element_shape`, `reference_images(split, num)`
    returning `samples`) whose name keys their features in the reference
    cache, so every run with the same eval examples extracts them once.

    Returns:
      `{"<extractor>/<value>": float, ..., "protocol": str}`; when the
      extractor cannot be built (e.g. no Inception weights file), no metric
      value but `metrics_skipped` with the reason, never a substitute.
    """
    names = parse_metrics(eval_config.metrics)
    if not names:
        return {"protocol": "no image metric configured (config.eval.metrics); see the sample grids"}
    try:
        extractor = build_extractor(eval_config.extractor, eval_config)
    except ExtractorUnavailable as e:
        return {"metrics_skipped": str(e), "protocol": f"metrics {', '.join(names)} skipped: {e}"}
    inputs = MetricInputs(samples, dataset, extractor, eval_config, samples_view)
    results: dict[str, Any] = {}
    lacking = [n for n in names if METRICS.meta(n).get("needs_probs") and not extractor.num_classes]
    if lacking:  # e.g. `is` with pool3-only Inception weights: say why, compute the rest
        results["metrics_skipped"] = (f"{', '.join(lacking)}: extractor {extractor.name} has no class "
                                      f"probabilities. {extractor.no_probs_reason}".strip())
        names = [n for n in names if n not in lacking]
    for name in names:
        metric: Callable[[MetricInputs], dict[str, float]] = METRICS.get(name)
        results.update({f"{extractor.name}/{k}": float(v) for k, v in metric(inputs).items()})
    results["protocol"] = protocol(inputs, names)
    return results
