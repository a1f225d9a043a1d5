"""Datasets by name. Every dataset is a deterministic function of (seed, step).

A dataset object exposes:
  - `name`, `element_shape` (shape of one example), `num_classes` (0 when
    there are no labels);
  - `local_batch(step, global_batch, d_steps, process_index, process_count)`
    returning this process's rows `{"x": [d_steps, global_batch / P, ...]}`
    of the global batch for `step`, the same whatever the process count, plus
    `"label": int32 [d_steps, global_batch / P]` for labelled image data with
    `data.use_labels`.
Batches then go through `jaxgan.data.pipeline` onto the device mesh.
"""

from __future__ import annotations

from typing import Any

import ml_collections

from jaxgan.registry import Registry

DATASETS = Registry("dataset")

from jaxgan.data import images, mixtures  # noqa: E402,F401  (register tfds images, 2-D mixtures)
from jaxgan.data import stacked  # noqa: E402,F401  (register stacked MNIST / Fashion-MNIST)


def build_dataset(config: ml_collections.ConfigDict) -> Any:
    """Builds the dataset named `config.data.name`, seeded by `config.seed`."""
    return DATASETS.get(config.data.name)(config)
