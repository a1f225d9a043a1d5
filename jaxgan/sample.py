"""Write samples, or translations of given images, from the latest checkpoint of a run.

  python -m jaxgan.sample --workdir runs/ring8 --num 2500 --seed 0 --output samples.npy
  python -m jaxgan.sample --workdir runs/pix2pix --input edges.npy --output garments.png

Image-to-image runs (pix2pix, srgan, cyclegan) translate `--input`: an
`.npy` of images `[N, H, W, C]` (uint8 in 0..255, or float in [-1, 1]) or a
folder of image files (PNG/JPEG, in name order), converted to the run's
input channels and resized (bilinear) to its input size. `--prediction`
picks the direction of runs that have two (`translate_ab`, `translate_ba`).

`.npy` writes float32 `[num, *sample_shape]`; `.png` writes a picture (a
scatter over the true modes for 2-D data, a grid of 8 columns for images).
Works for every family that predicts `generate`. Uses the EMA generator when the run keeps one
(`--ema_decay`: the one kept at that decay, for runs with `config.ema.extra_decays`). In class-conditional runs,
sample i has class (i // 8) % num_classes, so a grid shows one class per row.
"""

from __future__ import annotations

import numpy as np
from absl import flags
from etils import epath

from jaxgan import cli, distributed

# JAX, Flax, Orbax and the data stack (~5 s to load on 2 cores) are imported where they are used, so a bad
# flag is reported at once (tests/test_faults.py); `jaxgan.main` does the same.

FLAGS = flags.FLAGS


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("workdir", None, "Run directory to sample from.")
    flags.DEFINE_integer("num", 2500, "Number of samples.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed for the latents.")
    flags.DEFINE_string("output", None, "Output file: .npy or .png.")
    flags.DEFINE_string("input", None, "Images to translate (image-to-image runs): an .npy or a folder of images.")
    flags.DEFINE_string("prediction", None, "Which translation (default: the run's only one).")
    flags.DEFINE_float("ema_decay", None, "Use the EMA kept at this decay (config.ema.decay, the default, or one of "
                       "config.ema.extra_decays).")
    flags.DEFINE_integer("standing_stats", None, "EMA generator with BatchNorm statistics recomputed from this many "
                         "batches (jaxgan.standing_stats; default: the run's config.eval.standing_stats).", lower_bound=0)
    distributed.define_flags()
    flags.mark_flags_as_required(["workdir", "output"])


def main(argv):
    del argv
    check_flags()  # before JAX starts
    from jaxgan import writers

    writers.quiet_library_logs()
    with distributed.runtime():
        sample()


def check_flags() -> None:
    """The flag errors found without a run."""
    output = epath.Path(FLAGS.output)
    if output.suffix not in (".npy", ".png"):
        raise flags.ValidationError(f"--output must end in .npy or .png, got {output.name!r}.")
    if FLAGS.input is not None and not epath.Path(FLAGS.input).exists():
        raise flags.ValidationError(f"--input {FLAGS.input} does not exist.")
    cli.check_ema_decay(FLAGS.workdir, FLAGS.ema_decay)


def sample() -> None:
    """Writes `--num` samples (or `--input`'s translations) to `--output`; every process generates its share."""
    check_flags()
    output = epath.Path(FLAGS.output)
    import jax

    from jaxgan import experiment, sampling, standing_stats, visualize

    exp, state = experiment.restore_latest(FLAGS.workdir)
    state = sampling.with_ema_decay(state, exp.config.ema, FLAGS.ema_decay)
    state, _ = standing_stats.for_run(exp, state, FLAGS.standing_stats)
    predictions = sampling.predictions(exp.family, state)
    if FLAGS.input is not None:
        return translate(exp, state, predictions, output, FLAGS.input, FLAGS.prediction)
    if "generate" not in predictions:
        raise flags.ValidationError(f"Family {exp.config.family.name!r} does not generate from latents; its predictions "
                                    f"are: {', '.join(predictions) or 'none'}. Translate images with --input, or "
                                    "score the run with jaxgan.evaluate.")
    samples = predictions["generate"](jax.random.key(FLAGS.seed), FLAGS.num)
    if jax.process_index() != 0:  # every process generated its share; process 0 writes
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".npy":
        with output.open("wb") as f:
            np.save(f, samples)
    else:
        step, caption = int(state.step), exp.family.caption(int(state.step))  # ProGAN: resolution and alpha
        title = f"{exp.dataset.name} step {step}" + (f", {caption}" if caption else "")
        output.write_bytes(visualize.samples_png(samples, exp.dataset, title, banner=bool(caption)))
    print(f"Wrote {len(samples)} samples from step {int(state.step)} to {output}")


