"""Turn one-class anomaly runs (`anomaly.json` files) into a Markdown AUROC table beside the published rows.

  python -m jaxgan.tools.anomaly_table runs/anomaly [--output experiments/README.md --marker TABLE_ANOMALY]

One row per (detector, score): the AUROC % of each normal class (the mean
over the seeds run), the mean over the classes run (± the std over classes,
as Deep SAD reports it), how many runs and the mean training wall time of
one run. A class not run yet shows "–", and the mean then covers fewer than
10 classes, which the row says. Published rows (same protocol) come from
../shared/targets.md.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
from absl import app
from etils import epath

from jaxgan.tools.markdown import define_output_flags, emit

NUM_CLASSES = 10
# (method, mean, per class 0-9 or None, source); from ../shared/targets.md.
PUBLISHED = [
    ("GeoTrans", "93.5", (99.4, 97.6, 91.1, 89.9, 92.1, 93.4, 83.3, 98.9, 90.8, 99.2),
     "Golan & El-Yaniv 2018, as quoted by later tables"),
    ("ARNet", "93.9", None, "Huang et al. 2019, as quoted"),
    ("Deep SAD, unsupervised (γ = 0)", "89.2 ± 6.2", None, "Ruff et al. 2020"),
]
# (family, score) -> the row's name.
SCORE_NAMES = {
    ("fanogan", "izi_f"): "f-AnoGAN, izi_f score",
    ("fanogan", "image_residual"): "f-AnoGAN, image residual only",
    ("fanogan", "feature_residual"): "f-AnoGAN, D-feature residual only",
    ("fanogan", "critic"): "WGAN-GP critic, -D(x) (naive baseline)",
    ("ali", "bigan"): "BiGAN detector (Zenati et al.), w 0.1",
    ("ali", "image_l1"): "BiGAN, image L1 only (w 0)",
    ("ali", "feature_l1"): "BiGAN, D-feature L1 only (w 1)",
    ("ali", "critic"): "BiGAN D, -D(x, E(x)) (naive baseline)",
}


def load_runs(root: epath.Path) -> list[dict]:
    """Every `<run>/anomaly.json` in `root` (one per run directory)."""
    return [json.loads(p.read_text()) for p in sorted(root.glob("*/anomaly.json"))]


def rows(runs: list[dict]) -> dict[tuple[str, str], dict]:
    """(family, score) -> {"per_class": {k: [aurocs over seeds]}, "wall": [train seconds]}."""
    out: dict[tuple[str, str], dict] = defaultdict(lambda: {"per_class": defaultdict(list), "wall": []})
    for r in runs:
        if len(r["normal_classes"]) != 1:
            continue  # several normal classes: another protocol
        k = r["normal_classes"][0]
        for score, value in r["aurocs"].items():
            if (r["family"], score) in SCORE_NAMES:
                row = out[(r["family"], score)]
                row["per_class"][k].append(value)
                if r.get("train_wall_s") is not None:
                    row["wall"].append(r["train_wall_s"])
    return out


def table(runs: list[dict]) -> str:
    """The Markdown table of `runs` and the published rows."""
    head = "| method | " + " | ".join(str(k) for k in range(NUM_CLASSES)) + " | mean | runs | train min/run |"
    lines = [head, "|---" * (NUM_CLASSES + 4) + "|"]
    for key in [k for k in SCORE_NAMES if k in (data := rows(runs))]:
        row = data[key]
        means = {k: 100 * float(np.mean(v)) for k, v in row["per_class"].items()}
        cells = [f"{means[k]:.1f}" if k in means else "–" for k in range(NUM_CLASSES)]
        values = list(means.values())
        mean = f"{np.mean(values):.1f} ± {np.std(values):.1f}" + ("" if len(values) == NUM_CLASSES
                                                                  else f" ({len(values)} of 10 classes)")
        runs_count = sum(len(v) for v in row["per_class"].values())
        wall = f"{np.mean(row['wall']) / 60:.0f}" if row["wall"] else "?"
        lines.append(f"| {SCORE_NAMES[key]} | {' | '.join(cells)} | {mean} | {runs_count} | {wall} |")
    for name, mean, per_class, source in PUBLISHED:
        cells = [f"{v:.1f}" for v in per_class] if per_class else [""] * NUM_CLASSES
        lines.append(f"| {name} (published: {source}) | {' | '.join(cells)} | {mean} | | |")
    tested = sorted({r["num_test"] for r in runs})
    return "\n".join(lines) + (
        f"\n\nProtocol of jaxgan's rows: each run trains on the train images of its normal class only and scores "
        f"{'/'.join(map(str, tested))} test images (its class normal, the others anomalous); AUROC % from ranks, "
        f"ties half; the mean over seeds per class; `runs`: how many runs; train min/run: training wall time, "
        f"evaluations included (`python -m jaxgan.apps.anomaly` for each run's scores and ROC).\n")


def main(argv):
    if len(argv) != 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.anomaly_table RUNS_DIR [--output FILE --marker NAME]")
    runs = load_runs(epath.Path(argv[1]))
    if not runs:
        raise app.UsageError(f"No anomaly.json under {argv[1]}: score runs first (python -m jaxgan.apps.anomaly).")
    text = table(runs)
    emit(text)


if __name__ == "__main__":
    define_output_flags("TABLE_ANOMALY")
    app.run(main)
