"""Write samples from the latest checkpoint of a run.

  python -m jaxgan.sample --workdir runs/ring8 --num 2500 --seed 0 --output samples.npy

`.npy` writes float32 `[num, *sample_shape]`; `.png` writes a picture (a
scatter over the true modes for 2-D data, a grid of 8 columns for images).
Works for every family that predicts `generate`. Uses the EMA generator when the run keeps one. In class-conditional runs,
sample i has class (i // 8) % num_classes, so a grid shows one class per row.
"""

import jax
import numpy as np
from absl import flags
from etils import epath

from jaxgan import cli, experiment, sampling, visualize, writers

FLAGS = flags.FLAGS


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("workdir", None, "Run directory to sample from.")
    flags.DEFINE_integer("num", 2500, "Number of samples.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed for the latents.")
    flags.DEFINE_string("output", None, "Output file: .npy or .png.")
    flags.mark_flags_as_required(["workdir", "output"])


def main(argv):
    del argv
    writers.quiet_library_logs()
    output = epath.Path(FLAGS.output)
    if output.suffix not in (".npy", ".png"):
        raise flags.ValidationError(f"--output must end in .npy or .png, got {output.name!r}.")
    exp, state = experiment.restore_latest(FLAGS.workdir)
    predictions = sampling.predictions(exp.family, state)
    if "generate" not in predictions:
        raise flags.ValidationError(f"Family {exp.config.family.name!r} does not generate from latents; its predictions "
                             f"are: {', '.join(predictions) or 'none'}. Use jaxgan.evaluate for those.")
    samples = predictions["generate"](jax.random.key(FLAGS.seed), FLAGS.num)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".npy":
        with output.open("wb") as f:
            np.save(f, samples)
    else:
        output.write_bytes(visualize.samples_png(samples, exp.dataset, f"{exp.dataset.name} step {int(state.step)}"))
    print(f"Wrote {len(samples)} samples from step {int(state.step)} to {output}")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
