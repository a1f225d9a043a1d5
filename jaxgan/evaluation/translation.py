"""The `translation` evaluator: image-to-image outputs scored against their known truth.

For every translation a family declares (`family.translations`: prediction
name -> (batch key of the inputs, batch key of their truth)), on
`eval.num_samples` fixed examples of `eval.reference_split`
(`dataset.reference_pairs`):

- `<name>/l1`: mean |output - truth| in [0, 1] intensity units;
- `<name>/psnr`, `<name>/ssim`: dm-pix's, on [0, 1] images (max value 1;
  SSIM with its default 11x11 Gaussian window, sigma 1.5);
- when the inputs are smaller than the truth (super-resolution): the same
  three for bicubic upsampling of the inputs, `<name>/bicubic_*`, and, when
  the truth is real images, its realism and class figures too (the paper's
  baseline row; its features are cached like a reference's, so only the
  first run on a machine extracts them);
- when the truth is the dataset's real images (`dataset.reference_images`,
  e.g. garments, not edge maps): `eval.metrics` (FID, KID, ...) of the
  outputs with `eval.extractor`, against `eval.reference_num_samples` real
  images of the same split, and `<name>/class_accuracy`: how often the
  Fashion-MNIST classifier gives the output the class of its source garment
  (beside `<name>/truth_class_accuracy`, the classifier's own accuracy on
  the truths). Outputs whose size is not the classifier's are resized by it.
- when the truth is a binary edge map (the dataset lists its key in
  `dataset.edge_keys`: CycleGAN's garment -> edges): `<name>/edge_precision`,
  `<name>/edge_recall` and `<name>/edge_f1` with a tolerance of
  `EDGE_TOLERANCE` pixels, since L1 counts a contour drawn one pixel off as
  wholly wrong. Outputs are edges where above mid-grey; a predicted edge
  pixel is correct when a true one lies within the tolerance (a
  (2t+1)x(2t+1) window), a true one is found when a predicted one does;
  counts are pooled over all images (BSDS's dataset-level F-measure, with
  dilation instead of its one-to-one matching, so it is a little kinder);
- when the dataset names the attribute classifier of its domains
  (`dataset.attribute_dataset`, `.attribute_task`, `.key_domains`: the colour pairs of
  `jaxgan.data.attributed`): `<name>/domain_accuracy`, how often that
  classifier sees the truth's domain in the output, beside
  `<name>/truth_domain_accuracy` (StarGAN's attribute error, so pairwise
  CycleGANs and StarGAN are scored alike; skipped, with the command that
  trains the classifier, when it is not cached).

Picture (`translation_<name>`): rows of inputs, outputs and truths, 8 per row.
"""

from __future__ import annotations

from typing import Any

import dm_pix
import jax.numpy as jnp
import numpy as np

from jaxgan import sampling, visualize
from jaxgan.data import transforms
from jaxgan.evaluation import image_metrics
from jaxgan.evaluation.evaluators import EVALUATORS, EvalContext, EvalOutput
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor

CLASSIFIER = "fashion_mnist_classifier"
PICTURE_EXAMPLES = 16


