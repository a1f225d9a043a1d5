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
    it, when it is not cached);
  - one-hot (RaFD-style) tasks only: `pair/<s>2<t>/l1` and
    `pair/<s>2<t>/domain_accuracy` for each ordered pair of domains, on the
    same fixed garments, each rendered in s and translated to t: exactly the
    inputs and truths a pairwise translator of that pair is scored on (the
    `translation` evaluator on `fashion_<c1>2<c2>`), and `pair_mean/l1`,
    `pair_mean/domain_accuracy`, their means over the pairs.

Datasets without a true translation (`reference_pairs` with `paired=False`:
CelebA, `jaxgan.data.celeba`) get what needs none: `reconstruction_l1`,
`non_finite_outputs`, and the attribute classifier on the translations, with
`real_domain_accuracy` (its accuracy on the real inputs) as the ceiling.

Picture (`attributes_translate`): one row per input: the input, then its
translation to each domain in `task.table` order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan import visualize
from jaxgan.evaluation.evaluators import EVALUATORS, EvalContext, EvalOutput
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor
from jaxgan.evaluation.translation import CLASSIFIER, attribute_classifier, fidelity

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


def load_classifier(ctx: EvalContext) -> dict[str, Any] | str:
    """The dataset's cached attribute classifier, or why it is missing (with the command that trains it)."""
    dataset = ctx.exp.dataset
    try:
        return attribute_classifier().load(dataset.name, dataset.task.num_domains, dataset.element_shape,
                                         ctx.eval_config.cache_dir)[0]
    except FileNotFoundError as e:
        return str(e)


def is_one_hot(table: np.ndarray) -> bool:
    """Whether every domain is one attribute (RaFD-style), so that pairs of domains are pairs of values."""
    return bool(np.all((table == 0) | (table == 1)) and np.all(table.sum(axis=1) == 1))


def by_pair(ctx: EvalContext, garments: np.ndarray) -> dict[str, Any]:
    """L1 and domain accuracy of every ordered pair's translations, each garment rendered in the source domain."""
    dataset, task, translate = ctx.exp.dataset, ctx.exp.dataset.task, ctx.predictions["translate"]
    params, names, n = load_classifier(ctx), task.domain_names(), len(garments)
    results: dict[str, Any] = {}
    for s in range(task.num_domains):
        source = dataset.truth(garments, np.full(n, s))
        for t in range(task.num_domains):
            if s != t:
                outputs, key = translate(source, np.full(n, t)), f"pair/{names[s]}2{names[t]}"
                results[f"{key}/l1"] = fidelity(outputs, dataset.truth(garments, np.full(n, t)))["l1"]
                if not isinstance(params, str):
                    predicted = attribute_classifier().predict_domains(params, outputs, task.num_domains)
                    results[f"{key}/domain_accuracy"] = float(np.mean(predicted == t))
    for metric in ("l1", "domain_accuracy"):
        values = [v for k, v in results.items() if k.endswith(f"/{metric}")]
        if values:
            results[f"pair_mean/{metric}"] = float(np.mean(values))
    return results


