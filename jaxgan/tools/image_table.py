"""Turn image runs' final evaluations into a Markdown table, with published numbers and protocols.

  python -m jaxgan.tools.image_table runs/dcgan_fashion_mnist runs/stacked_fmnist_plain scores.json ... \
      [--output experiments/README.md --marker TABLE_IMAGES] [--skip pair/,pair_mean/] \
      [--rename translate_ba/=edges_to_garment/,translate/=edges_to_garment/] [--keep experiments/results] \
      [--seeds] [--label W@15625=NAME_s1]

Each workdir gives one row from its `eval_final.json` (written at the end of
training, or by `python -m jaxgan.evaluate --output W/eval_final.json`):
step, wall time and every metric value, named `<extractor>/<metric>`. A
`.json` argument is a scores file of `python -m jaxgan.tools.score_samples
--output` (samples exported from a run trained elsewhere): one row named
after the file, with the step its export recorded; or, inside a workdir, a
checkpoint's scores (`python -m jaxgan.evaluate --workdir W --step N
--output W/eval_stepN.json`): the row `W@N`. Two evaluations of one checkpoint given
together are `W@N_<file stem>`. `--keep DIR` writes each
workdir's row to `DIR/<run>.json` (a few kB, committed beside the table),
and such a kept row is read back as the run itself: a table outlives the
machine its runs were trained on. A row is kept under its `--label`, and a
kept file is never overwritten by another source's row. Each
row's protocol is printed under the table, numbered; rows that share one
share its number. Published numbers for the same benchmark come from
../shared/targets.md with their own protocols.
`--rename OLD/=NEW/` gives metrics of the same
measurement under different names one column (CycleGAN's `translate_ba/` and
pix2pix's `translate/` are both edges -> garment on the same test pairs);
kept rows keep their own names. `--seeds` adds, under the runs, one row per
group of runs that differ only in their seed suffix (`_s0`, `_s1`, ...: the
names `--workdir runs/NAME_s<seed>` gives): the mean ± sample std over the
seeds of each metric; rows of one group must share their protocol. `--label
OLD=NEW` renames a row first (e.g. a checkpoint's evaluation `W@15625` that
stands for seed 1 of another recipe). With --output, the table replaces the text between `<!-- MARKER -->` and
`<!-- /MARKER -->` in that file, so no number is typed by hand.
"""

from __future__ import annotations

import json
import re
import statistics

from absl import app, flags
from etils import epath

from jaxgan import cli
from jaxgan.layout import CONFIG_FILE, FINAL_EVAL_FILE
from jaxgan.tools.markdown import define_output_flags, emit