def load_images(path: str, shape: tuple[int, ...]) -> np.ndarray:
    """Images from an .npy or a folder, as float32 `[N, *shape]` in [-1, 1] (see the module docstring)."""
    from PIL import Image

    from jaxgan.data import transforms
    from jaxgan.data.images import to_float

    source = epath.Path(path)
    if not source.exists():
        raise flags.ValidationError(f"--input {path} does not exist.")
    if source.is_dir():
        files = sorted(f for f in source.iterdir() if f.suffix.lower() in (".png", ".jpg", ".jpeg"))
        if not files:
            raise flags.ValidationError(f"--input folder {path} has no .png or .jpg images.")
        mode = "L" if shape[-1] == 1 else "RGB"
        arrays = []
        for f in files:
            with f.open("rb") as fh:
                image = np.asarray(Image.open(fh).convert(mode))
            arrays.append(image.reshape(*image.shape[:2], -1))
        images = np.stack([transforms.resize_bilinear(a[None], shape[0])[0] for a in arrays])
    else:
        with source.open("rb") as f:
            images = np.load(f)
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or images.shape[-1] != shape[-1]:
            raise flags.ValidationError(f"--input {path} holds shape {images.shape}; expected images [N, H, W, "
                                        f"{shape[-1]}].")
        if images.dtype != np.uint8:
            if images.min() < -1.0 or images.max() > 1.0:
                raise flags.ValidationError(f"--input {path}: float images must be in [-1, 1], got "
                                            f"[{images.min():.3g}, {images.max():.3g}]; or give uint8 0..255.")
            images = np.round((images + 1.0) * 127.5).astype(np.uint8)
        if images.shape[1:3] != tuple(shape[:2]):
            images = transforms.resize_bilinear(images, shape[0])
    return to_float(images)


def translate(exp, state, predictions, output: epath.Path, source: str, prediction: str | None = None) -> None:
    """Translates the images at `source` with the run's translation `prediction` and writes them to `output`."""
    import jax

    from jaxgan import sampling, visualize

    names = list(getattr(exp.family, "translations", {}))
    if not names:
        raise flags.ValidationError(f"--input: family {exp.config.family.name!r} does not translate images; "
                                    "sample it without --input.")
    name = prediction or (names[0] if len(names) == 1 else None)
    if name not in names:
        raise flags.ValidationError(f"--prediction: choose one of {', '.join(names)}"
                                    + (f" (got {prediction!r})." if prediction else "."))
    source_key = exp.family.translations[name][0]
    shape = exp.dataset.input_shape if source_key == "input" else exp.dataset.element_shape
    inputs = load_images(source, tuple(shape))
    outputs = predictions[name](inputs)
    if jax.process_index() != 0:
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".npy":
        with output.open("wb") as f:
            np.save(f, outputs)
    else:
        factor = outputs.shape[1] // inputs.shape[1]
        shown = np.repeat(np.repeat(inputs, factor, axis=1), factor, axis=2)
        if shown.shape[-1] != outputs.shape[-1]:
            shown = np.broadcast_to(shown.mean(-1, keepdims=True), outputs.shape)
        cols = sampling.GRID_COLUMNS
        rows = [part[i : i + cols] for i in range(0, len(inputs), cols) for part in (shown, outputs)]
        output.write_bytes(visualize.samples_png(np.concatenate(rows), exp.dataset, "", cols))
    print(f"Wrote {len(outputs)} translations ({name}) from step {int(state.step)} to {output}")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
