"""Quality against images seen and training time, for several runs: a PNG plot and a generated table.

  python -m jaxgan.tools.curve runs/progan_grow_s0 runs/progan_fixed_s0 \
      [--metric inception_fid/fid] [--clock train_s|train_cpu_s] \
      [--png experiments/figures/progan_fid_curve.png] [--output experiments/README.md --marker TABLE_PROGAN_CURVE]

ProGAN's claim (Karras et al. 2018, Table 1 and Figure 4) is about time:
growing reaches a given quality sooner than training at full resolution.
Each run's `eval.jsonl` rows carry the metric, `kimg` (thousands of real
images read) and `train_s` (training seconds over all its sessions,
evaluations excluded; `jaxgan.train.RunClock`) and `train_cpu_s` (the same
in process CPU seconds), so the comparison needs no hand-kept timings. The
time axis is `--clock`: `train_s` (wall) by default; `train_cpu_s` where the
runs shared their machine with different loads (wall time then measures the
neighbours; CPU time follows the work done more closely, though not
exactly). The table has one row per kimg evaluated, the metric and
the training minutes (`--clock`) of each run side by side, and then the training time each
run took to first reach the worst of the runs' best values (a level every run
reaches), and a line that gives each run's seed, the last step evaluated
(an unfinished run says so) and its training wall and CPU minutes. The default metric is the first FID the runs share, lower is
better. Rows a run wrote twice (an eval repeated after a resume) count once,
the last. Runs from before jaxgan recorded `train_s` show no time.
"""

from __future__ import annotations

import json
from typing import Any

from absl import app, flags
from etils import epath

from jaxgan import cli
from jaxgan.layout import CONFIG_FILE
from jaxgan.tools.markdown import define_output_flags, emit

FLAGS = flags.FLAGS
EVAL_LOG = "eval.jsonl"
CLOCKS = {"train_s": "training time", "train_cpu_s": "training CPU time"}  # eval.jsonl key -> its name


def load_rows(workdir: epath.Path) -> list[dict[str, Any]]:
    """The run's eval rows by step (the last row of a step wins), in step order."""
    path = workdir / EVAL_LOG
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: {workdir} has not been evaluated yet (train it past its first "
                                "eval_every_steps).")
    rows = {}
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["step"]] = row
    return [rows[s] for s in sorted(rows)]


