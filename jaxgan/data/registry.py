"""The dataset registry; members import it from here, the package imports the members."""

from __future__ import annotations

from typing import Any

import ml_collections

from jaxgan.registry import Registry

DATASETS = Registry("dataset")


def build_dataset(config: ml_collections.ConfigDict) -> Any:
    """Builds the dataset named `config.data.name`, seeded by `config.seed`.

    Raises ValueError when `data.classes` or `data.label_fraction` is set for
    a dataset that cannot filter its training examples by class.
    """
    dataset = DATASETS.get(config.data.name)(config)
    if hasattr(dataset, "classes"):
        return dataset
    if str(config.data.get("classes", "")).strip():
        raise ValueError(f"data.classes={config.data.classes!r}, but dataset {config.data.name!r} cannot keep "
                         f"only some classes (the tfds image datasets can, e.g. fashion_mnist); set data.classes=''.")
    if config.data.get("label_fraction", 1.0) != 1.0:
        raise ValueError(f"data.label_fraction={config.data.label_fraction}, but dataset {config.data.name!r} "
                         f"cannot take a label subset (the tfds image datasets can); set data.label_fraction=1.")
    return dataset