def to_unit(images: np.ndarray) -> jnp.ndarray:
    """[-1, 1] images as [0, 1], clipped (outputs of tanh G stay inside; others are clipped)."""
    return jnp.clip((jnp.asarray(images, jnp.float32) + 1.0) / 2.0, 0.0, 1.0)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[-1, 1] float images as uint8 (the inverse of `jaxgan.data.images.to_float`, rounded)."""
    return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def fidelity(outputs: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """L1 (in [0, 1] units), PSNR (dB) and SSIM of `outputs` against `truth`, means over images."""
    out, ref = to_unit(outputs), to_unit(truth)
    return {"l1": float(jnp.mean(jnp.abs(out - ref))),
            "psnr": float(jnp.mean(dm_pix.psnr(out, ref))),
            "ssim": float(jnp.mean(dm_pix.ssim(out, ref)))}


EDGE_TOLERANCE = 1  # pixels, in the edge score


def edge_scores(outputs: np.ndarray, truth: np.ndarray, tolerance: int = EDGE_TOLERANCE) -> dict[str, float]:
    """Precision, recall and F1 of edge pixels in [-1, 1] `outputs` against binary [-1, 1] `truth` edge maps.

    Pooled over every image; a predicted edge is correct within `tolerance` pixels of a true one and a true
    edge found within `tolerance` of a predicted one. Precision (recall) is 0 where nothing is predicted
    (true), so that an empty output scores F1 0, not NaN.
    """
    pred = np.asarray(outputs).mean(-1, keepdims=True) > 0.0
    true = np.asarray(truth).mean(-1, keepdims=True) > 0.0
    hits_pred = np.count_nonzero(pred & transforms.dilate(true, tolerance))
    hits_true = np.count_nonzero(true & transforms.dilate(pred, tolerance))
    precision = hits_pred / max(np.count_nonzero(pred), 1)
    recall = hits_true / max(np.count_nonzero(true), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"edge_precision": float(precision), "edge_recall": float(recall), "edge_f1": float(f1)}


def class_accuracy(ctx: EvalContext, outputs: np.ndarray, truth: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """The Fashion-MNIST classifier's accuracy on outputs and on truths, or why it was skipped."""
    try:
        extractor = build_extractor(CLASSIFIER, ctx.eval_config)
    except ExtractorUnavailable as e:
        return {"class_accuracy_skipped": str(e)}
    accuracy = lambda images: float(np.mean(np.argmax(extractor(images)["probs"], -1) == labels))  # noqa: E731
    return {"class_accuracy": accuracy(outputs), "truth_class_accuracy": accuracy(truth)}


def attribute_classifier() -> Any:
    """`jaxgan.evaluation.attribute_classifier`, imported on first use: imported with the package, it made
    `python -m jaxgan.evaluation.attribute_classifier` warn that the module was loaded before it ran."""
    from jaxgan.evaluation import attribute_classifier as module

    return module


def domain_accuracy(ctx: EvalContext, outputs: np.ndarray, truth: np.ndarray, domain: int) -> dict[str, Any]:
    """The dataset's attribute classifier on outputs and truths, against the truth's `domain`, or why it was skipped."""
    dataset = ctx.exp.dataset
    num_domains = dataset.attribute_task.num_domains
    try:
        params, _ = attribute_classifier().load(dataset.attribute_dataset, num_domains, dataset.element_shape,
                                              ctx.eval_config.cache_dir)
    except FileNotFoundError as e:
        return {"domain_accuracy_skipped": str(e)}
    accuracy = lambda images: float(np.mean(  # noqa: E731
        attribute_classifier().predict_domains(params, images, num_domains) == domain))
    return {"domain_accuracy": accuracy(outputs), "truth_domain_accuracy": accuracy(truth)}


def picture(ctx: EvalContext, name: str, inputs: np.ndarray, outputs: np.ndarray, truth: np.ndarray | None) -> bytes:
    """Rows of 8: inputs (upsampled by repetition when smaller), outputs, truths (when there is a truth)."""
    cols = sampling.GRID_COLUMNS
    n = min(len(inputs), PICTURE_EXAMPLES) // cols * cols
    factor = outputs.shape[1] // inputs.shape[1]
    shown = np.repeat(np.repeat(inputs[:n], factor, axis=1), factor, axis=2)
    if shown.shape[-1] != outputs.shape[-1]:
        shown = np.broadcast_to(shown.mean(-1, keepdims=True), (*shown.shape[:-1], outputs.shape[-1]))
    parts = (shown, outputs) if truth is None else (shown, outputs, truth)
    rows = [part[i : i + cols] for i in range(0, n, cols) for part in parts]
    what = "input, output" + ("" if truth is None else ", truth")
    title = f"{ctx.exp.dataset.name} step {int(ctx.state.step)} ({name}): {what}"
    return visualize.samples_png(np.concatenate(rows), ctx.exp.dataset, title, cols)


class BaselineView:
    """Fixed baseline outputs (bicubic upsampling) named for the reference cache: computed once per machine."""

    def __init__(self, dataset: Any, name: str, images: np.ndarray):
        self.name, self.element_shape, self._images = f"{dataset.name}_{name}", dataset.element_shape, images

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self._images[:num]


class DomainView:
    """One domain of an unpaired dataset, as the reference images of image metrics (cached apart)."""

    def __init__(self, dataset: Any, domain: str):
        self.name, self.element_shape = f"{dataset.name}_{domain}", dataset.element_shape
        self._dataset, self._domain = dataset, domain

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self._dataset.domain_images(self._domain, split, num)


