"""Classification Accuracy Score (Ravuri & Vinyals 2019) and GAN-test (as StudioGAN reports it) of a conditional run.

    python -m jaxgan.apps.cas --workdir runs/cgan_fashion_mnist [--num_samples 60000] [--epochs 5] [--output cas.json]

- **CAS**: jaxgan's classifier (`jaxgan.evaluation.classifier`, the same
  network and protocol as the cached real-data one) is trained only on
  `num_samples` class-conditional samples of the run's (EMA) G, balanced over
  the classes (`sampling.grid_labels`), for `epochs` epochs, then tested on
  the real test split. Reported beside `real_accuracy`, the cached classifier
  trained on the real train split (`python -m jaxgan.evaluation.train_classifier`).
- **GAN-test**: the real-data classifier's accuracy on the samples, against
  the classes they were drawn for.

Samples are drawn from `jax.random.key(seed)` (CAS's own stream) and rounded
to uint8 like the real images; training is deterministic for a seed. The JSON
holds the protocol. Needs a conditional run (`data.use_labels=True`) on a
dataset with a jaxgan classifier (`mnist`, `fashion_mnist`).
"""

from __future__ import annotations

import json
import time
from typing import Any

import jax
import numpy as np
from absl import flags
from etils import epath

from jaxgan import cli, experiment, sampling
from jaxgan.config import ConfigError
from jaxgan.evaluation import classifier
from jaxgan.evaluation.train_classifier import DEFAULT_EPOCHS, load_split

FLAGS = flags.FLAGS
CAS_STREAM = 0xCA5


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> uint8, rounded as the real images were scaled."""
    return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def generated_set(exp: Any, state: Any, num: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`num` class-balanced samples (uint8) of the run and the classes they were drawn for."""
    num_classes = exp.family.num_classes
    generate = sampling.predictions(exp.family, state)["generate"]
    key = jax.random.fold_in(jax.random.key(seed), CAS_STREAM)
    return to_uint8(generate(key, num)), sampling.grid_labels(num, num_classes)


def check_run(exp: Any, workdir: str) -> str:
    """The run's dataset name, or ConfigError saying why CAS cannot score it."""
    dataset = exp.config.data.name
    if "generate" not in exp.family.predicts or not getattr(exp.family, "num_classes", 0):
        raise ConfigError(f"CAS needs a class-conditional run (data.use_labels=True); {workdir} is not one.")
    if dataset not in classifier.CLASSIFIER_DATASETS or tuple(exp.dataset.element_shape) != classifier.IMAGE_SHAPE:
        raise ConfigError(f"CAS trains jaxgan's 28x28 classifier; {workdir} is on {dataset!r} "
                          f"{tuple(exp.dataset.element_shape)}. Datasets: {', '.join(classifier.CLASSIFIER_DATASETS)}.")
    return dataset


def score(workdir: str, num_samples: int = 60_000, epochs: int = DEFAULT_EPOCHS, seed: int = 0,
          batch_size: int = 128, cache_dir: str = "") -> dict[str, Any]:
    """CAS, the real-data baseline and GAN-test of the run in `workdir` (see the module docstring)."""
    start = time.time()
    exp, state = experiment.restore_latest(workdir)
    dataset = check_run(exp, workdir)
    try:
        real_variables, real_meta = classifier.load(classifier.classifier_dir(dataset, cache_dir))
    except FileNotFoundError:
        raise ConfigError(f"CAS compares with the {dataset} classifier trained on real data; train it once: "
                          f"`{classifier.train_command(dataset, cache_dir)}`.") from None
    images, labels = generated_set(exp, state, num_samples, seed)
    cas_variables = classifier.train(images, labels, seed, epochs, batch_size)
    test_images, test_labels, _ = load_split(dataset, "test", exp.config.data.data_dir)
    return {
        "step": int(state.step),
        "cas": classifier.accuracy(cas_variables, test_images, test_labels),
        "real_accuracy": real_meta.get("test_accuracy"),
        "gan_test": classifier.accuracy(real_variables, images, labels),
        "num_samples": num_samples, "epochs": epochs, "seed": seed,
        "protocol": (f"CAS: jaxgan's {dataset} classifier trained on {num_samples} class-balanced samples of the "
                     f"{'EMA ' if sampling.uses_ema(state) else ''}G ({epochs} epochs, batch {batch_size}, seed "
                     f"{seed}), tested on the {len(test_labels)} real test images; real_accuracy: the same "
                     f"classifier trained on the real train split ({real_meta.get('epochs')} epochs); GAN-test: "
                     f"that real-data classifier on the samples, against their classes"),
        "seconds": round(time.time() - start, 1),
    }


def define_flags() -> None:
    flags.DEFINE_string("workdir", None, "A class-conditional run (data.use_labels=True).")
    flags.DEFINE_integer("num_samples", 60_000, "Generated training images (balanced over the classes).", lower_bound=1)
    flags.DEFINE_integer("epochs", DEFAULT_EPOCHS, "Classifier epochs (the real-data classifier's by default).",
                         lower_bound=1)
    flags.DEFINE_integer("seed", 0, "Seed of the samples and of the classifier's training.")
    flags.DEFINE_integer("batch_size", 128, "Classifier batch size.", lower_bound=1)
    flags.DEFINE_string("cache_dir", "", "Where the real-data classifier is cached ('' = the default).")
    flags.DEFINE_string("output", None, "Optional .json file to write.")
    flags.mark_flags_as_required(["workdir"])


def main(argv: list[str]) -> None:
    del argv
    output = epath.Path(FLAGS.output) if FLAGS.output else None
    if output is not None:
        if output.suffix != ".json":
            raise flags.ValidationError(f"--output must end in .json (it is written as JSON), got {output.name!r}.")
        output.parent.mkdir(parents=True, exist_ok=True)
    results = score(FLAGS.workdir, FLAGS.num_samples, FLAGS.epochs, FLAGS.seed, FLAGS.batch_size, FLAGS.cache_dir)
    text = json.dumps(results, indent=2)
    print(text)
    if output is not None:
        output.write_text(text + "\n")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
