"""Turn the low-data augmentation study (`augment_f*_s*.json`) into a Markdown table: mean ± std over seeds.

  python -m jaxgan.tools.augment_table runs/augment [--output experiments/README.md --marker TABLE_AUGMENT]
  python -m jaxgan.tools.augment_table runs/cas --cas [--output experiments/README.md --marker TABLE_CAS]

With `--cas`, the table is of `python -m jaxgan.apps.cas --output` files
(`cas_*.json`), one row each: the real-data classifier's test accuracy, the
CAS (the same classifier trained on the run's samples only), their gap, and
the GAN-test (the real-data classifier on the samples).

One row per labelled fraction: test accuracy % of the classifier trained on
the subset, on the subset with flips and shifts, and on the subset plus GAN
samples, each as mean ± std over the seeds run; then the lift of the GAN arm
over each baseline (points, mean ± std of the per-seed differences); and the
minutes of the fastest run (the GAN's training plus the classifier arms): a run
that shared the machine, or was paused, only takes longer, so the fastest is
the figure that says what one run costs.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
from absl import app, flags
from etils import epath

from jaxgan.tools.markdown import define_output_flags, emit

# Column headers of the arms and lifts of `jaxgan.apps.augment`, in its order; a column shows when a run has it.
ARMS = {"subset": "subset", "subset+standard": "+ flips, shifts", "subset+gan": "+ GAN samples",
        "subset+standard+gan": "+ flips, shifts + GAN"}
LIFTS = {"lift_over_subset": "GAN lift over subset", "lift_over_standard": "GAN lift over flips, shifts",
         "standard_gan_lift_over_standard": "flips, shifts + GAN: lift over flips, shifts"}
FLAGS = flags.FLAGS


def _cell(values: list[float]) -> str:
    if not values:
        return "–"
    v = 100 * np.asarray(values)
    return f"{v.mean():.2f} ± {v.std():.2f}" if len(v) > 1 else f"{v[0]:.2f}"


def _gan_setting(r: dict) -> tuple:
    return r.get("synthetic_ratio"), r.get("temperature")


def table(results: list[dict]) -> str:
    """One row per labelled share; ValueError if the runs of one share sampled the GAN differently."""
    by_fraction: dict[float, list[dict]] = defaultdict(list)
    for r in results:
        by_fraction[r["fraction"]].append(r)
    arms = [a for a in ARMS if any(a in r["accuracy"] for r in results)]
    lifts = [k for k in LIFTS if any(k in r for r in results)]
    headers = ["labelled", "images", "seeds", *(ARMS[a] for a in arms), *(LIFTS[k] for k in lifts), "min/run"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for fraction in sorted(by_fraction):
        rs = by_fraction[fraction]
        if len({_gan_setting(r) for r in rs}) > 1:
            raise ValueError(f"The {100 * fraction:g}% runs sampled the GAN with different (synthetic_ratio, "
                             f"temperature): {sorted({_gan_setting(r) for r in rs}, key=str)}; tabulate each "
                             "setting's directory on its own.")
        cells = [_cell([r["accuracy"][a] for r in rs if a in r["accuracy"]]) for a in arms]
        cells += [_cell([r[k] for r in rs if k in r]) for k in lifts]
        seconds = [(r.get("gan_train_wall_s") or 0) + r["seconds"] for r in rs if "seconds" in r]
        minutes = f"{np.min(seconds) / 60:.0f}" if seconds else "–"
        lines.append(f"| {100 * fraction:g}% | {rs[0]['num_labelled']} | {len(rs)} | {' | '.join(cells)} | {minutes} |")
    ratio, temperature = _gan_setting(results[0])
    setting = f" GAN samples: {ratio:g} per real image, latent temperature {temperature:g}." if ratio is not None else ""
    return "\n".join(lines) + (f"\n\nProtocol: {results[0]['protocol']} (the first run's; the others differ only "
                                f"in the labelled share, the subset and the seeds).{setting}\n")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}"


def cas_table(results: dict[str, dict]) -> str:
    """One row per CAS result (name: its file's stem): real-data accuracy, CAS, the gap, GAN-test, minutes."""
    lines = ["| run | step | classifier on real data | CAS (trained on samples only) | CAS − real | GAN-test "
             "| samples | min |", "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        real, cas = r.get("real_accuracy"), r["cas"]
        gap = "–" if real is None else f"{100 * (cas - real):+.2f}"
        lines.append(f"| {name} | {r['step']} | {_percent(real)} | {_percent(cas)} | {gap} | "
                     f"{_percent(r['gan_test'])} | {r['num_samples']} | {r['seconds'] / 60:.0f} |")
    first = next(iter(results.values()))
    return "\n".join(lines) + f"\n\nProtocol: {first['protocol']} (the first row's). Test accuracy %; min: scoring only.\n"


def main(argv):
    if len(argv) != 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.augment_table RUNS_DIR [--cas] [--output FILE --marker NAME]")
    pattern = "cas_*.json" if FLAGS.cas else "augment_f*_s*.json"
    paths = sorted(epath.Path(argv[1]).glob(pattern))
    if not paths:
        how = "python -m jaxgan.apps.cas --output" if FLAGS.cas else "python -m jaxgan.tools.augment_sweep"
        raise app.UsageError(f"No {pattern} in {argv[1]}: run {how} first.")
    if FLAGS.cas:
        emit(cas_table({p.stem: json.loads(p.read_text()) for p in paths}))
    else:
        emit(table([json.loads(p.read_text()) for p in paths]))


if __name__ == "__main__":
    define_output_flags("TABLE_AUGMENT")
    flags.DEFINE_bool("cas", False, "Tabulate the cas_*.json files of jaxgan.apps.cas instead.")
    app.run(main)