# dataset -> rows of (model, result, protocol, source); from ../shared/targets.md.
PUBLISHED: dict[str, list[tuple[str, str, str, str]]] = {
    "stacked_mnist": [
        ("DCGAN", "99 modes, KL 3.4", "26,000 samples, pretrained MNIST classifier", "VEEGAN Table 2"),
        ("VEEGAN", "150 modes, KL 2.95", "26,000 samples, pretrained MNIST classifier", "VEEGAN Table 2"),
        ("PacDCGAN2", "1000 modes, KL 0.06", "26,000 samples, pretrained MNIST classifier", "PacGAN Table 2"),
        ("WGAN-GP", "995 modes, KL 0.148", "26,000 samples, pretrained MNIST classifier", "GDPP Table 3"),
    ],
    "cifar10": [
        ("SNGAN", "FID 16.77", "50k vs 50k train, 100k steps", "Mimicry README"),
        ("WGAN-GP", "FID 22.29", "50k vs 50k train", "Mimicry README"),
        ("DCGAN", "FID 48.29", "50k vs train, TF Inception", "StudioGAN benchmark"),
    ],
    # Lucic et al. 2018: best FID over their search (mean ± std), 10k samples vs 10k test, TF Inception pool3.
    "fashion_mnist": [
        (model, f"FID {fid}", "10k vs 10k test, Inception pool3, best of a 100+50-setting search",
         "Lucic et al. 2018 via Dai & Wipf 2019 Table 1")
        for model, fid in (("MM GAN", "29.6±1.6"), ("NS GAN", "26.5±1.6"), ("LSGAN", "30.7±2.2"),
                           ("WGAN", "21.5±1.6"), ("WGAN-GP", "24.5±2.1"), ("DRAGAN", "27.7±1.2"),
                           ("BEGAN", "22.9±0.9"))
    ],
}
# Published rows shown only beside runs scored with this extractor (a classifier-FID is not comparable).
PUBLISHED_EXTRACTOR = {"fashion_mnist": "inception_fid"}
# Offline twins: their runs are shown beside the published rows of the benchmark they stand in for.
TWINS = {"stacked_fashion_mnist": "stacked_mnist"}
# Numeric keys of a final evaluation that are not scores (the row's own columns, or sample counts). Metrics are
# `<extractor>/<metric>` or `<translation>/<metric>`; evaluators with one protocol (`attributes`) name them bare.
# (pairwise_table keeps the generator size in the same row; standing statistics go in the protocol.)
NOT_METRICS = frozenset({"step", "seed", "wall_s", "train_s", "train_cpu_s", "kimg", "num_samples",
                         "non_finite_samples", "generator_params", "standing_stats"})
# Columns in this order first; any other metric follows, sorted.
_ORDER = ("fid", "kid", "is", "precision", "recall", "density", "coverage", "modes", "kl")


def _metric_order(key: str) -> tuple[int, str]:
    name = key.split("/", 1)[-1]
    return (_ORDER.index(name) if name in _ORDER else len(_ORDER), key)


def load_run(workdir: epath.Path) -> dict:
    """One run's dataset and final evaluation; raises naming the missing file."""
    path = workdir / FINAL_EVAL_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: train the run to its end, or write it with "
                                f"python -m jaxgan.evaluate --workdir {workdir} --output {path}")
    config = json.loads((workdir / CONFIG_FILE).read_text())  # read as saved: no JAX needed
    return {"name": workdir.name, "dataset": config["data"]["name"], "family": config.get("family", {}),
            **json.loads(path.read_text())}


def load_scores(path: epath.Path) -> dict:
    """One row from a `score_samples --output` file; raises naming what it lacks."""
    try:
        scores = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON ({e}); pass a scores file of "
                         "python -m jaxgan.tools.score_samples --output.") from None
    if not isinstance(scores, dict) or "dataset" not in scores:
        raise ValueError(f"{path} is not a scores file of python -m jaxgan.tools.score_samples --output "
                         "(it names no dataset); pass run workdirs, or rescore the samples with that tool.")
    generator, backend = scores.get("generator", "?"), scores.get("backend", "?")
    source = f"samples exported from the {generator} G of a {backend} run" + (
        ", float16" if scores.get("float16") else "")
    protocol = "; ".join(p for p in (scores.get("protocol", ""), source) if p)
    return {"name": path.stem, "step": scores.get("step", ""), **scores, "protocol": protocol}


KEPT = "kept_from"  # the key that marks a row written by --keep
CHECKPOINT_OF = "checkpoint_of"  # the key that marks a checkpoint's evaluation: the workdir it was scored in


def load_checkpoint_eval(path: epath.Path) -> dict:
    """A row from `python -m jaxgan.evaluate --workdir W [--step N] --output W/<file>.json`: run `W@N`."""
    workdir = path.parent
    config = json.loads((workdir / CONFIG_FILE).read_text())
    scores = json.loads(path.read_text())
    return {"name": f"{workdir.name}@{scores['step']}", "dataset": config["data"]["name"],
            "family": config.get("family", {}), CHECKPOINT_OF: workdir.name, **scores}


