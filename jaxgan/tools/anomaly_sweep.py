"""Run a one-class anomaly detector on every Fashion-MNIST class, resumably, then score each run.

  python -m jaxgan.tools.anomaly_sweep --detector fanogan --out runs/anomaly [--classes 0,1] [--seeds 0] [--workers 1]
  python -m jaxgan.tools.anomaly_table runs/anomaly --output experiments/README.md

Detector -> experiment: `fanogan` -> experiments/fanogan_fashion_mnist.py:k,
`bigan` -> experiments/bigan_anomaly_fashion_mnist.py:k. Run (class k, seed s)
trains in `<out>/<detector>_c<k>_s<s>` and is scored by `jaxgan.apps.anomaly`
into its `anomaly.json`. Scored runs are skipped; an interrupted one resumes
from its last checkpoint (SIGTERM saves one first), so rerunning the same
command continues the sweep. Runs go seed-major, class by class. With
`--workers N`, N runs go at once, each pinned to its own core.
"""

from __future__ import annotations

import json
import os

from absl import app, flags, logging
from etils import epath

from jaxgan import cli, train, writers
from jaxgan.apps import anomaly as anomaly_app
from jaxgan.config import load_experiment
from jaxgan.tools.workers import spawn_pinned

FLAGS = flags.FLAGS
DETECTORS = {"fanogan": "fanogan_fashion_mnist", "bigan": "bigan_anomaly_fashion_mnist"}
NUM_CLASSES = 10


def run_dir(out: epath.Path, detector: str, normal: int, seed: int) -> epath.Path:
    return out / f"{detector}_c{normal}_s{seed}"


def run_one(out: epath.Path, detector: str, normal: int, seed: int) -> dict:
    """Trains (or resumes) one run and scores it; a run already scored at its final step is read back."""
    workdir = run_dir(out, detector, normal, seed)
    config = load_experiment(DETECTORS[detector], str(normal))
    config.seed = seed
    result_file = workdir / anomaly_app.DEFAULT_OUTPUT
    if result_file.exists() and (done := json.loads(result_file.read_text()))["step"] == config.total_steps:
        return done
    train.train_and_evaluate(config, os.fspath(workdir))
    results, arrays = anomaly_app.score(os.fspath(workdir))
    anomaly_app.write(results, arrays, result_file)
    return results


def parse_classes(values: list[str]) -> list[int]:
    try:
        classes = [int(v) for v in values]
    except ValueError:
        raise app.UsageError(f"--classes takes class indices 0-{NUM_CLASSES - 1}, got {values}.") from None
    if bad := [k for k in classes if not 0 <= k < NUM_CLASSES]:
        raise app.UsageError(f"--classes {bad} out of range: Fashion-MNIST has classes 0-{NUM_CLASSES - 1}.")
    return classes


def define_flags() -> None:
    flags.DEFINE_enum("detector", None, list(DETECTORS), "Which detector's experiment to run.")
    flags.DEFINE_string("out", "runs/anomaly", "Directory for the runs.")
    flags.DEFINE_list("classes", [str(k) for k in range(NUM_CLASSES)], "Normal classes to run.")
    flags.DEFINE_list("seeds", ["0"], "Seeds to run.")
    flags.DEFINE_integer("workers", 1, "Parallel runs, each pinned to its own CPU core (Linux).", lower_bound=1)
    flags.DEFINE_string("shard", "0/1", "Internal: this worker's share of the runs, i/n.")
    flags.mark_flags_as_required(["detector"])


def main(argv):
    del argv
    writers.quiet_library_logs()
    classes, seeds = parse_classes(FLAGS.classes), [int(s) for s in FLAGS.seeds]
    if FLAGS.workers > 1:
        args = [f"--detector={FLAGS.detector}", f"--out={FLAGS.out}", f"--classes={','.join(map(str, classes))}",
                f"--seeds={','.join(map(str, seeds))}"]
        return spawn_pinned("jaxgan.tools.anomaly_sweep", args, FLAGS.workers)
    index, count = map(int, FLAGS.shard.split("/"))
    todo = [(s, k) for s in seeds for k in classes]
    for seed, normal in todo[index::count]:
        r = run_one(epath.Path(FLAGS.out), FLAGS.detector, normal, seed)
        logging.info("%s class %d seed %d: AUROC %.4f (%s), trained in %s s", FLAGS.detector, normal, seed,
                     r["auroc"], r["score"], r["train_wall_s"])


if __name__ == "__main__":
    define_flags()
    cli.run(main)
