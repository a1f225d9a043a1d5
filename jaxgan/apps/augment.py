"""Does a GAN help a classifier that has little labelled data? The low-data augmentation study.

    python -m jaxgan.apps.augment --fraction 0.01 --subset_seed 0 [--gan_workdir W] [--synthetic_ratio 1]
        [--temperature 1] [--steps 1000] [--seed 0] [--output F.json]

A stratified `fraction` of the Fashion-MNIST train split, drawn with
`subset_seed` (`jaxgan.data.images.subset_rows`: each class keeps its share),
is all the labelled data there is. jaxgan's classifier
(`jaxgan.evaluation.classifier`, the network of every other figure) is trained
for `steps` Adam steps (batch 128, cosine decay) on:
  - `subset`: the subset alone;
  - `subset+standard`: the subset with standard augmentation: a random
    horizontal flip and a random shift of up to 2 pixels (`flip_shift`);
  - `subset+gan` (with `--gan_workdir`): the subset plus `synthetic_ratio` x
    its size class-balanced samples of a class-conditional GAN trained on
    that same subset only, latents scaled by `temperature`;
  - `subset+standard+gan` (on request, `--arms`): those samples and the subset,
    all with flips and shifts: whether the GAN adds to standard augmentation.
Every arm is tested on the 10,000 real test images. The lift of each GAN arm
over its baselines is reported, whatever its sign. A GAN run trained on
other data than the subset is refused: it would leak labels.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from absl import flags
from etils import epath

from jaxgan import cli, experiment, sampling
from jaxgan.apps.cas import to_uint8
from jaxgan.config import ConfigError
from jaxgan.data.images import subset_rows
from jaxgan.evaluation import classifier
from jaxgan.evaluation.train_classifier import load_split

FLAGS = flags.FLAGS
DATASET = "fashion_mnist"
SAMPLE_STREAM = 0xA7C
MAX_SHIFT = 2
ARMS = ("subset", "subset+standard", "subset+gan", "subset+standard+gan")
DEFAULT_ARMS = ARMS[:3]
# Each lift: (result key, GAN arm, its baseline), reported when both arms ran.
LIFTS = (("lift_over_subset", "subset+gan", "subset"), ("lift_over_standard", "subset+gan", "subset+standard"),
         ("standard_gan_lift_over_standard", "subset+standard+gan", "subset+standard"))


@jax.jit
def flip_shift(key: jax.Array, images: jax.Array) -> jax.Array:
    """Each image flipped left-right with probability 1/2 and shifted by up to MAX_SHIFT pixels each way.

    Images are in [-1, 1]; the pixels shifted in are background (-1).
    """
    flip_key, shift_key = jax.random.split(key)
    n, h, w = images.shape[:3]
    flip = jax.random.bernoulli(flip_key, 0.5, (n,))
    images = jnp.where(flip[:, None, None, None], images[:, :, ::-1], images)
    shifts = jax.random.randint(shift_key, (n, 2), 0, 2 * MAX_SHIFT + 1)
    padded = jnp.pad(images, ((0, 0), (MAX_SHIFT, MAX_SHIFT), (MAX_SHIFT, MAX_SHIFT), (0, 0)), constant_values=-1.0)
    crop = lambda img, s: jax.lax.dynamic_slice(img, (s[0], s[1], 0), (h, w, images.shape[3]))  # noqa: E731
    return jax.vmap(crop)(padded, shifts)


def labelled_subset(fraction: float, subset_seed: int, data_dir: str = "") -> tuple[np.ndarray, np.ndarray]:
    """The stratified subset of the train split: uint8 images and labels (the rows a GAN with
    `data.label_fraction=fraction, data.subset_seed=subset_seed` trains on)."""
    images, labels, _ = load_split(DATASET, "train", data_dir)
    rows = subset_rows(labels.astype(np.int64), (), fraction, subset_seed)
    return images[rows], labels[rows]


def gan_samples(workdir: str, fraction: float, subset_seed: int, num: int, temperature: float, seed: int
                ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """`num` class-balanced uint8 samples of the run's (EMA) G and their classes; ConfigError if unusable."""
    exp, state = experiment.restore_latest(workdir)
    d = exp.config.data
    if exp.config.family.name != "gan" or not getattr(exp.family, "num_classes", 0):
        raise ConfigError(f"--gan_workdir must be a class-conditional 'gan' run (data.use_labels=True); {workdir} "
                          f"is a {exp.config.family.name!r} run with use_labels={d.use_labels}.")
    if d.name != DATASET or d.get("label_fraction", 1.0) != fraction or d.get("subset_seed", 0) != subset_seed \
            or str(d.get("classes", "")).strip():
        raise ConfigError(f"{workdir} trained on {d.name} with label_fraction={d.get('label_fraction', 1.0)}, "
                          f"subset_seed={d.get('subset_seed', 0)}, classes={d.get('classes', '')!r}; this study "
                          f"needs a GAN trained on the same subset only ({DATASET}, label_fraction={fraction}, "
                          f"subset_seed={subset_seed}), else its samples leak labels the subset does not have.")
    params = sampling.prediction_params(state)
    key = jax.random.fold_in(jax.random.key(seed), SAMPLE_STREAM)
    g = exp.family.nets["generator"]
    images = sampling.generate(g, params["generator"], state.collections["generator"], key, num,
                               exp.config.model.latent_dim, exp.family.num_classes, temperature=temperature)
    labels = sampling.grid_labels(num, exp.family.num_classes)
    return to_uint8(images), labels, {"gan_step": int(state.step), "gan_ema": sampling.uses_ema(state)}


