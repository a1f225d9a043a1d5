"""StarGAN against pairwise translators, translation by translation: the Markdown table of StarGAN's claim.

  python -m jaxgan.tools.pairwise_table --stargan runs/stargan_colours_s0 \
      runs/cyclegan_red2green_s0 runs/cyclegan_red2blue_s0 runs/cyclegan_green2blue_s0 \
      [--output experiments/README.md --marker TABLE_STARGAN] [--keep experiments/results]

Choi et al. 2018 (Table 3, RaFD) compare one StarGAN with one CycleGAN per
pair of domains. Each row here is one ordered pair of domains (`red2green`):
StarGAN's `pair/<s>2<t>/...` figures (the `attributes` evaluator on a one-hot
task) beside those of the pairwise run that covers the pair (the
`translation` evaluator on `fashion_<c1>2<c2>`: `translate_ab` is c1 -> c2,
`translate_ba` c2 -> c1). Both are scored on the same fixed test garments,
rendered in the source domain, with the same attribute classifier, so the
columns compare cell by cell. The last row averages over the pairs that a
pairwise run covers (the others have no baseline yet), and the parameter
counts say what each side needs for those pairs: one StarGAN G for every
domain, two CycleGAN Gs per pair of domains. Every number is read from the
runs' `eval_final.json` and their networks' shapes; none is typed. `--keep
DIR` saves each run's figures and generator size as `DIR/<run>.json`, which
the tool reads in place of the workdir later (a run outlives its machine).
The file is `image_table`'s kept row plus `generator_params`, so both tools
read it; run `image_table --keep` first, since it rewrites the row without
the generator size.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import jax
import numpy as np
from absl import app, flags
from etils import epath

from jaxgan import cli
from jaxgan.layout import FINAL_EVAL_FILE
from jaxgan.tools.image_table import KEPT, keep, load_run  # kept runs are written the same way by both tools
from jaxgan.tools.markdown import define_output_flags, emit

FLAGS = flags.FLAGS
_PAIR_DATASET = re.compile(r"^fashion_([a-z]+)2([a-z]+)$")
# (column heading, result key): StarGAN's `pair/<s>2<t>/<key>`, a pairwise run's `translate_ab/<key>`.
MEASURES = (("L1 to the truth", "l1"), ("target colour seen (attribute classifier)", "domain_accuracy"))


def load(arg: str | epath.Path) -> dict[str, Any]:
    """A run as image_table's row plus `generator_params`: from its workdir, or kept with --keep.

    Both tools keep runs in one format (image_table's row), so a row kept by either is read by both.
    """
    path = epath.Path(arg)
    if str(arg).endswith(".json"):
        run = json.loads(path.read_text())
        if not isinstance(run, dict) or KEPT not in run or "generator_params" not in run:
            raise ValueError(f"{path} is not a run kept by python -m jaxgan.tools.pairwise_table --keep (it needs "
                             "the generator size, which image_table does not keep); pass the run's workdir.")
        return run
    return {**load_run(path), "generator_params": generator_params(path)}


def generator_params(workdir: epath.Path) -> int:
    """Parameters of the run's generator group (from the networks' shapes; nothing is restored)."""
    from jaxgan import experiment  # JAX and the data stack load only when a table is made

    exp = experiment.build(experiment.load_config(workdir))
    params = jax.eval_shape(exp.init_state).params
    return sum(math.prod(leaf.shape) for role in exp.family.groups()["g"] for leaf in jax.tree.leaves(params[role]))


def pairwise_rows(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`{"red2green": {"l1": .., "domain_accuracy": .., "run": name}, ...}` of one pairwise run (both directions)."""
    match = _PAIR_DATASET.match(run["dataset"])
    if not match:
        raise ValueError(f"{run['name']} trained on {run['dataset']!r}, not a colour pair (fashion_<c1>2<c2>); pass "
                         "pairwise runs of experiments/cyclegan_colours_fashion_mnist.py.")
    c1, c2 = match.groups()
    return {pair: {key: run.get(f"{name}/{key}") for _, key in MEASURES} | {"run": run["name"]}
            for pair, name in ((f"{c1}2{c2}", "translate_ab"), (f"{c2}2{c1}", "translate_ba"))}


