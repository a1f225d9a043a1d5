"""One-class anomaly detection: AUROC, ROC curves, D's features, and the `anomaly` evaluator.

The protocol (Golan & El-Yaniv 2018; Ruff et al. 2018, 2020): a run trains on
the train images of its normal class(es) only (`data.classes`), then scores
the whole test split; the normal class's test images are negatives, every
other class's are anomalies (positives). Higher scores mean "more anomalous".
AUROC is the probability that a random anomaly scores above a random normal
image (ties count half), computed from ranks (Mann-Whitney U), with no
sklearn.

A family that can score images predicts `anomaly_scores(x) -> {name: [N]}`
(f-AnoGAN's izi_f score, the BiGAN detector's, D's own output) and names its
headline score in `anomaly_score`.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from jaxgan import visualize
from jaxgan.evaluation.evaluators import EVALUATORS, EvalContext, EvalOutput

PREDICTION = "anomaly_scores"


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of `values`, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    ranks = np.empty(len(values), np.float64)
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = (s + 1 + e) / 2.0
    return ranks


def _check(scores: np.ndarray, is_anomaly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores, is_anomaly = np.asarray(scores, np.float64).ravel(), np.asarray(is_anomaly, bool).ravel()
    if scores.shape != is_anomaly.shape:
        raise ValueError(f"{scores.shape[0]} scores for {is_anomaly.shape[0]} labels.")
    if is_anomaly.all() or not is_anomaly.any():
        raise ValueError("AUROC needs both normal and anomalous examples.")
    if not np.isfinite(scores).all():
        raise ValueError(f"{int((~np.isfinite(scores)).sum())} anomaly scores are not finite (a diverged run?).")
    return scores, is_anomaly


def auroc(scores: np.ndarray, is_anomaly: np.ndarray) -> float:
    """Area under the ROC curve of `scores` (higher = more anomalous) against the truth `is_anomaly`.

    The Mann-Whitney statistic U / (n_pos * n_neg) with average ranks for
    ties: 1 for a perfect score, 0.5 for a random one, 0 for an inverted one.
    """
    scores, is_anomaly = _check(scores, is_anomaly)
    ranks = _ranks(scores)
    n_pos, n_neg = int(is_anomaly.sum()), int((~is_anomaly).sum())
    u = ranks[is_anomaly].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def roc_curve(scores: np.ndarray, is_anomaly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) at every distinct threshold, from (0, 0) to (1, 1)."""
    scores, is_anomaly = _check(scores, is_anomaly)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], is_anomaly[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]
    tp, fp = np.cumsum(y)[last_of_tie], np.cumsum(~y)[last_of_tie]
    return np.r_[0.0, fp / fp[-1]], np.r_[0.0, tp / tp[-1]]


def roc_png(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = "") -> bytes:
    """A PNG of ROC curves, name -> (fpr, tpr); the legend gives each AUROC (trapezoids)."""
    import io

    plt = visualize.pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    for name, (fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, label=f"{name} ({100 * np.trapezoid(tpr, fpr):.1f})")
    ax.plot([0, 1], [0, 1], color="0.7", linestyle=":", linewidth=1)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", xlim=(0, 1), ylim=(0, 1.01), title=title)
    ax.legend(loc="lower right", fontsize=8, title="AUROC %", title_fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def one_class_split(exp: Any, num: int) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """The test images (the first `num` of the fixed reference choice), their labels, and the normal classes."""
    normal = tuple(getattr(exp.dataset, "classes", ()) or ())
    if not normal:
        raise ValueError("Anomaly scoring needs a one-class run: set data.classes to the normal class(es), e.g. "
                         "data.classes='3' (experiments/fanogan_fashion_mnist.py:3).")
    images, labels = exp.dataset.reference_examples("test", num)
    return images, labels, normal


def score_split(scores_fn: Callable[[np.ndarray], Mapping[str, np.ndarray]], images: np.ndarray,
                labels: np.ndarray, normal: tuple[int, ...]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every score of `images` and the truth (True = anomalous: a class outside `normal`)."""
    scores = {k: np.asarray(v, np.float64) for k, v in scores_fn(images).items()}
    return scores, ~np.isin(labels, normal)


def _check_evaluator(config: Any) -> None:
    if not str(config.data.get("classes", "")).strip():
        raise ValueError("Evaluator 'anomaly' scores a one-class run: set data.classes to the normal class.")


@EVALUATORS.register("anomaly", needs=(PREDICTION,), check=_check_evaluator)
def anomaly_evaluator(ctx: EvalContext) -> EvalOutput:
    """AUROC of every score of the family on the test split (`eval.num_samples` images; normal = data.classes)."""
    images, labels, normal = one_class_split(ctx.exp, ctx.eval_config.num_samples)
    scores, truth = score_split(ctx.predictions[PREDICTION], images, labels, normal)
    results = {f"anomaly/{name}_auroc": auroc(s, truth) for name, s in scores.items()}
    results["anomaly/num_test"] = len(truth)
    pictures = {}
    if ctx.pictures:
        curves = {name: roc_curve(s, truth) for name, s in scores.items()}
        pictures["roc"] = roc_png(curves, f"normal class {','.join(map(str, normal))}, step {int(ctx.state.step)}")
    return EvalOutput(results, pictures)