def load(arg: str) -> dict:
    """A row from a workdir, a row kept with `--keep`, a checkpoint's evaluation written into its workdir,
    or a scores `.json` file."""
    path = epath.Path(arg)
    if not arg.endswith(".json"):
        return load_run(path)
    if (path.parent / CONFIG_FILE).exists() and "dataset" not in json.loads(path.read_text()):
        return load_checkpoint_eval(path)
    row = load_scores(path)  # checks the file
    return json.loads(path.read_text()) if KEPT in row else row


def load_all(args: list[str]) -> list[dict]:
    """`load` of each argument. Two evaluations of one checkpoint (`W@N`, e.g. with and without
    standing statistics) are named `W@N_<file stem>` instead, so that neither --keep nor --label
    confuses them; any other pair of rows with one name is refused."""
    rows = [load(a) for a in args]
    names = [r["name"] for r in rows]
    for arg, row in zip(args, rows):
        if names.count(row["name"]) > 1 and CHECKPOINT_OF in row and KEPT not in row:
            row["name"] = f"{row['name']}_{epath.Path(arg).stem}"
    names = [r["name"] for r in rows]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        sources = [a for a, r in zip(args, rows) if r["name"] in dupes]
        raise ValueError(f"Rows {', '.join(dupes)} come from more than one argument ({', '.join(sources)}); "
                         "give each run once.")
    return rows


def keep(row: dict, directory: epath.Path, source: str, check_only: bool = False) -> epath.Path:
    """Writes a run's `row` to `directory/<name>.json`, read back by `load` as the same row.

    ValueError, before anything is written, when that file keeps another source's row.
    """
    path = directory / f"{row['name']}.json"
    if path.exists() and (before := json.loads(path.read_text()).get(KEPT)) not in (None, source):
        raise ValueError(f"{path} already keeps the row of {before}; {source} would overwrite it. "
                         f"Give this row another name: --label {row['name']}=NEW_NAME.")
    if not check_only:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**row, KEPT: source}, indent=2) + "\n")
    return path


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def renamed(row: dict, prefixes: dict[str, str]) -> dict:
    """`row` with each key that starts with an `old` prefix of `prefixes` starting with its `new` one instead."""
    def name(key: str) -> str:
        old = next((p for p in prefixes if key.startswith(p)), None)
        return key if old is None else prefixes[old] + key[len(old):]

    out = {name(k): v for k, v in row.items()}
    if len(out) != len(row):
        raise ValueError(f"--rename {prefixes} gives two of run {row.get('name')!r}'s keys one name; rename prefixes "
                         "that the run does not have both of.")
    return out


def parse_renames(items: list[str]) -> dict[str, str]:
    """`["old/=new/", ...]` as {old: new}; a malformed item is a ValueError naming the form."""
    if bad := [i for i in items if i.count("=") != 1 or not i.split("=")[0]]:
        raise ValueError(f"--rename takes OLD=NEW prefixes, e.g. translate_ba/=edges_to_garment/; got {bad}.")
    return dict(i.split("=") for i in items)


def parse_labels(items: list[str]) -> dict[str, str]:
    """`["old=new", ...]` as {old row name: new}; a malformed item is a ValueError naming the form."""
    if bad := [i for i in items if i.count("=") != 1 or not all(i.split("="))]:
        raise ValueError(f"--label takes OLD=NEW row names, e.g. beat_lucic_ema_sweep_s1@15625=ema_standing_s1; "
                         f"got {bad}.")
    return dict(i.split("=") for i in items)


_SEED = re.compile(r"_s(\d+)$")


def _protocol(r: dict) -> str:
    """A row's protocol footnote (without its number)."""
    parts = ([r["protocol"]] if "protocol" in r else []) + [
        f"{k}: {v}" if "protocol" not in r else v for k, v in sorted(r.items()) if k.endswith("/protocol")]
    if r.get("standing_stats"):
        parts.append(f"EMA G with BatchNorm statistics of {r['standing_stats']} batches (standing statistics)")
    return "; ".join(parts) + (f" (skipped: {r['metrics_skipped']})" if "metrics_skipped" in r else "")


