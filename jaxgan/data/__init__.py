"""Datasets by name. Every dataset is a deterministic function of (seed, step).

A dataset object exposes:
  - `name`, `element_shape` (shape of one example), `num_classes` (0 when
    there are no labels);
  - `local_batch(step, global_batch, num_batches, process_index, process_count)`
    returning this process's rows `{"x": [num_batches, global_batch / P, ...]}`
    of the global batch for `step`, the same whatever the process count, plus
    `"label": int32 [num_batches, global_batch / P]` for labelled image data with
    `data.use_labels`.
Batches then go through `jaxgan.data.pipeline` onto the device mesh.
"""

from jaxgan.data.registry import DATASETS, build_dataset  # noqa: F401

# Importing the members registers their datasets.
from jaxgan.data import attributed, celeba, images, mixtures, online_pairs, paired, stacked  # noqa: F401,E402  (after the registry they fill)