def shared_metrics(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The numeric eval keys every run has (in some of its rows), sorted."""
    per_run = [{k for r in rows for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
               for rows in runs.values()]
    return sorted(set.intersection(*per_run) - {"step", "kimg", *CLOCKS, "wall_s"})


def default_metric(runs: dict[str, list[dict[str, Any]]]) -> str:
    """The first FID the runs share."""
    fids = [k for k in shared_metrics(runs) if k.endswith("/fid") or k == "fid"]
    if not fids:
        raise ValueError(f"The runs share no FID to plot; pass --metric, one of {shared_metrics(runs)}.")
    return fids[0]


def time_to_reach(rows: list[dict[str, Any]], metric: str, level: float, clock: str = "train_s") -> float | None:
    """`clock` seconds at the first row whose `metric` is <= `level` (None: never, or no time recorded)."""
    for r in rows:
        if r.get(metric) is not None and r[metric] <= level:
            return r.get(clock)
    return None


def table(runs: dict[str, list[dict[str, Any]]], metric: str, clock: str = "train_s") -> str:
    """Markdown: the metric and the `clock` minutes of every run by kimg, then each run's time to a shared level."""
    names = list(runs)
    head = " | ".join(f"{n}: {metric} | {n}: {CLOCKS[clock]} (min)" for n in names)
    lines = [f"| kimg | {head} |", "|---" * (1 + 2 * len(names)) + "|"]
    by_kimg = [{r["kimg"]: r for r in rows if "kimg" in r} for rows in runs.values()]
    for kimg in sorted(set().union(*by_kimg)):
        cells = []
        for rows in by_kimg:
            r = rows.get(kimg, {})
            cells += [_cell(r.get(metric)), _cell(r[clock] / 60 if clock in r else None)]
        lines.append(f"| {kimg:g} | " + " | ".join(cells) + " |")
    bests = [min(r[metric] for r in rows if r.get(metric) is not None) for rows in runs.values()]
    level = max(bests)
    reach = ", ".join(f"{n} {_minutes(time_to_reach(rows, metric, level, clock))}" for n, rows in runs.items())
    name = CLOCKS[clock]
    lines += ["", f"{name[0].upper()}{name[1:]} to first reach {metric} <= {level:.4g} (the worst of the runs' best "
              f"values): {reach}. Training time excludes evaluations."]
    return "\n".join(lines) + "\n"


def describe(workdir: epath.Path, rows: list[dict[str, Any]]) -> str:
    """One run in words: its seed, the last step evaluated against its length, and its training wall and CPU time."""
    config_file = workdir / CONFIG_FILE
    config = json.loads(config_file.read_text()) if config_file.exists() else {}
    seed, total, last = config.get("seed", "unknown"), config.get("total_steps"), rows[-1]
    if total is None:
        length = f"evaluated to step {last['step']:,}"
    else:
        length = f"evaluated to step {last['step']:,} of {total:,}" + ("" if last["step"] >= total else ", unfinished")
    times = ", ".join(f"{CLOCKS[c]} {last[c] / 60:.1f} min" for c in CLOCKS if c in last)
    return f"{workdir.name} (seed {seed}, {length}{'; ' + times if times else ''})"


def plot(runs: dict[str, list[dict[str, Any]]], metric: str, clock: str = "train_s") -> bytes:
    """Two panels: `metric` against kimg, and against `clock` minutes."""
    import io

    from jaxgan.visualize import pyplot

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for name, rows in runs.items():
        rows = [r for r in rows if r.get(metric) is not None]
        axes[0].plot([r.get("kimg", float("nan")) for r in rows], [r[metric] for r in rows], "o-", label=name)
        timed = [r for r in rows if clock in r]
        axes[1].plot([r[clock] / 60 for r in timed], [r[metric] for r in timed], "o-", label=name)
    for ax, x in zip(axes, ("real images read (kimg)", f"{CLOCKS[clock]} (min, evaluations excluded)")):
        ax.set_xlabel(x)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else "" if value is None else str(value)


def _minutes(seconds: float | None) -> str:
    return "never (or no time recorded)" if seconds is None else f"{seconds / 60:.1f} min"


def main(argv):
    if len(argv) < 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.curve WORKDIR [WORKDIR ...] [--metric KEY] [--png FILE]")
    workdirs = {epath.Path(w).name: epath.Path(w) for w in argv[1:]}
    runs = {name: load_rows(w) for name, w in workdirs.items()}
    try:
        metric = FLAGS.metric or default_metric(runs)
    except ValueError as e:
        raise flags.ValidationError(str(e)) from None
    if metric not in shared_metrics(runs):
        raise flags.ValidationError(f"--metric {metric!r}: not every run has it; the metrics they share: "
                                    f"{shared_metrics(runs)}.")
    if FLAGS.png:
        path = epath.Path(FLAGS.png)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(plot(runs, metric, FLAGS.clock))
    runs_line = "Runs: " + "; ".join(describe(workdirs[n], rows) for n, rows in runs.items()) + ".\n"
    emit(table(runs, metric, FLAGS.clock) + "\n" + runs_line)


if __name__ == "__main__":
    # Flags are defined only when run as a program, so tests can import the module beside other CLIs.
    define_output_flags("TABLE_CURVE")
    flags.DEFINE_string("metric", None, "The eval key to plot (default: the first FID the runs share).")
    flags.DEFINE_string("png", None, "Also write the plot to this PNG file.")
    flags.DEFINE_enum("clock", "train_s", list(CLOCKS), "The time axis: training wall seconds, or training CPU "
                      "seconds (for runs that shared their machine with different loads).")
    cli.run(main)
