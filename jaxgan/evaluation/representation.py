"""Evaluators of inference networks (ALI/BiGAN): reconstructions G(E(x)) and linear probes on E(x).

Both read held-out real examples (`dataset.reference_examples`): the `test`
split of image datasets, fixed points of 2-D mixtures.

- `reconstruction` (needs `reconstruct`): RMSE of G(E(x)) to x; on 2-D
  mixtures, the percentage of reconstructions whose nearest mode is x's own;
  on labelled images, the accuracy of `eval.extractor` (a classifier, e.g.
  `fashion_mnist_classifier`) on G(E(x)) against x's label, beside its
  accuracy on x itself. Picture: rows of x above rows of G(E(x)).
- `linear_probe` (needs `encode`): multinomial logistic regression trained on
  the codes of the train split and tested on the test split, beside the same
  probe on raw pixels and on the run's untrained (step-0) encoder, so the
  number means something.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxgan import sampling, visualize
from jaxgan.evaluation import linear_probe
from jaxgan.evaluation.evaluators import EVALUATORS, EvalContext, EvalOutput
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor

HELD_OUT_SPLIT = "test"
PICTURE_ROWS = 4  # pairs of rows (x above G(E(x))) in the reconstruction picture


def _held_out(ctx: EvalContext, split: str, num: int) -> tuple[np.ndarray, np.ndarray]:
    return ctx.exp.dataset.reference_examples(split, num)


def _mode_agreement(x: np.ndarray, recon: np.ndarray, means: np.ndarray) -> float:
    nearest = lambda p: np.argmin(((p[:, None, :] - means[None]) ** 2).sum(-1), axis=1)  # noqa: E731
    return float(100.0 * np.mean(nearest(x) == nearest(recon)))


def _classifier_accuracy(ctx: EvalContext, x: np.ndarray, recon: np.ndarray, labels: np.ndarray) -> dict:
    try:
        extractor = build_extractor(ctx.eval_config.extractor, ctx.eval_config)
    except ExtractorUnavailable as e:
        return {"reconstruction/skipped": str(e)}
    if not extractor.num_classes:
        return {}
    accuracy = lambda images: float(np.mean(np.argmax(extractor(images)["probs"], -1) == labels))  # noqa: E731
    return {f"reconstruction/{extractor.name}/accuracy": accuracy(recon),
            f"reconstruction/{extractor.name}/real_accuracy": accuracy(x)}


def _picture(ctx: EvalContext, x: np.ndarray, recon: np.ndarray) -> bytes:
    exp, cols = ctx.exp, sampling.GRID_COLUMNS
    if x.ndim != 4:
        return visualize.samples_png(recon, exp.dataset, f"{exp.dataset.name} step {int(ctx.state.step)} (G(E(x)))")
    n = min(len(x) // cols, PICTURE_ROWS) * cols
    rows = [part for i in range(0, n, cols) for part in (x[i : i + cols], recon[i : i + cols])]
    return visualize.samples_png(np.concatenate(rows), exp.dataset,
                                 f"{exp.dataset.name} step {int(ctx.state.step)}: x above G(E(x))", cols)


@EVALUATORS.register("reconstruction", needs=("reconstruct",))
def reconstruction(ctx: EvalContext) -> EvalOutput:
    """Scores G(E(x)) on `eval.num_samples` held-out examples; see the module docstring."""
    x, labels = _held_out(ctx, HELD_OUT_SPLIT, ctx.eval_config.num_samples)
    recon = ctx.predictions["reconstruct"](x)
    results: dict[str, Any] = {"reconstruction/rmse": float(np.sqrt(np.mean((recon - x) ** 2)))}
    dataset = ctx.exp.dataset
    if hasattr(dataset, "means"):
        results["reconstruction/same_mode_percent"] = _mode_agreement(x, recon, dataset.means)
    elif dataset.num_classes:
        results.update(_classifier_accuracy(ctx, x, recon, labels))
    results["reconstruction/protocol"] = (f"{len(x)} held-out examples of {dataset.name} '{HELD_OUT_SPLIT}'; "
                                          "G(E(x)) with the family's encode(x): the code, its mean or E(x, 0)")
    return EvalOutput(results, {"reconstructions": _picture(ctx, x, recon)} if ctx.pictures else {})


@EVALUATORS.register("linear_probe", needs=("encode",))
def probe(ctx: EvalContext) -> EvalOutput:
    """Linear-probe accuracy of E(x), raw pixels and the step-0 encoder; see the module docstring."""
    num = ctx.eval_config.reference_num_samples
    (train_x, train_y), (test_x, test_y) = (_held_out(ctx, s, num) for s in ("train", HELD_OUT_SPLIT))
    num_classes = ctx.exp.dataset.num_classes or len(getattr(ctx.exp.dataset, "means", ()))
    if num_classes < 2 or len(np.unique(train_y)) < 2:
        return EvalOutput({"probe/skipped": f"{ctx.exp.dataset.name} has no class labels (or modes) to probe"})
    untrained = sampling.predictions(ctx.exp.family, ctx.exp.init_state(), use_ema=False)["encode"]
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    features = {"encoder": ctx.predictions["encode"], "pixels": flat, "untrained_encoder": untrained}
    results: dict[str, Any] = {}
    for name, fn in features.items():
        results[f"probe/{name}_accuracy"] = linear_probe.probe_accuracy(
            np.asarray(fn(train_x)), train_y, np.asarray(fn(test_x)), test_y, num_classes)
    results["probe/protocol"] = (f"softmax regression (L-BFGS, standardised features) trained on {len(train_x)} "
                                 f"'train' examples, tested on {len(test_x)} '{HELD_OUT_SPLIT}' examples")
    return EvalOutput(results)
