"""Evaluate the latest checkpoint of a run and print (and optionally write) JSON.

  python -m jaxgan.evaluate --workdir runs/ring8 [--output results.json]

Uses the run's own eval protocol (`config.eval`) and fixed eval latents, so the
numbers match those logged at the same step during training.
"""

import json

from absl import app, flags
from etils import epath

from jaxgan import experiment, train, writers

_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory to evaluate.")
_OUTPUT = flags.DEFINE_string("output", None, "Optional JSON file to write.")
_NUM_SAMPLES = flags.DEFINE_integer("num_samples", None, "Override config.eval.num_samples.")
flags.mark_flags_as_required(["workdir"])


def main(argv):
    del argv
    writers.quiet_library_logs()
    exp, state = experiment.restore_latest(_WORKDIR.value)
    if _NUM_SAMPLES.value is not None:
        with exp.config.unlocked():
            exp.config.eval.num_samples = _NUM_SAMPLES.value
    results, _ = train.evaluate(exp, state)
    text = json.dumps({"step": int(state.step), **results}, indent=2)
    print(text)
    if _OUTPUT.value:
        epath.Path(_OUTPUT.value).write_text(text + "\n")


if __name__ == "__main__":
    app.run(main)
