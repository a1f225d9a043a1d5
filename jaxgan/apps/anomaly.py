"""Score a one-class run's test split for anomaly detection: per-image scores, AUROC, a ROC plot.

    python -m jaxgan.apps.anomaly --workdir runs/anomaly/fanogan_c3 [--output F.json] [--step N] [--num_test 10000]

The protocol (`jaxgan.evaluation.anomaly`): the run trained on its normal
class(es) only (`data.classes`); every test image is scored, the normal
class's are negatives and the rest anomalies; AUROC per score (higher =
more anomalous). The run's family must predict `anomaly_scores`: `fanogan`
(izi_f score, its terms, and -D(x)) or `ali` (the BiGAN detector, its terms,
and -D(x, E(x))).

Writes F.json (default `<workdir>/anomaly.json`: AUROC of every score, the
headline score's, the protocol, the training wall time), F_scores.npz (the
test labels and every per-image score) and F_roc.png (every score's ROC).
Scoring is deterministic: eval-mode networks on fixed test images.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from absl import flags
from etils import epath

from jaxgan import cli, experiment, layout, sampling
from jaxgan.config import ConfigError
from jaxgan.evaluation import anomaly
from jaxgan.families import FAMILIES

FLAGS = flags.FLAGS
DEFAULT_OUTPUT = "anomaly.json"
TEST_IMAGES = 10_000


def scoring_families() -> list[str]:
    """Families whose trained networks can score images."""
    return [n for n in FAMILIES.names() if anomaly.PREDICTION in FAMILIES.get(n).predicts]


def check_run(exp: Any, workdir: str) -> tuple[int, ...]:
    """The run's normal classes, or ConfigError saying why it cannot be scored."""
    name = exp.config.family.name
    if anomaly.PREDICTION not in exp.family.predicts:
        raise ConfigError(f"{workdir} is a {name!r} run, which cannot score images for anomalies (it has no encoder "
                          f"to invert G). Families that can: {', '.join(scoring_families())} "
                          f"(experiments/fanogan_fashion_mnist.py, experiments/bigan_anomaly_fashion_mnist.py).")
    normal = tuple(getattr(exp.dataset, "classes", ()) or ())
    if not normal:
        raise ConfigError(f"{workdir} trained on every class (data.classes=''): one-class scoring needs a run "
                          f"trained on its normal class only, e.g. --config.data.classes=3.")
    return normal


def score(workdir: str, step: int | None = None, num_test: int = TEST_IMAGES) -> tuple[dict[str, Any], dict]:
    """(results, per-image arrays) of the run in `workdir` at `step` (None: its latest checkpoint)."""
    start = time.time()
    exp, state = experiment.restore(workdir, step)
    normal = check_run(exp, workdir)
    images, labels, _ = anomaly.one_class_split(exp, num_test)
    predictions = sampling.predictions(exp.family, state)
    scores, truth = anomaly.score_split(predictions[anomaly.PREDICTION], images, labels, normal)
    aurocs = {name: anomaly.auroc(s, truth) for name, s in scores.items()}
    headline = exp.family.anomaly_score
    final = epath.Path(workdir) / layout.FINAL_EVAL_FILE
    wall = json.loads(final.read_text()).get("wall_s") if final.exists() else None
    results = {
        "workdir": str(workdir), "family": exp.config.family.name, "step": int(state.step),
        "normal_classes": list(normal), "score": headline, "auroc": aurocs[headline], "aurocs": aurocs,
        "per_class_auroc": per_class_auroc(scores[headline], labels, normal),
        "num_test": int(len(truth)), "num_anomalous": int(truth.sum()), "train_wall_s": wall,
        "protocol": (f"one-class {exp.config.data.name}: trained on the train images of class(es) "
                     f"{','.join(map(str, normal))} only; scored the {len(truth)} test images (normal: those "
                     f"classes, anomalous: the others); AUROC (ranks, ties half) of each score, higher = more "
                     f"anomalous; headline score {headline!r}"),
        "seconds": round(time.time() - start, 1),
    }
    return results, {"labels": labels, "is_anomaly": truth, **{f"score_{k}": v for k, v in scores.items()}}


def per_class_auroc(scores: np.ndarray, labels: np.ndarray, normal: tuple[int, ...]) -> dict[str, float]:
    """AUROC of the normal test images against each anomalous class alone: which classes the score misses."""
    is_normal = np.isin(labels, normal)
    out = {}
    for k in sorted(set(labels.tolist()) - set(normal)):
        keep = is_normal | (labels == k)
        out[str(k)] = anomaly.auroc(scores[keep], labels[keep] == k)
    return out


def write(results: dict[str, Any], arrays: dict[str, np.ndarray], output: epath.Path) -> None:
    """F.json, F_scores.npz and F_roc.png."""
    stem = output.parent / output.stem
    curves = {k.removeprefix("score_"): anomaly.roc_curve(v, arrays["is_anomaly"])
              for k, v in arrays.items() if k.startswith("score_")}
    title = f"{results['family']}, normal class {','.join(map(str, results['normal_classes']))}, step {results['step']}"
    epath.Path(f"{stem}_roc.png").write_bytes(anomaly.roc_png(curves, title))
    with epath.Path(f"{stem}_scores.npz").open("wb") as f:
        np.savez(f, **arrays)
    output.write_text(json.dumps(results, indent=2) + "\n")


def define_flags() -> None:
    flags.DEFINE_string("workdir", None, "A one-class run of a family that scores images (fanogan, ali).")
    flags.DEFINE_string("output", None, f"The .json to write (default <workdir>/{DEFAULT_OUTPUT}); "
                                        "_scores.npz and _roc.png are written beside it.")
    flags.DEFINE_integer("step", None, "Checkpoint to score (default: the latest).", lower_bound=0)
    flags.DEFINE_integer("num_test", TEST_IMAGES, "Test images scored (all of the split when larger).", lower_bound=2)
    flags.mark_flags_as_required(["workdir"])


def main(argv: list[str]) -> None:
    del argv
    output = epath.Path(FLAGS.output or epath.Path(FLAGS.workdir) / DEFAULT_OUTPUT)
    if output.suffix != ".json":
        raise flags.ValidationError(f"--output must end in .json (it is written as JSON), got {output.name!r}.")
    results, arrays = score(FLAGS.workdir, FLAGS.step, FLAGS.num_test)
    output.parent.mkdir(parents=True, exist_ok=True)
    write(results, arrays, output)
    print(json.dumps({k: v for k, v in results.items() if k != "per_class_auroc"}, indent=2))


if __name__ == "__main__":
    define_flags()
    cli.run(main)
