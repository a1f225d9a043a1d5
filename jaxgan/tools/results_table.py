"""Turn runs' result.json files into a Markdown table beside the published numbers.

  python -m jaxgan.tools.results_table runs/table2d [--output experiments/README.md --marker TABLE_2D]

Rows are mean +- std over seeds of modes captured, % high-quality samples,
reverse KL and wall time. The std is the population std (numpy's default,
ddof=0), which the tables in experiments/README.md were made with; image_table's
`--seeds` rows give the sample std (ddof=1), larger by sqrt(n/(n-1)): 1.22x
at 3 seeds. Published rows come from ../shared/targets.md
(PacGAN Table 1, VEEGAN Table 1, GDPP Table 1) with their own protocols. With
--output, the table replaces the text between `<!-- MARKER -->` and
`<!-- /MARKER -->` in that file, so no number is typed by hand.
"""

from __future__ import annotations

import collections
import json

import numpy as np
from absl import app, flags
from etils import epath

from jaxgan.tools.markdown import replace_block
from jaxgan.tools.sweep_2d import RECIPES

FLAGS = flags.FLAGS


# (model, ring modes, ring %HQ, ring rKL, grid modes, grid %HQ, grid rKL, source); from ../shared/targets.md.
PUBLISHED = [
    ("GAN", "6.3±0.5", "98.2±0.2", "0.45", "17.3±0.8", "94.8±0.7", "0.70", "PacGAN Table 1"),
    ("ALI", "6.6±0.3", "97.6±0.4", "0.36", "24.1±0.4", "95.7±0.6", "0.14", "PacGAN Table 1"),
    ("PacGAN2", "7.9±0.1", "95.6±2.0", "0.07", "23.8±0.7", "91.3±0.8", "0.13", "PacGAN Table 1"),
    ("PacGAN4", "7.8±0.1", "95.9±1.4", "0.07", "24.8±0.2", "93.6±0.6", "0.04", "PacGAN Table 1"),
    ("Unrolled GAN (5)", "7.6", "35.6", "", "23.6", "16", "", "VEEGAN Table 1"),
    ("VEEGAN", "8", "52.9", "", "24.6", "40", "", "VEEGAN Table 1"),
    ("WGAN-GP", "6.8", "59.6", "", "24.2", "28.7", "", "GDPP Table 1"),
]


def _stat(values: list[float | None], fmt: str) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "n/a"
    text = f"{np.mean(vals):{fmt}}±{np.std(vals):{fmt}}" if len(vals) > 1 else f"{vals[0]:{fmt}}"
    return text + (f" ({len(vals)}/{len(values)})" if len(vals) < len(values) else "")


def load(root: epath.Path) -> dict[tuple[str, str], list[dict]]:
    runs = collections.defaultdict(list)
    for path in sorted(root.glob("*/*/seed*/result.json")):
        r = json.loads(path.read_text())
        runs[(r["recipe"], r["dataset"])].append(r)
    return runs


_SHORT = {"ring8": "ring", "grid25": "grid"}


def table(runs: dict[tuple[str, str], list[dict]], published: bool = True,
          datasets: tuple[str, ...] = ("ring8", "grid25")) -> str:
    """Markdown rows of mean±std per recipe, with columns for each of `datasets`."""
    order = list(RECIPES)
    recipes = sorted({k[0] for k in runs if k[1] in datasets},
                     key=lambda r: (order.index(r) if r in order else len(order), r))
    names = [_SHORT.get(d, d) for d in datasets]
    header = [f"{n} {col}" for n in names for col in ("modes", "%HQ", "rKL", "min")]
    header += [f"seeds ({'/'.join(names)})", f"steps ({'/'.join(names)})"]
    lines = ["| recipe (jaxgan) | " + " | ".join(header) + " |", "|---" * (len(header) + 1) + "|"]
    for recipe in recipes:
        cells, seeds, steps = [], [], []
        for dataset in datasets:
            rs = runs.get((recipe, dataset), [])
            seeds.append(str(len(rs)))
            steps.append("/".join(sorted({str(r["steps"]) for r in rs})) or "-")
            cells += [
                _stat([r["modes"] for r in rs], ".1f"),
                _stat([r["hq_percent"] for r in rs], ".1f"),
                _stat([r["reverse_kl"] for r in rs], ".2f"),
                _stat([r["wall_s"] / 60 for r in rs], ".1f"),
            ]
        lines.append(f"| {recipe} | " + " | ".join(cells) + f" | {'/'.join(seeds)} | {'/'.join(steps)} |")
    if not published or set(datasets) != {"ring8", "grid25"}:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "Published (their own setups; see ../shared/targets.md):",
        "",
        "| model | ring modes | ring %HQ | ring rKL | grid modes | grid %HQ | grid rKL | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in PUBLISHED]
    return "\n".join(lines) + "\n"


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("output", None, "Markdown file to update between markers (default: print).")
    flags.DEFINE_string("marker", "TABLE_2D", "Marker name in --output.")
    flags.DEFINE_bool("published", True, "Append the published rows (with both datasets).")
    flags.DEFINE_list("datasets", ["ring8", "grid25"], "Datasets to give columns to.")


def main(argv):
    if len(argv) != 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.results_table RUNS_DIR [--output FILE]")
    text = table(load(epath.Path(argv[1])), published=FLAGS.published, datasets=tuple(FLAGS.datasets))
    if FLAGS.output is None:
        print(text)
        return
    replace_block(FLAGS.output, FLAGS.marker, text)


if __name__ == "__main__":
    define_flags()
    app.run(main)