def score(ctx: EvalContext, name: str, source_key: str, truth_key: str, pairs: dict[str, np.ndarray]
          ) -> tuple[dict[str, Any], np.ndarray]:
    """Every figure of one translation (keys without the `<name>/` prefix), and its outputs."""
    dataset, c = ctx.exp.dataset, ctx.eval_config
    outputs = ctx.predictions[name](pairs[source_key])
    results: dict[str, Any] = {}
    bicubic = None
    if pairs.get("paired", True):
        results.update(fidelity(outputs, pairs[truth_key]))
        factor = pairs[truth_key].shape[1] // pairs[source_key].shape[1]
        if factor > 1:  # super-resolution: the bicubic upsampling it must beat
            bicubic = (transforms.upsample_bicubic(to_uint8(pairs[source_key]), factor) / 127.5 - 1.0
                       ).astype(np.float32)
            results.update({f"bicubic_{k}": v for k, v in fidelity(bicubic, pairs[truth_key]).items()})
        if truth_key in getattr(dataset, "edge_keys", ()):
            results.update(edge_scores(outputs, pairs[truth_key]))
    results["non_finite_outputs"] = int((~np.isfinite(outputs.reshape(len(outputs), -1)).all(axis=1)).sum())
    if not pairs.get("paired", True):  # no truth (horse2zebra): realism against the target domain's test images
        results.update(image_metrics.evaluate_images(outputs, DomainView(dataset, truth_key), c))
    elif truth_key == getattr(dataset, "real_key", None):
        results.update(image_metrics.evaluate_images(outputs, dataset, c))
        if "label" in pairs:
            results.update(class_accuracy(ctx, outputs, pairs[truth_key], pairs["label"]))
        if bicubic is not None:
            view = BaselineView(dataset, f"bicubic_x{factor}", bicubic)  # the key adds split and count
            baseline = image_metrics.evaluate_images(bicubic, dataset, c, samples_view=view)
            if "label" in pairs:
                baseline.update(class_accuracy(ctx, bicubic, pairs[truth_key], pairs["label"]))
            results.update({f"bicubic_{k}": v for k, v in baseline.items()
                            if k not in ("protocol", "truth_class_accuracy")})
    if pairs.get("paired", True) and truth_key in getattr(dataset, "key_domains", {}):
        results.update(domain_accuracy(ctx, outputs, pairs[truth_key], dataset.key_domains[truth_key]))
    truth = ("L1 on [0, 1], PSNR max 1, SSIM 11x11 sigma 1.5 (dm-pix); " if pairs.get("paired", True)
             else "no truth (unpaired test sets): realism only; ")
    if "edge_f1" in results:
        truth += (f"edges: output > mid-grey, matched within {EDGE_TOLERANCE} px (dilation), counts pooled "
                  "over images; ")
    results["protocol"] = (f"{len(outputs)} fixed '{c.reference_split}' examples of {dataset.name}: {source_key} -> "
                           f"{truth_key}; {truth}"
                           + results.pop("protocol", "no realism metric (the truth is not the real-image domain)"))
    return results, outputs


def _check(config: Any) -> None:
    from jaxgan.families import FAMILIES  # the families import evaluation's registries; import late

    if not getattr(FAMILIES.get(config.family.name), "translations", None):
        raise ValueError(f"Evaluator 'translation' scores image-to-image families (pix2pix, srgan, cyclegan); "
                         f"family {config.family.name!r} declares no translations.")
    image_metrics.parse_metrics(config.eval.metrics)


@EVALUATORS.register("translation", needs=(), check=_check)
def translation(ctx: EvalContext) -> EvalOutput:
    """Scores every translation of the family; see the module docstring."""
    dataset, c = ctx.exp.dataset, ctx.eval_config
    pairs = dataset.reference_pairs(c.reference_split, c.num_samples)
    out = EvalOutput({})
    for name, (source_key, truth_key) in ctx.exp.family.translations.items():
        results, outputs = score(ctx, name, source_key, truth_key, pairs)
        out.results.update({f"{name}/{k}": v for k, v in results.items()})
        if ctx.pictures:
            truth = pairs[truth_key] if pairs.get("paired", True) else None
            out.pictures[f"translation_{name}"] = picture(ctx, name, pairs[source_key], outputs, truth)
    return out
