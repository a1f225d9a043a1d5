"""A small CNN classifier for 28x28 grayscale images: training, its cache, and its extractors.

Its penultimate activations are the features of "classifier-FID/KID/
precision/recall" and its softmax gives a classifier Inception Score and the
per-channel labels of stacked mode counting (`jaxgan.evaluation.stacked_modes`).

Training is deterministic: the same seed gives bitwise-identical parameters on
the same machine. The data order of epoch `e` is a numpy permutation seeded by
(seed, e) and the dropout key of step `t` is `fold_in(key(seed), t)`.

A trained classifier lives in `<cache_dir>/<dataset>_classifier/`: `variables/`
(Orbax: params and BatchNorm statistics) and `meta.json` (accuracy, seed,
epochs, dataset version), written last so that its presence means the
classifier is complete. Extractors `mnist_classifier` and
`fashion_mnist_classifier` load it, or raise `ExtractorUnavailable` with the
command that trains it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from etils import epath

from jaxgan.data.images import to_float
from jaxgan.evaluation import extractors
from jaxgan.evaluation.extractors import EXTRACTORS, Extractor, ExtractorUnavailable, params_checksum
from jaxgan.parallel import sharded_map

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
FEATURE_DIM = 256
TRAIN_COMMAND = "python -m jaxgan.evaluation.train_classifier"
CLASSIFIER_DATASETS = ("mnist", "fashion_mnist")
_META_FILE = "meta.json"
_VARIABLES_DIR = "variables"


class Classifier(nn.Module):
    """Conv32-pool-Conv64-Conv64-pool-Dense256-Dropout-Dense10, BatchNorm after each hidden layer.

    BatchNorm lets Adam reach the accuracy targets in a few epochs; one conv at
    full resolution (not two) cuts the CPU time per step by about 40%.
    """

    dropout: float = 0.3

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False) -> tuple[jax.Array, jax.Array]:
        """Images `[B, 28, 28, 1]` in [-1, 1] -> (features `[B, 256]`, logits `[B, 10]`)."""

        def norm_relu(h):
            return nn.relu(nn.BatchNorm(use_running_average=not train, momentum=0.9)(h))

        x = nn.max_pool(norm_relu(nn.Conv(32, (3, 3))(x)), (2, 2), strides=(2, 2))
        x = norm_relu(nn.Conv(64, (3, 3))(x))
        x = nn.max_pool(norm_relu(nn.Conv(64, (3, 3))(x)), (2, 2), strides=(2, 2))
        features = norm_relu(nn.Dense(FEATURE_DIM)(x.reshape(x.shape[0], -1)))
        hidden = nn.Dropout(self.dropout, deterministic=not train)(features)
        return features, nn.Dense(NUM_CLASSES)(hidden)


MODEL = Classifier()


def init_variables(seed: int) -> dict[str, Any]:
    """Fresh `{"params", "batch_stats"}` from `seed`."""
    return MODEL.init(jax.random.key(seed), jnp.zeros((1, *IMAGE_SHAPE)))


def forward(variables: dict[str, Any], images: jax.Array) -> dict[str, jax.Array]:
    """Eval-mode features and softmax probabilities of images `[B, 28, 28, 1]` in [-1, 1]."""
    features, logits = MODEL.apply(variables, images, train=False)
    return {"features": features, "probs": jax.nn.softmax(logits)}


def predict(variables: dict[str, Any], images: np.ndarray, batch_size: int = 512) -> dict[str, np.ndarray]:
    """`forward` over numpy `images` in [-1, 1], batched and split across devices.

    Grayscale images of another size (32x32 translations) are resized to
    28x28 inside (`_resized_forward`).

    Raises:
      ValueError: images are not `[N, 28, 28, 1]` (3-channel images are labelled channel by channel).
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != IMAGE_SHAPE[-1]:
        raise ValueError(
            f"The classifier takes grayscale images [N, H, W, 1] in [-1, 1], got shape {images.shape}; "
            "label stacked (RGB) images channel by channel (jaxgan.evaluation.stacked_modes)."
        )
    return sharded_map(forward if images.shape[1:] == IMAGE_SHAPE else _resized_forward, variables, images, batch_size)


def _resized_forward(variables: dict[str, Any], images: jax.Array) -> dict[str, jax.Array]:
    """`forward` of images of another size, resized to 28x28 first (bilinear, antialiased when shrinking)."""
    resized = jax.image.resize(images, (images.shape[0], *IMAGE_SHAPE), "linear")
    return forward(variables, resized)