def attribute_accuracy(ctx: EvalContext, outputs: np.ndarray, targets: np.ndarray, reference: np.ndarray,
                       reference_domains: np.ndarray, reference_key: str = "truth_domain_accuracy") -> dict[str, Any]:
    """The attribute classifier on translations against their target domains, and on `reference` images.

    `reference` is the true renderings (paired tasks) or the real inputs with
    their own domains (CelebA: `real_domain_accuracy`): the classifier's own
    accuracy, the ceiling for the translations'.
    """
    task = ctx.exp.dataset.task
    params = load_classifier(ctx)
    if isinstance(params, str):
        return {"attribute_accuracy_skipped": params}
    predicted = attribute_classifier().predict_domains(params, outputs, task.num_domains)
    right = task.table[predicted] == task.table[targets]  # [N, attributes]
    results = {"domain_accuracy": float(np.mean(predicted == targets)), "attribute_accuracy": float(right.mean()),
               **{f"accuracy/{name}": float(right[:, i].mean()) for i, name in enumerate(task.attributes)}}
    reference_predicted = attribute_classifier().predict_domains(params, reference, task.num_domains)
    results[reference_key] = float(np.mean(reference_predicted == reference_domains))
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
    outputs_all, reconstruction = [], []
    for d in range(task.num_domains):
        outputs_all.append(translate(x, np.full(n, d)))
        reconstruction.append(np.abs(translate(outputs_all[-1], own) - x).mean(axis=(1, 2, 3)) / 2)
    outputs, targets = np.concatenate(outputs_all), np.repeat(np.arange(task.num_domains), n)
    results: dict[str, Any] = {}
    paired = pairs.get("paired", True)
    if paired:
        fidelity_results, truths = _against_truth(ctx, pairs, outputs_all)
        results.update(fidelity_results)
    results["reconstruction_l1"] = float(np.mean(np.concatenate(reconstruction)))
    results["non_finite_outputs"] = int((~np.isfinite(outputs.reshape(len(outputs), -1)).all(axis=1)).sum())
    if paired:
        results.update(attribute_accuracy(ctx, outputs, targets, truths, targets))
        if is_one_hot(task.table):
            results.update(by_pair(ctx, pairs["garment"]))
    else:
        results.update(attribute_accuracy(ctx, outputs, targets, x, own, "real_domain_accuracy"))
    kind = "garments" if paired else "images"
    truth = ("truth: the exact rendering; L1 on [0, 1], PSNR max 1, SSIM 11x11 sigma 1.5 (dm-pix)" if paired else
             "no true translation: attribute classifier and reconstruction L1 on [0, 1] only")
    results["protocol"] = (f"{n} fixed '{c.reference_split}' {kind} of {dataset.name}, each translated to all "
                           f"{task.num_domains} domains ({', '.join(task.domain_names())}); {truth}")
    out = EvalOutput(results)
    if ctx.pictures:
        rows = min(n, PICTURE_ROWS)
        grid = np.stack([x[:rows], *[o[:rows] for o in outputs_all]], axis=1)  # [rows, 1 + D, H, W, C]
        png = visualize.png_bytes(visualize.image_grid(grid.reshape(-1, *x.shape[1:]), task.num_domains + 1))
        out.pictures["attributes_translate"] = png
    return out


def _against_truth(ctx: EvalContext, pairs: dict, outputs_all: list[np.ndarray]) -> tuple[dict[str, Any], np.ndarray]:
    """Fidelity to the exact renderings (l1/psnr/ssim, changed_l1) and the garment class kept; and the renderings."""
    dataset, task = ctx.exp.dataset, ctx.exp.dataset.task
    own, n = pairs["domain"], len(pairs["x"])
    inverted_column = task.attributes.index("inverted") if "inverted" in task.attributes else None
    truths_all = [dataset.truth(pairs["garment"], np.full(n, d)) for d in range(task.num_domains)]
    per_domain = [fidelity(o, t) for o, t in zip(outputs_all, truths_all)]
    outputs, truths = np.concatenate(outputs_all), np.concatenate(truths_all)
    results: dict[str, Any] = {k: float(np.mean([r[k] for r in per_domain])) for k in ("l1", "psnr", "ssim")}
    per_image_l1 = np.abs(outputs - truths).mean(axis=(1, 2, 3)) / 2
    changed = np.concatenate([own != d for d in range(task.num_domains)])
    results["changed_l1"] = float(per_image_l1[changed].mean())
    inverted = np.repeat([bool(inverted_column is not None and row[inverted_column]) for row in task.table], n)
    results.update(class_accuracy(ctx, outputs, truths, inverted, np.tile(pairs["label"], task.num_domains)))
    return results, truths