def table(stargan: dict[str, Any], pairwise: list[dict[str, Any]]) -> str:
    """The table of a StarGAN run against pairwise runs (each as `load` returns it)."""
    star = stargan
    pairs = sorted({k.split("/")[1] for k in star if k.startswith("pair/")})
    if not pairs:
        raise ValueError(f"{stargan['name']}'s {FINAL_EVAL_FILE} has no pair/<s>2<t>/ figures: train StarGAN on a "
                         "one-hot task (stargan_attributed_fashion_mnist.py:colours), or rescore it with python -m "
                         f"jaxgan.evaluate --workdir W --output W/{FINAL_EVAL_FILE}.")
    base = {pair: row for run in pairwise for pair, row in pairwise_rows(run).items()}
    header = " | ".join(f"{col}: StarGAN | {col}: pairwise" for col, _ in MEASURES)
    lines = [f"| translation | {header} | pairwise run |", "|---" * (2 + 2 * len(MEASURES)) + "|"]
    for pair in pairs:
        row = base.get(pair, {})
        cells = " | ".join(f"{_cell(star.get(f'pair/{pair}/{key}'))} | {_cell(row.get(key))}" for _, key in MEASURES)
        lines.append(f"| {pair} | {cells} | {row.get('run', 'not run yet')} |")
    covered = [p for p in pairs if p in base]
    if covered:
        cells = " | ".join(f"**{_cell(_mean([star.get(f'pair/{p}/{key}') for p in covered]))}** | "
                           f"**{_cell(_mean([base[p].get(key) for p in covered]))}**" for _, key in MEASURES)
        lines.append(f"| mean over the {len(covered)} translations with a pairwise run | {cells} | |")
    pair_g = (f"{sum(r['generator_params'] for r in pairwise):,} ({len(pairwise)} run(s), 2 generators each, "
              f"{len(covered)} of the {len(pairs)} translations)" if pairwise else "no run given yet")
    lines += ["", f"Generator parameters: StarGAN {stargan['generator_params']:,} (one model, all "
              f"{_domains(pairs)} domains); pairwise {pair_g}. Each side's protocol: "
              + "; ".join(filter(None, [star.get("protocol", "")] + [r.get("translate_ab/protocol", "")
                                                                    for r in pairwise])) + "."]
    return "\n".join(lines) + "\n"


def _mean(values: list[Any]) -> float | None:
    values = [v for v in values if isinstance(v, (int, float))]
    return float(np.mean(values)) if values else None


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else "" if value is None else str(value)


def _domains(pairs: list[str]) -> int:
    return len({name for pair in pairs for name in pair.split("2")})


def main(argv):
    if FLAGS.stargan is None:
        raise app.UsageError("Pass --stargan WORKDIR (a StarGAN run on a one-hot task) and the pairwise runs.")
    try:
        stargan, pairwise = load(FLAGS.stargan), [load(w) for w in argv[1:]]
        text = table(stargan, pairwise)
    except ValueError as e:
        raise flags.ValidationError(str(e)) from None
    if FLAGS.keep:
        for arg, run in zip([FLAGS.stargan, *argv[1:]], [stargan, *pairwise]):
            if not arg.endswith(".json"):
                print(f"kept {keep(run, epath.Path(FLAGS.keep), arg)}")
    emit(text)


if __name__ == "__main__":
    # Flags are defined only when run as a program, so tests can import the module beside other CLIs.
    define_output_flags("TABLE_STARGAN")
    flags.DEFINE_string("stargan", None, "The StarGAN run's workdir (or its row kept with --keep).")
    flags.DEFINE_string("keep", None, "Also write each workdir's figures and generator size to this directory as "
                        "<run>.json (e.g. experiments/results), so the table can be made again without the runs.")
    cli.run(main)
