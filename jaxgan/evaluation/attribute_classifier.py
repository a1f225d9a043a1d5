"""The attribute classifier that scores StarGAN's translations (the paper's classification error on RaFD).

A small CNN trained on *real* renderings of an attributed dataset
(`jaxgan.data.attributed`: every train garment in the domain drawn for it)
to name the domain. Its predicted domain gives every attribute, so one
classifier serves both label styles; the `attributes` evaluator reports how
often translations show the target attributes, beside its accuracy on real
test renderings.

    python -m jaxgan.evaluation.attribute_classifier attributed_fashion_mnist [--image_size 32] [--epochs 2] [--cache_dir C]
    python -m jaxgan.evaluation.attribute_classifier celeb_a_stargan --image_size 128 --num_train 20000  # online CelebA

Any dataset registered with `attribute_task=True` (a `task` and
`reference_pairs` with `x` and `domain`) can be the argument. Its training
images are held in memory: CelebA's 20,000 at 128x128 take 3.9 GB.

Training is deterministic (the data order of epoch e is a numpy permutation
seeded by (seed, e)); the classifier is cached in
`<cache_dir>/<dataset>-<size>px_attribute_classifier/` (`classifier.save`'s layout:
Orbax variables, then `meta.json`, written last).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
from etils import epath

from jaxgan import cli
from jaxgan.evaluation import classifier, extractors
from jaxgan.parallel import sharded_map

MODULE = "python -m jaxgan.evaluation.attribute_classifier"


class DomainClassifier(nn.Module):
    """Conv32 (full resolution, for stroke width) -> 3 stride-2 convs (32, 64, 64) -> Dense128 -> domains."""

    num_domains: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.relu(nn.Conv(32, (3, 3))(x))
        for features in (32, 64, 64):
            x = nn.relu(nn.Conv(features, (3, 3), (2, 2))(x))
        x = nn.relu(nn.Dense(128)(x.reshape(x.shape[0], -1)))
        return nn.Dense(self.num_domains)(x)


def directory(dataset: str, image_size: int, cache_dir: str = "") -> epath.Path:
    return extractors.cache_dir(cache_dir) / f"{dataset}-{image_size}px_attribute_classifier"


def train_command(dataset: str, image_size: int, cache_dir: str = "") -> str:
    return (f"{MODULE} {dataset} --image_size={image_size}" + (f" --cache_dir={cache_dir}" if cache_dir else ""))


def train(images: np.ndarray, domains: np.ndarray, num_domains: int, seed: int = 0, epochs: int = 2,
          batch_size: int = 128, lr: float = 1e-3) -> dict[str, Any]:
    """Adam with a cosine-decayed rate on float `images` `[N, H, W, 3]` in [-1, 1] and int `domains`."""
    model = DomainClassifier(num_domains)
    params = model.init(jax.random.key(seed), jnp.zeros((1, *images.shape[1:])))
    steps_per_epoch = len(images) // batch_size
    tx = optax.adam(optax.cosine_decay_schedule(lr, max(epochs * steps_per_epoch, 1)))
    opt_state = tx.init(params)

    @jax.jit
    def step(params, opt_state, x, y):
        grads = jax.grad(lambda p: optax.softmax_cross_entropy_with_integer_labels(model.apply(p, x), y).mean())(params)
        updates, opt_state = tx.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state

    for epoch in range(epochs):
        order = classifier.epoch_order(seed, epoch, len(images))
        for i in range(steps_per_epoch):
            rows = order[i * batch_size : (i + 1) * batch_size]
            params, opt_state = step(params, opt_state, images[rows], domains[rows])
    return jax.device_get(params)


def predict_domains(params: dict[str, Any], images: np.ndarray, num_domains: int) -> np.ndarray:
    """The predicted domain (int) of float `images` in [-1, 1]."""
    model = DomainClassifier(num_domains)
    logits = sharded_map(lambda p, x: model.apply(p, x), params, np.asarray(images, np.float32), 512)
    return np.asarray(logits).argmax(-1)


def save(path: epath.Path, params: dict[str, Any], meta: dict[str, Any]) -> None:
    classifier.save(path, params, meta)


def load(dataset: str, num_domains: int, image_shape: tuple[int, ...], cache_dir: str = ""
         ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The cached classifier of `dataset`; FileNotFoundError names the command that trains it."""
    path = directory(dataset, image_shape[0], cache_dir)
    if not (path / "meta.json").exists():
        raise FileNotFoundError(f"No attribute classifier of {dataset} in {path}; train it once (minutes on CPU): "
                                f"`{train_command(dataset, image_shape[0], cache_dir)}`.")
    abstract = jax.eval_shape(lambda: DomainClassifier(num_domains).init(jax.random.key(0), jnp.zeros((1, *image_shape))))
    params = ocp.StandardCheckpointer().restore((path / "variables").absolute(), abstract)
    return jax.device_get(params), json.loads((path / "meta.json").read_text())


def run(dataset: str, data_dir: str = "", cache_dir: str = "", seed: int = 0, epochs: int = 2,
        num_train: int = 60_000, num_test: int = 10_000, batch_size: int = 128, image_size: int = 32) -> dict[str, Any]:
    """Trains on `num_train` real renderings of the train split, scores `num_test` of the test split, caches it."""
    from jaxgan.config import base_config
    from jaxgan.data import build_dataset

    start = time.time()
    config = base_config()
    config.data.name, config.data.data_dir, config.data.image_size = dataset, data_dir, image_size
    ds = build_dataset(config)
    train_set = ds.reference_pairs("train", num_train)
    test_set = ds.reference_pairs("test", num_test)
    params = train(train_set["x"], train_set["domain"], ds.task.num_domains, seed, epochs, batch_size)
    accuracy = float(np.mean(predict_domains(params, test_set["x"], ds.task.num_domains) == test_set["domain"]))
    meta = {"dataset": dataset, "seed": seed, "epochs": epochs, "batch_size": batch_size, "num_train": len(train_set["x"]),
            "test_domain_accuracy": accuracy, "num_test": len(test_set["x"]),
            "train_seconds": round(time.time() - start, 1)}
    path = directory(dataset, image_size, cache_dir)
    save(path, params, meta)
    print(f"{dataset} attribute classifier: test domain accuracy {accuracy:.4f}, {meta['train_seconds']} s; saved to "
          f"{path}", flush=True)
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    from jaxgan.data import DATASETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(n for n in DATASETS if DATASETS.meta(n).get("attribute_task")))
    parser.add_argument("--data_dir", default="")
    parser.add_argument("--cache_dir", default="")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--num_train", type=int, default=60_000)
    parser.add_argument("--image_size", type=int, default=32, help="the side of the runs it will score")
    args = parser.parse_args(argv)
    try:
        run(args.dataset, args.data_dir, args.cache_dir, args.seed, args.epochs, args.num_train,
            image_size=args.image_size)
    except Exception as e:  # a dataset not prepared, ...: one line that says what to do
        cli.report(e)
        raise


if __name__ == "__main__":
    main()
