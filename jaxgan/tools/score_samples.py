"""Score samples from a file with an experiment's own evaluation protocol.

  python -m jaxgan.tools.score_samples --config experiments/X.py:arg --samples samples.npy [--output scores.json]

For samples generated elsewhere, e.g. exported on a GPU host without the FID
Inception weights by `python -m jaxgan.tools.export_eval_samples`. The
experiment's config says the dataset, reference split and size, extractor
and metrics (`--config.KEY=VALUE` overrides them as in training); the samples
(`[N, H, W, C]` in [-1, 1], any float dtype) are scored by the same
`evaluators.evaluate_samples` that `jaxgan.evaluate` uses, and the result
carries its protocol line. A count that differs from the config's
`eval.num_samples` is scored, and said so. The scores file also says what
was scored (`describe`), so `python -m jaxgan.tools.image_table` takes it
as a row beside runs' workdirs.
"""

from __future__ import annotations

import json
import os

import numpy as np
from absl import flags, logging
from ml_collections import config_flags

from jaxgan import cli

# The dataset and the evaluators (JAX, ~5 s to load on 2 cores) are imported in `score`, so a bad flag is
# reported at once.

FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    config_flags.DEFINE_config_file("config", None, "Experiment config file (its eval protocol is used).")
    flags.DEFINE_string("samples", None, "Samples .npy [N, H, W, C] in [-1, 1].", required=True)
    flags.DEFINE_string("output", "", "Optional .json for the scores.")
    flags.mark_flags_as_required(["config"])


def score(config, samples: np.ndarray) -> dict:
    """`evaluate_samples` of `samples` against `config`'s dataset and eval protocol."""
    from jaxgan.data import build_dataset
    from jaxgan.evaluation import evaluators

    dataset = build_dataset(config)
    if samples.shape[1:] != tuple(dataset.element_shape):
        raise ValueError(f"The samples are {samples.shape[1:]} images, but {config.data.name} has "
                         f"{tuple(dataset.element_shape)}; export them from a run of this experiment.")
    if len(samples) != config.eval.num_samples:
        logging.warning("%d samples, but the protocol of this experiment is %d.", len(samples), config.eval.num_samples)
    return evaluators.evaluate_samples(dataset, samples.astype(np.float32), config.eval)


def sidecar_path(samples_path: str) -> str:
    """Where `export_eval_samples` wrote what `samples_path` holds: `X.json` beside `X.npy` ('' if not .npy)."""
    return samples_path[: -len(".npy")] + ".json" if samples_path.endswith(".npy") else ""


def describe(config, samples_path: str) -> dict:
    """What was scored: the samples file, the dataset, and the export's sidecar (step, seed, generator).

    `export_eval_samples` writes `X.json` beside `X.npy`; its fields travel
    into the scores file, so `python -m jaxgan.tools.image_table` can show
    the scores as a row (name, data, step) like a run's `eval_final.json`.
    """
    sidecar = sidecar_path(samples_path)
    meta = {}
    if sidecar and os.path.exists(sidecar):
        with open(sidecar) as f:
            meta = json.load(f)
    return {"samples": samples_path, "dataset": config.data.name, **meta}


def main(argv):
    del argv
    sidecar = sidecar_path(FLAGS.samples)
    if FLAGS.output and sidecar and os.path.abspath(FLAGS.output) == os.path.abspath(sidecar):
        raise flags.ValidationError(f"--output {FLAGS.output} is the export's own description of the samples; "
                                    f"write the scores elsewhere, e.g. --output {sidecar[:-5]}_scores.json.")
    samples = np.load(FLAGS.samples)  # a missing file: one line (cli.run)
    config = cli.loaded(flags.FLAGS["config"])
    try:
        results = {**describe(config, FLAGS.samples), **score(config, samples)}
    except ValueError as e:
        raise flags.ValidationError(str(e)) from None
    print(json.dumps(results, indent=2))
    if FLAGS.output:
        with open(FLAGS.output, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    define_flags()
    cli.run(main)
