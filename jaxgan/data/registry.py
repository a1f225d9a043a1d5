"""The dataset registry; members import it from here, the package imports the members."""

from __future__ import annotations

from typing import Any

import ml_collections

from jaxgan.registry import Registry

DATASETS = Registry("dataset")


def build_dataset(config: ml_collections.ConfigDict) -> Any:
    """Builds the dataset named `config.data.name`, seeded by `config.seed`."""
    return DATASETS.get(config.data.name)(config)
