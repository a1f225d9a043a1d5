"""Evaluate a run's checkpoints (the latest, one step, or every kept one) and print (and optionally write) JSON.

  python -m jaxgan.evaluate --workdir runs/ring8 [--output results.json]
  python -m jaxgan.evaluate --workdir runs/dcgan_fashion_mnist --metrics fid,kid,is,pr,dc --num_samples 10000
  python -m jaxgan.evaluate --workdir runs/lucic_fashion_mnist_ns_s0 --all_steps --output runs/curve.json
  python -m jaxgan.evaluate --workdir runs/beat_lucic_ema_s0 --noema --output runs/beat_lucic_ema_s0/raw.json
  python -m jaxgan.evaluate --workdir runs/X --ema_decay 0.9999 --output runs/X/ema0.9999.json
  python -m jaxgan.evaluate --workdir runs/X --standing_stats 16 --output runs/X/standing16.json

`--output W/eval_final.json` re-scores a finished run's final evaluation in
place (e.g. with Inception metrics added) and keeps the run's wall and
training time in it, so tables of the run stay whole.

`--all_steps` scores every kept checkpoint (`config.keep_checkpoints`) and
names the best by `--best_by` (default: the first FID key, lowest best), the
way Lucic et al. (2018) report the best checkpoint of a run; it writes
`{"checkpoints": [...], "best": {...}}`.

Uses the run's own eval protocol (`config.eval`) and fixed eval latents, so the
numbers match those logged at the same step during training; the flags
override the evaluators, the metrics, the sample count, the extractor, the
reference split and the Inception weights file (e.g. `--extractor
inception_fid --metrics fid,kid,pr,dc --reference_split test` scores a run
trained with classifier metrics on the Lucic et al. protocol). Works for every
family: each evaluator uses the family's predictions. Scores the EMA networks
when the run keeps them (`--noema`: the live ones; `--ema_decay D`: the EMA
kept at decay D, for runs trained with `config.ema.extra_decays`, which keep
several averages of the same weights so one training sweeps the decay; the
result's `generator` says which: `ema`, `raw` or `ema@D`). `--standing_stats N`
samples the EMA generator with BatchNorm statistics recomputed for its own
weights from N batches of latents (`jaxgan.standing_stats`; the result says
`standing_stats: N`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from absl import flags
from etils import epath

from jaxgan import config as config_lib
from jaxgan import cli, distributed

if TYPE_CHECKING:
    from jaxgan import experiment

# JAX, Flax, Orbax and the data stack (~5 s to load on 2 cores) are imported where they are used, so a bad
# flag or --output is reported at once (tests/test_faults.py); `jaxgan.main` does the same.

FLAGS = flags.FLAGS


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("workdir", None, "Run directory to evaluate.")
    flags.DEFINE_string("output", None, "Optional .json file to write (its directory is created).")
    flags.DEFINE_integer("num_samples", None, "Override config.eval.num_samples.", lower_bound=1)
    flags.DEFINE_string("metrics", None, "Override config.eval.metrics, e.g. fid,kid,is,pr,dc.")
    flags.DEFINE_string("extractor", None, "Override config.eval.extractor.")
    flags.DEFINE_string("reference_split", None, "Override config.eval.reference_split, the real images' split "
                        "(e.g. test, for the Lucic et al. protocol).")
    flags.DEFINE_string("inception_weights", None, "Override config.eval.inception_weights.")
    flags.DEFINE_string("evaluators", None, "Override config.eval.evaluators, e.g. samples,reconstruction.")
    flags.DEFINE_integer("step", None, "Score this checkpoint step instead of the latest (one of the kept ones).",
                         lower_bound=0)
    flags.DEFINE_bool("ema", True, "Score the EMA networks when the run keeps them; --noema scores the live ones "
                      "(what the averaging alone is worth, from the same run).")
    flags.DEFINE_float("ema_decay", None, "Score the EMA kept at this decay: config.ema.decay (the default) or one of "
                       "config.ema.extra_decays (a decay sweep over one run).")
    flags.DEFINE_integer("standing_stats", None, "Override config.eval.standing_stats: sample the EMA generator "
                         "with BatchNorm statistics recomputed for its weights from this many batches of latents "
                         "(BigGAN's standing statistics; 0 = the running ones).", lower_bound=0)
    flags.DEFINE_bool("all_steps", False, "Score every kept checkpoint and name the best (see --best_by).")
    flags.DEFINE_string("best_by", None, "With --all_steps: the result key to rank by, lowest best (default: the first "
                        "key ending in 'fid').")
    distributed.define_flags()
    flags.mark_flags_as_required(["workdir"])


def main(argv):
    del argv
    check_flags()  # before JAX starts
    from jaxgan import writers

    writers.quiet_library_logs()
    with distributed.runtime():
        evaluate()


def check_flags() -> None:
    """The flag errors found without a run: before the (possibly hour-long) evaluation, not after it."""
    if FLAGS.output and epath.Path(FLAGS.output).suffix != ".json":
        raise flags.ValidationError(f"--output must end in .json (it is written as JSON), got "
                                    f"{epath.Path(FLAGS.output).name!r}.")
    if FLAGS.all_steps and FLAGS.step is not None:
        raise flags.ValidationError("Give --step or --all_steps, not both.")
    if FLAGS.ema_decay is not None and not FLAGS.ema:
        raise flags.ValidationError("--noema scores the live networks; --ema_decay picks an EMA. Give one of them.")
    cli.check_ema_decay(FLAGS.workdir, FLAGS.ema_decay)
    if FLAGS.standing_stats and not FLAGS.ema:
        raise flags.ValidationError("--standing_stats recomputes the EMA generator's BatchNorm statistics; --noema "
                                    "scores the live networks, which keep their own. Give one of them.")


def evaluate() -> None:
    """Scores the checkpoints the flags name; every process takes part, process 0 writes `--output`."""
    check_flags()
    output = epath.Path(FLAGS.output) if FLAGS.output else None
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    from jaxgan import experiment, sampling
    from jaxgan.evaluation import evaluators

    steps = experiment.saved_steps(FLAGS.workdir) if FLAGS.all_steps else [FLAGS.step]
    exp, scored = None, []
    for step in steps or [None]:  # no kept step: restore says so
        exp, state = experiment.restore(FLAGS.workdir, step, exp=exp)
        if not scored:
            configure(exp)
        state = sampling.with_ema_decay(state, exp.config.ema, FLAGS.ema_decay)
        scored.append({"step": int(state.step), **run_clock(output, FLAGS.workdir, int(state.step)),
                       **evaluators.evaluate(exp, state, use_ema=FLAGS.ema).results,
                       **generator_label(exp.config.ema, FLAGS.ema_decay)})
        print(json.dumps(scored[-1], indent=2), flush=True)
        write(output, {"checkpoints": scored} if FLAGS.all_steps else scored[0])  # each step kept as it comes
    if FLAGS.all_steps:
        report = {"checkpoints": scored, "best": best(scored, FLAGS.best_by)}
        print(json.dumps({"best": report["best"]}, indent=2))
        write(output, report)


def generator_label(ema_config: Any, decay: float | None) -> dict[str, str]:
    """The result's `generator` when `--ema_decay` picks one of the run's EMAs: `ema@<decay>`."""
    if decay is None or not ema_config.decay:
        return {}
    return {"generator": f"ema@{decay:g}"}


CLOCK_KEYS = ("wall_s", "train_s", "train_cpu_s")


def run_clock(output: epath.Path | None, workdir: str, step: int) -> dict[str, float]:
    """When `--output` rewrites the run's own final evaluation of the same step (re-scoring it with another
    protocol): the run's clock from that file, so tables keep the run's wall and training time."""
    from jaxgan.layout import FINAL_EVAL_FILE

    final = epath.Path(workdir) / FINAL_EVAL_FILE
    if output is None or not final.exists() or output.resolve() != final.resolve():
        return {}
    previous = json.loads(final.read_text())
    return {k: previous[k] for k in CLOCK_KEYS if k in previous} if previous.get("step") == step else {}


def write(output: epath.Path | None, report: dict) -> None:
    import jax

    if output is not None and jax.process_index() == 0:
        output.write_text(json.dumps(report, indent=2) + "\n")


OVERRIDES = ("num_samples", "metrics", "extractor", "reference_split", "inception_weights", "evaluators",
             "standing_stats")


def configure(exp: experiment.Experiment, overrides: dict[str, Any] | None = None) -> None:
    """Applies `overrides` (default: the override flags; None = keep) to the run's eval config, then checks it."""
    if overrides is None:
        overrides = {name: getattr(FLAGS, name) for name in OVERRIDES}
    with exp.config.unlocked():
        exp.config.eval.update({k: v for k, v in overrides.items() if v is not None})
    config_lib.validate(exp.config)
    from jaxgan.evaluation import evaluators

    try:
        evaluators.check(exp.config, exp.family)
    except ValueError as e:
        raise config_lib.ConfigError(str(e)) from None


def best(scored: list[dict], key: str | None) -> dict:
    """The entry of `scored` with the lowest `key` (default: the first key that ends in 'fid')."""
    numeric = [k for k, v in scored[0].items() if isinstance(v, (int, float)) and k != "step"]
    if key is None:
        key = next((k for k in numeric if k.endswith("fid")), None)
        if key is None:
            raise config_lib.ConfigError(f"No FID among the results to rank checkpoints by; pass --best_by, one of "
                                         f"{numeric}.")
    if key not in numeric:
        raise config_lib.ConfigError(f"--best_by {key!r} is not a numeric result key; the keys are {numeric}.")
    entry = min(scored, key=lambda r: r[key])
    return {"by": key, "step": entry["step"], key: entry[key]}

if __name__ == "__main__":
    define_flags()
    cli.run(main)
