"""The `attributes` evaluator: multi-domain translations (StarGAN's `translate`) scored against their exact truth.

On `eval.num_samples` fixed garments of `eval.reference_split`
(`dataset.reference_pairs`, attributed datasets of `jaxgan.data.attributed`),
each translated to every domain of the dataset's task:
  - `l1`, `psnr`, `ssim`: against the true rendering of the same garment in the
    target domain (dm-pix, on [0, 1]), means over images and target domains;
    `changed_l1`: the same L1 over the targets that differ from the source's
    own domain (translations that must change something);
  - `reconstruction_l1`: |x - G(G(x, c), c_x)| on [0, 1], StarGAN's cycle;
  - `class_accuracy`: the Fashion-MNIST classifier on each translation drawn
    back to plain grayscale (the colour channel; un-inverted when the target is
    inverted; bold stays), against the source garment's class, beside
    `truth_class_accuracy`, its accuracy on the true renderings drawn back the
    same way.
  - `domain_accuracy`, `attribute_accuracy` (and `accuracy/<attribute>`): how
    often the attribute classifier (`jaxgan.evaluation.attribute_classifier`,
    trained on real renderings) sees the target domain / each target
    attribute in the translations, beside `truth_domain_accuracy`, its
    accuracy on the true renderings (skipped, with the command that trains
    it, when it is not cached).

Picture (`attributes_translate`): one row per input: the input, then its
translation to each domain in `task.table` order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan import visualize
from jaxgan.evaluation import attribute_classifier
from jaxgan.evaluation.evaluators import EVALUATORS, EvalContext, EvalOutput
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor
from jaxgan.evaluation.translation import CLASSIFIER, fidelity

PICTURE_ROWS = 6


def to_gray(images: np.ndarray, inverted: np.ndarray) -> np.ndarray:
    """RGB renderings in [-1, 1] -> grayscale `[N, H, W, 1]`: the brightest channel, un-inverted where `inverted`."""
    gray = np.max(images, axis=-1, keepdims=True)
    return np.where(np.asarray(inverted, bool)[:, None, None, None], -gray, gray)


def class_accuracy(ctx: EvalContext, outputs: np.ndarray, truth: np.ndarray, inverted: np.ndarray,
                   labels: np.ndarray) -> dict[str, Any]:
    try:
        extractor = build_extractor(CLASSIFIER, ctx.eval_config)
    except ExtractorUnavailable as e:
        return {"class_accuracy_skipped": str(e)}
    accuracy = lambda x: float(np.mean(np.argmax(extractor(to_gray(x, inverted))["probs"], -1) == labels))  # noqa
    return {"class_accuracy": accuracy(outputs), "truth_class_accuracy": accuracy(truth)}


def attribute_accuracy(ctx: EvalContext, outputs: np.ndarray, truth: np.ndarray, targets: np.ndarray
                       ) -> dict[str, Any]:
    """The attribute classifier on translations (and on the truths) against the target domains."""
    dataset = ctx.exp.dataset
    task = dataset.task
    try:
        params, _ = attribute_classifier.load(dataset.name, task.num_domains, dataset.element_shape,
                                              ctx.eval_config.cache_dir)
    except FileNotFoundError as e:
        return {"attribute_accuracy_skipped": str(e)}
    predicted = attribute_classifier.predict_domains(params, outputs, task.num_domains)
    right = task.table[predicted] == task.table[targets]  # [N, attributes]
    results = {"domain_accuracy": float(np.mean(predicted == targets)), "attribute_accuracy": float(right.mean()),
               **{f"accuracy/{name}": float(right[:, i].mean()) for i, name in enumerate(task.attributes)}}
    truth_predicted = attribute_classifier.predict_domains(params, truth, task.num_domains)
    results["truth_domain_accuracy"] = float(np.mean(truth_predicted == targets))
    return results


def _check(config: Any) -> None:
    from jaxgan.families import FAMILIES  # the families import evaluation's registries; import late

    if not getattr(FAMILIES.get(config.family.name), "domain_translation", False):
        raise ValueError(f"Evaluator 'attributes' scores multi-domain translation (family 'stargan'); family "
                         f"{config.family.name!r} is not one. Use 'translation' for image-to-image families.")


@EVALUATORS.register("attributes", needs=("translate",), check=_check)
def attributes(ctx: EvalContext) -> EvalOutput:
    """Scores `translate` to every domain; see the module docstring."""
    dataset, c = ctx.exp.dataset, ctx.eval_config
    task = dataset.task
    pairs = dataset.reference_pairs(c.reference_split, c.num_samples)
    x, own, n = pairs["x"], pairs["domain"], len(pairs["x"])
    translate = ctx.predictions["translate"]
    inverted_column = task.attributes.index("inverted") if "inverted" in task.attributes else None
    per_domain, outputs_all, truths_all, inverted_all, changed = [], [], [], [], []
    reconstruction = []
    for d in range(task.num_domains):
        target = np.full(n, d)
        outputs = translate(x, target)
        truth = dataset.truth(pairs["garment"], target)
        per_domain.append(fidelity(outputs, truth))
        changed.append(own != d)
        reconstruction.append(np.abs(translate(outputs, own) - x).mean(axis=(1, 2, 3)) / 2)
        outputs_all.append(outputs)
        truths_all.append(truth)
        inverted_all.append(np.full(n, bool(inverted_column is not None and task.table[d][inverted_column])))
    outputs, truths = np.concatenate(outputs_all), np.concatenate(truths_all)
    results: dict[str, Any] = {k: float(np.mean([r[k] for r in per_domain])) for k in ("l1", "psnr", "ssim")}
    per_image_l1 = np.abs(outputs - truths).mean(axis=(1, 2, 3)) / 2
    results["changed_l1"] = float(per_image_l1[np.concatenate(changed)].mean())
    results["reconstruction_l1"] = float(np.mean(np.concatenate(reconstruction)))
    results["non_finite_outputs"] = int((~np.isfinite(outputs.reshape(len(outputs), -1)).all(axis=1)).sum())
    results.update(class_accuracy(ctx, outputs, truths, np.concatenate(inverted_all), np.tile(pairs["label"],
                                                                                               task.num_domains)))
    results.update(attribute_accuracy(ctx, outputs, truths, np.repeat(np.arange(task.num_domains), n)))
    results["protocol"] = (f"{n} fixed '{c.reference_split}' garments of {dataset.name}, each translated to all "
                           f"{task.num_domains} domains ({', '.join(task.domain_names())}); truth: the exact "
                           f"rendering; L1 on [0, 1], PSNR max 1, SSIM 11x11 sigma 1.5 (dm-pix)")
    out = EvalOutput(results)
    if ctx.pictures:
        rows = min(n, PICTURE_ROWS)
        grid = np.stack([x[:rows], *[o[:rows] for o in outputs_all]], axis=1)  # [rows, 1 + D, H, W, C]
        png = visualize.png_bytes(visualize.image_grid(grid.reshape(-1, *x.shape[1:]), task.num_domains + 1))
        out.pictures["attributes_translate"] = png
    return out