def accuracy(variables: dict[str, Any], images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of uint8 `images` whose argmax class equals `labels`."""
    probs = predict(variables, to_float(images))["probs"]
    return float(np.mean(probs.argmax(axis=1) == np.asarray(labels)))


_ADAM = optax.scale_by_adam()
_AUGMENT_STREAM = 0xA06


@jax.jit
def _train_step(variables, opt_state, images, labels, dropout_key, lr):
    """One Adam step at learning rate `lr`; the rate is an argument so one compilation serves every schedule."""

    def loss_fn(params):
        (_, logits), updates = MODEL.apply(
            {"params": params, "batch_stats": variables["batch_stats"]}, images, train=True,
            rngs={"dropout": dropout_key}, mutable=["batch_stats"],
        )
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean(), updates

    grads, updates = jax.grad(loss_fn, has_aux=True)(variables["params"])
    directions, opt_state = _ADAM.update(grads, opt_state)
    params = jax.tree.map(lambda p, d: p - lr * d, variables["params"], directions)
    return {"params": params, "batch_stats": updates["batch_stats"]}, opt_state


def epoch_order(seed: int, epoch: int, num_examples: int) -> np.ndarray:
    """The example order of `epoch`: a permutation from numpy seeded by (seed, epoch)."""
    return np.random.default_rng([seed, epoch]).permutation(num_examples)


def train(
    images: np.ndarray, labels: np.ndarray, seed: int, epochs: int, batch_size: int = 128, lr: float = 1e-3,
    log_every: int = 0, augment: Callable[[jax.Array, jax.Array], jax.Array] | None = None,
    steps: int | None = None,
) -> dict[str, Any]:
    """Trains the classifier on uint8 `images` `[N, 28, 28, 1]` with int `labels` `[N]`.

    Adam with a cosine-decayed learning rate (so the last epoch settles at a
    low rate rather than stopping mid-step); each epoch drops its last partial batch so every
    step has the same shape.

    Args:
      images, labels: the training split.
      seed: fixes the initialization, the data order and dropout.
      epochs: passes over the data.
      batch_size: examples per step.
      lr: peak learning rate.
      log_every: print the step every this many steps (0 = never).
      augment: `(key, images in [-1, 1]) -> images`, applied to each batch
        with a key of (seed, step) (e.g. `apps.augment.flip_shift`); None: none.
      steps: train exactly this many steps instead (epochs as needed, the
        last one cut short), so that training sets of different sizes get
        the same optimisation budget; None: `epochs` whole epochs.

    Returns:
      `{"params", "batch_stats"}` as numpy.
    """
    steps_per_epoch = len(images) // batch_size
    if steps_per_epoch < 1:
        raise ValueError(f"{len(images)} examples are fewer than one batch of {batch_size}.")
    total_steps = epochs * steps_per_epoch if steps is None else steps
    epochs = -(-total_steps // steps_per_epoch)
    schedule = optax.cosine_decay_schedule(lr, total_steps)
    variables = init_variables(seed)
    opt_state = _ADAM.init(variables["params"])
    dropout_root = jax.random.key(seed)
    augment_root = jax.random.fold_in(dropout_root, _AUGMENT_STREAM)
    x_all, y_all = to_float(images), np.asarray(labels, np.int32)
    for epoch in range(epochs):
        order = epoch_order(seed, epoch, len(images))
        for i in range(steps_per_epoch):
            step = epoch * steps_per_epoch + i
            if step == total_steps:
                break
            rows = order[i * batch_size : (i + 1) * batch_size]
            x = x_all[rows]
            if augment is not None:
                x = augment(jax.random.fold_in(augment_root, step), x)
            variables, opt_state = _train_step(
                variables, opt_state, x, y_all[rows], jax.random.fold_in(dropout_root, step),
                np.float32(schedule(step)),
            )
            if log_every and step % log_every == 0:
                print(f"epoch {epoch} step {step}/{total_steps}", flush=True)
    return jax.device_get(variables)


def classifier_dir(dataset: str, cache_dir: str = "") -> epath.Path:
    """Where the classifier of `dataset` is cached (`cache_dir` "": `extractors.cache_dir`'s default)."""
    return extractors.cache_dir(cache_dir) / f"{dataset}_classifier"


def train_command(dataset: str, cache_dir: str = "") -> str:
    """The command that trains and caches the classifier of `dataset`."""
    return f"{TRAIN_COMMAND} {dataset}" + (f" --cache_dir={cache_dir}" if cache_dir else "")


def save(directory: epath.PathLike, variables: dict[str, Any], meta: dict[str, Any]) -> None:
    """Writes `variables` (Orbax) then `meta` (JSON) into `directory`, replacing what is there."""
    directory = epath.Path(directory)
    (directory / _META_FILE).unlink(missing_ok=True)  # incomplete until meta is back
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save((directory / _VARIABLES_DIR).absolute(), variables, force=True)
    checkpointer.wait_until_finished()
    (directory / _META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True))


def load(directory: epath.PathLike) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reads `(variables, meta)` saved by `save`.

    Raises:
      FileNotFoundError: no complete classifier in `directory`.
    """
    directory = epath.Path(directory)
    if not (directory / _META_FILE).exists():
        raise FileNotFoundError(f"No trained classifier in {directory}.")
    abstract = jax.eval_shape(lambda: init_variables(0))
    variables = ocp.StandardCheckpointer().restore((directory / _VARIABLES_DIR).absolute(), abstract)
    return jax.device_get(variables), json.loads((directory / _META_FILE).read_text())


def build_extractor(dataset: str, cache_dir: str = "") -> Extractor:
    """The extractor of the cached classifier of `dataset`.

    Raises:
      ExtractorUnavailable: it is not trained yet; the message gives the command.
    """
    name = f"{dataset}_classifier"
    try:
        variables, _ = load(classifier_dir(dataset, cache_dir))
    except FileNotFoundError:
        raise ExtractorUnavailable(
            f"Extractor {name!r} needs a trained {dataset} classifier in {classifier_dir(dataset, cache_dir)}. "
            f"Train it once (minutes on CPU): `{train_command(dataset, cache_dir)}`."
        ) from None
    return Extractor(
        name=name,
        label=f"{name}, jaxgan's own CNN (classifier features: not Inception)",
        checksum=params_checksum(variables),
        feature_dim=FEATURE_DIM,
        num_classes=NUM_CLASSES,
        apply=lambda images: predict(variables, images),
    )


def _register(dataset: str) -> None:
    @EXTRACTORS.register(f"{dataset}_classifier")
    def build(eval_config: Any) -> Extractor:
        return build_extractor(dataset, eval_config.get("cache_dir", ""))


for _dataset in CLASSIFIER_DATASETS:
    _register(_dataset)
del _dataset