def gan_arms(arms: tuple[str, ...]) -> list[str]:
    """The arms of `arms` that train on GAN samples."""
    return [a for a in arms if a.endswith("+gan")]


def check_arms(arms: tuple[str, ...], gan_workdir: str | None) -> None:
    """ConfigError for an unknown arm, or a GAN arm without a GAN run."""
    if bad := [a for a in arms if a not in ARMS]:
        raise ConfigError(f"Unknown arm(s) {bad}; choices: {', '.join(ARMS)}.")
    if not gan_workdir and gan_arms(arms):
        raise ConfigError(f"The arm(s) {gan_arms(arms)} need --gan_workdir (a conditional "
                          "GAN trained on the same subset).")


def study(fraction: float, subset_seed: int = 0, gan_workdir: str | None = None, synthetic_ratio: float = 1.0,
          temperature: float = 1.0, steps: int = 1000, seed: int = 0, batch_size: int = 128, data_dir: str = "",
          arms: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Test accuracy of every arm (see the module docstring), the lifts and the protocol.

    `arms` None: the subset, the subset with flips and shifts, and (given `gan_workdir`) the subset plus
    GAN samples.
    """
    start = time.time()
    if arms is None:
        arms = DEFAULT_ARMS if gan_workdir else DEFAULT_ARMS[:2]
    check_arms(tuple(arms), gan_workdir)
    images, labels = labelled_subset(fraction, subset_seed, data_dir)
    test_images, test_labels, _ = load_split(DATASET, "test", data_dir)
    if len(images) < batch_size:
        raise ConfigError(f"--fraction {fraction} leaves {len(images)} labelled images, fewer than one batch of "
                          f"{batch_size}; raise --fraction or lower --batch_size.")

    if gan_arms(arms):  # first: a GAN run that cannot serve fails here
        num = int(round(synthetic_ratio * len(images)))
        fake, fake_labels, meta = gan_samples(gan_workdir, fraction, subset_seed, num, temperature, seed)

    def score(x, y, augment=None) -> float:
        variables = classifier.train(x, y, seed, 1, batch_size, augment=augment, steps=steps)
        return classifier.accuracy(variables, test_images, test_labels)

    results: dict[str, Any] = {"fraction": fraction, "subset_seed": subset_seed, "seed": seed, "steps": steps,
                               "num_labelled": int(len(images)), "accuracy": {}}
    acc = results["accuracy"]
    for arm in ARMS:  # in this order, whatever the order asked
        if arm in arms:
            x, y = ((np.concatenate([images, fake]), np.concatenate([labels, fake_labels])) if arm in gan_arms(arms)
                    else (images, labels))
            acc[arm] = score(x, y, flip_shift if "+standard" in arm else None)
    if gan_arms(arms):
        results.update(meta, gan_workdir=gan_workdir, synthetic_ratio=synthetic_ratio, temperature=temperature,
                       num_synthetic=num)
    results.update({key: acc[arm] - acc[base] for key, arm, base in LIFTS if arm in acc and base in acc})
    results["protocol"] = (
        f"{DATASET}: a stratified {fraction:g} of the train split (subset_seed {subset_seed}, {len(images)} "
        f"images) is the only labelled data; jaxgan's classifier trained {steps} Adam steps (batch {batch_size}, "
        f"cosine decay, seed {seed}) on each arm, tested on the {len(test_labels)} real test images; standard "
        f"augmentation: random left-right flip and a shift of up to {MAX_SHIFT} px; gan: class-balanced samples "
        f"of a conditional GAN trained on the subset only")
    results["seconds"] = round(time.time() - start, 1)
    return results


def define_flags() -> None:
    flags.DEFINE_float("fraction", None, "Share of the train split that is labelled, in (0, 1].")
    flags.DEFINE_integer("subset_seed", 0, "Seed of the stratified subset (the GAN must use the same).")
    flags.DEFINE_string("gan_workdir", None, "A class-conditional run trained on the same subset (optional).")
    flags.DEFINE_float("synthetic_ratio", 1.0, "Synthetic images per real one.", lower_bound=0.0)
    flags.DEFINE_float("temperature", 1.0, "Latent scale of the GAN samples (1 = the prior).", lower_bound=0.0)
    flags.DEFINE_integer("steps", 1000, "Classifier optimizer steps of every arm.", lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed of the classifiers and of the samples.")
    flags.DEFINE_integer("batch_size", 128, "Classifier batch size.", lower_bound=1)
    flags.DEFINE_list("arms", None, f"Arms to train, of {', '.join(ARMS)} (default: the first two, and "
                      "subset+gan with --gan_workdir).")
    flags.DEFINE_string("output", None, "Optional .json file to write.")
    flags.mark_flags_as_required(["fraction"])


def main(argv: list[str]) -> None:
    del argv
    if not 0.0 < FLAGS.fraction <= 1.0:
        raise flags.ValidationError(f"--fraction must be in (0, 1], got {FLAGS.fraction}.")
    output = epath.Path(FLAGS.output) if FLAGS.output else None
    if output is not None and output.suffix != ".json":
        raise flags.ValidationError(f"--output must end in .json (it is written as JSON), got {output.name!r}.")
    arms = tuple(FLAGS.arms) if FLAGS.arms else None
    if arms:
        check_arms(arms, FLAGS.gan_workdir)  # before any data loads
    results = study(FLAGS.fraction, FLAGS.subset_seed, FLAGS.gan_workdir, FLAGS.synthetic_ratio, FLAGS.temperature,
                    FLAGS.steps, FLAGS.seed, FLAGS.batch_size, arms=arms)
    text = json.dumps(results, indent=2)
    print(text)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
