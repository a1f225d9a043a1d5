"""Evaluate the latest checkpoint of a run and print (and optionally write) JSON.

  python -m jaxgan.evaluate --workdir runs/ring8 [--output results.json]
  python -m jaxgan.evaluate --workdir runs/dcgan_fashion_mnist --metrics fid,kid,is,pr,dc --num_samples 10000

Uses the run's own eval protocol (`config.eval`) and fixed eval latents, so the
numbers match those logged at the same step during training; the flags
override the evaluators, the metrics, the sample count and the Inception
weights file. Works for every family: each evaluator uses the family's
predictions. Scores the EMA networks when the run keeps them.
"""

import json

from absl import flags
from etils import epath

from jaxgan import config as config_lib
from jaxgan import cli, experiment, writers
from jaxgan.evaluation import evaluators

FLAGS = flags.FLAGS


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("workdir", None, "Run directory to evaluate.")
    flags.DEFINE_string("output", None, "Optional .json file to write (its directory is created).")
    flags.DEFINE_integer("num_samples", None, "Override config.eval.num_samples.", lower_bound=1)
    flags.DEFINE_string("metrics", None, "Override config.eval.metrics, e.g. fid,kid,is,pr,dc.")
    flags.DEFINE_string("extractor", None, "Override config.eval.extractor.")
    flags.DEFINE_string("inception_weights", None, "Override config.eval.inception_weights.")
    flags.DEFINE_string("evaluators", None, "Override config.eval.evaluators, e.g. samples,reconstruction.")
    flags.mark_flags_as_required(["workdir"])


def main(argv):
    del argv
    writers.quiet_library_logs()
    output = epath.Path(FLAGS.output) if FLAGS.output else None
    if output is not None:  # checked before the (possibly hour-long) evaluation, not after it
        if output.suffix != ".json":
            raise flags.ValidationError(f"--output must end in .json (it is written as JSON), got {output.name!r}.")
        output.parent.mkdir(parents=True, exist_ok=True)
    exp, state = experiment.restore_latest(FLAGS.workdir)
    overrides = {"num_samples": FLAGS.num_samples, "metrics": FLAGS.metrics, "extractor": FLAGS.extractor,
                 "inception_weights": FLAGS.inception_weights, "evaluators": FLAGS.evaluators}
    with exp.config.unlocked():
        exp.config.eval.update({k: v for k, v in overrides.items() if v is not None})
    config_lib.validate(exp.config)
    try:
        evaluators.check(exp.config, exp.family)
    except ValueError as e:
        raise config_lib.ConfigError(str(e)) from None
    results = evaluators.evaluate(exp, state).results
    text = json.dumps({"step": int(state.step), **results}, indent=2)
    print(text)
    if output is not None:
        output.write_text(text + "\n")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