def seed_groups(runs: list[dict]) -> dict[str, list[dict]]:
    """Runs named `<group>_s<seed>`, by group, where a group has two runs or more; their protocols (and which
    generator was scored: EMA, live, standing statistics) must agree.

    Raises:
      ValueError: two runs of one group were measured with different protocols (their mean means nothing).
    """
    groups: dict[str, list[dict]] = {}
    for r in runs:
        if match := _SEED.search(r["name"]):
            groups.setdefault(r["name"][:match.start()], []).append(r)
    groups = {g: rs for g, rs in groups.items() if len(rs) > 1}
    for group, rs in groups.items():
        if len({(_protocol(r), r.get("generator")) for r in rs}) > 1:
            raise ValueError(f"--seeds: runs {[r['name'] for r in rs]} of group {group!r} have different protocols, "
                             "so no mean is taken; score them the same way (or --label one out of the group).")
    return groups


def _mean_cell(values: list) -> str:
    """`mean ± sample std` of the numbers among `values`, saying how many there were when some are missing."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    short = f" (n={len(numbers)})" if 0 < len(numbers) < len(values) else ""
    if len(numbers) < 2:
        return (_cell(numbers[0]) if numbers else "") + short
    return f"{statistics.mean(numbers):.4g} ± {statistics.stdev(numbers):.2g}{short}"


def _seed_rows(runs: list[dict], metrics: list[str], numbers: dict[str, int]) -> list[str]:
    """One `mean ± std` row per seed group of `runs` (see `seed_groups`)."""
    lines = []
    for group, rs in seed_groups(runs).items():
        seeds = ",".join(_SEED.search(r["name"]).group(1) for r in rs)
        steps = {r["step"] for r in rs}
        walls = [r["wall_s"] / 60 if "wall_s" in r else None for r in rs]
        cells = [_mean_cell([r.get(k) for r in rs]) for k in metrics]
        step = steps.pop() if len(steps) == 1 else "/".join(map(str, sorted(steps)))
        lines.append(f"| **{group}**, mean ± std over seeds {seeds} | {rs[0]['dataset']} | {step} | "
                     f"{_mean_cell(walls)} | " + " | ".join(cells) + f" | [{numbers[rs[0]['name']]}] |")
    return lines


def table(runs: list[dict], published: bool = True, skip: tuple[str, ...] = (),
          rename: dict[str, str] | None = None, seeds: bool = False, labels: dict[str, str] | None = None) -> str:
    """The Markdown table of `runs`, their protocols, and (`published`) the published rows of their datasets.

    `skip`: leave out the metrics whose keys start with one of these prefixes (e.g. `pair/`, shown elsewhere).
    `rename`: old key prefix -> new, applied first (one column for one measurement named two ways).
    `seeds`: add a mean ± sample-std row per group of runs that differ only in their `_s<seed>` suffix.
    `labels`: old row name -> new, applied first (e.g. to put a checkpoint's evaluation into a seed group).
    """
    labels = labels or {}
    if missing := sorted(set(labels) - {r["name"] for r in runs}):
        raise ValueError(f"--label names rows that are not in the table: {missing}; the rows are "
                         f"{[r['name'] for r in runs]}.")
    runs = [renamed({**r, "name": labels.get(r["name"], r["name"])}, rename or {}) for r in runs]
    metrics = sorted({k for r in runs for k, v in r.items() if ("/" in k or k not in NOT_METRICS)
                      and not k.endswith("_std") and isinstance(v, (int, float)) and not isinstance(v, bool)
                      and not k.startswith(tuple(skip))}, key=_metric_order)
    lines = ["| run | data | steps | wall (min) | " + " | ".join(metrics) + " | protocol |",
             "|" + "---|" * (len(metrics) + 5)]
    protocols = list(dict.fromkeys(_protocol(r) for r in runs))  # one footnote per distinct protocol
    for r in runs:
        cells = []
        for k in metrics:
            std = r.get(f"{k}_std")
            cells.append(_cell(r.get(k)) + (f" ± {std:.2g}" if isinstance(std, float) else ""))
        wall = f"{r['wall_s'] / 60:.1f}" if "wall_s" in r else ""
        lines.append(f"| {r['name']} | {r['dataset']} | {r['step']} | {wall} | " + " | ".join(cells)
                     + f" | [{protocols.index(_protocol(r)) + 1}] |")
    if seeds:
        lines += _seed_rows(runs, metrics, {r["name"]: protocols.index(_protocol(r)) + 1 for r in runs})
    lines.append("")
    lines += [f"[{i}] {p}" for i, p in enumerate(protocols, 1)]
    for dataset in sorted({r["dataset"] for r in runs} if published else ()):
        benchmark = TWINS.get(dataset, dataset)
        if benchmark not in PUBLISHED:
            continue
        extractor = PUBLISHED_EXTRACTOR.get(benchmark)
        if extractor and not any(k.startswith(f"{extractor}/") for r in runs if r["dataset"] == dataset for k in r):
            continue
        note = "" if benchmark == dataset else f" (the benchmark {dataset} stands in for offline; not comparable)"
        lines += ["", f"Published on {benchmark}{note}, their own setups and protocols (../shared/targets.md):", "",
                  "| model | result | protocol | source |", "|---|---|---|---|"]
        lines += [f"| {' | '.join(row)} |" for row in PUBLISHED[benchmark]]
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.image_table WORKDIR|SCORES.json [...] [--output FILE]")
    try:
        rows = load_all(argv[1:])
        text = table(rows, published=flags.FLAGS.published, skip=tuple(flags.FLAGS.skip),
                     rename=parse_renames(flags.FLAGS.rename), seeds=flags.FLAGS.seeds,
                     labels=parse_labels(flags.FLAGS.label))
    except ValueError as e:
        raise flags.ValidationError(str(e)) from None
    if flags.FLAGS.keep:  # runs and their checkpoints' evaluations, under their --label if they have one
        labels, directory = parse_labels(flags.FLAGS.label), epath.Path(flags.FLAGS.keep)
        to_keep = [({**row, "name": labels.get(row["name"], row["name"])}, arg) for arg, row in zip(argv[1:], rows)
                   if KEPT not in row and "samples" not in row]
        try:
            for row, arg in to_keep:
                keep(row, directory, arg, check_only=True)
        except ValueError as e:
            raise flags.ValidationError(str(e)) from None
        for row, arg in to_keep:
            print(f"kept {keep(row, directory, arg)}")
    emit(text)


if __name__ == "__main__":
    # Flags are defined only when run as a program, so tests can import the module beside other CLIs.
    define_output_flags("TABLE_IMAGES")
    flags.DEFINE_bool("published", True, "Add the published rows of the runs' benchmarks (--nopublished: a "
                      "second table of the same benchmark, without repeating them).")
    flags.DEFINE_string("keep", None, "Also write each workdir's row to this directory as <run>.json "
                        "(e.g. experiments/results), so the table can be made again without the runs.")
    flags.DEFINE_list("skip", [], "Leave out metrics whose keys start with these prefixes, e.g. pair/,pair_mean/.")
    flags.DEFINE_list("rename", [], "OLD=NEW key prefixes: one column for a measurement two families name "
                      "differently, e.g. translate_ba/=edges_to_garment/,translate/=edges_to_garment/.")
    flags.DEFINE_bool("seeds", False, "Add a mean ± sample-std row per group of runs named <group>_s<seed>.")
    flags.DEFINE_list("label", [], "OLD=NEW row names, applied first, e.g. "
                      "beat_lucic_ema_sweep_s1@15625=beat_lucic_ema_standing_s1 to count it as that seed.")
    cli.run(main)
