"""Stacked MNIST / Fashion-MNIST: three base images in the R, G and B channels (1000 modes).

The mode-collapse benchmark of VEEGAN (Srivastava et al. 2017) and PacGAN
(Lin et al. 2018). Registered names: `stacked_mnist`, `stacked_fashion_mnist`
(base datasets `mnist`, `fashion_mnist`; prepare those with
`python -m jaxgan.data.prepare NAME`).

The dataset is fixed, whatever the run seed: stack `i` is base examples
`stack_indices[i] = (a, b, c)` of the base split, drawn once (uniformly, with
replacement) from numpy seeded by `DATASET_SEED`. There are as many stacks as
base examples (60,000 for `train`), so an epoch reads each base image three
times on average. The label of a stack is `100 * label(a) + 10 * label(b) +
label(c)`, one of 1000 modes; batches carry it with `data.use_labels` (a
class-conditional run, which makes mode counting trivial, so experiments
leave it off).

Batch order is that of `jaxgan.data.images` (`stream_indices`): a pure
function of (run seed, step), the global batch independent of the process
count, and each process reading only its own rows.
"""

from __future__ import annotations

import concurrent.futures
import itertools

import ml_collections
import numpy as np

from jaxgan.data.registry import DATASETS
from jaxgan.data.images import stream_indices, to_float
from jaxgan.data.storage import open_source

# Fixes which base images form each stack; not the run seed, so that every run sees the same dataset.
DATASET_SEED = 2017
NUM_CHANNELS = 3
BASE_DATASETS = {"stacked_mnist": "mnist", "stacked_fashion_mnist": "fashion_mnist"}


def stack_label(labels: np.ndarray) -> np.ndarray:
    """Mode of stacks from their channel labels `[..., 3]` in 0..9: `100 * l0 + 10 * l1 + l2`."""
    labels = np.asarray(labels)
    return labels[..., 0] * 100 + labels[..., 1] * 10 + labels[..., 2]


def make_stack_indices(num_base: int, num_stacks: int) -> np.ndarray:
    """The base examples of each stack: int64 `[num_stacks, 3]`, fixed by `DATASET_SEED`."""
    return np.random.default_rng([DATASET_SEED, num_base]).integers(0, num_base, size=(num_stacks, NUM_CHANNELS))


class StackedImages:
    """A stacked 28x28 grayscale dataset as a seeded, endlessly repeating stream of batches.

    Args:
      name: the registered name.
      base: the tfds base dataset ("mnist" or "fashion_mnist").
      split: the base split, e.g. "train".
      data_dir: the tfds data_dir ("" = tfds's default).
      use_labels: whether batches carry the stack labels (0..999).
      seed: the run seed; fixes the order of stacks, not the stacks.
      num_threads: threads reading and decoding base examples.

    Raises:
      DatasetNotPreparedError: the base split is not prepared in `data_dir`.
    """

    num_classes = 1000

    def __init__(self, name: str, base: str, split: str = "train", data_dir: str = "", use_labels: bool = False,
                 seed: int = 0, num_threads: int = 4):
        self.name, self.base, self._seed, self._use_labels = name, base, seed, use_labels
        self._data_dir = data_dir
        self._source = open_source(base, split, data_dir)
        height, width, _ = self._source.dataset_info.features["image"].shape
        self.element_shape = (height, width, NUM_CHANNELS)
        self.num_examples = len(self._source)
        self.stack_indices = make_stack_indices(len(self._source), self.num_examples)
        self._num_threads = num_threads
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def example_indices(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> np.ndarray:
        """Indices of the stacks of this process's rows for `step`: int64 `[num_batches, B / P]`."""
        return stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index, process_count)

    def _read(self, indices: np.ndarray) -> list[tuple[np.ndarray, int]]:
        """(uint8 image `[H, W, 1]`, label) of base examples `indices` (one batched read)."""
        return [(ex["image"], int(ex["label"])) for ex in self._source.__getitems__(indices.tolist())]

    def read_base(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Base images (uint8 `[*indices.shape, H, W]`) and labels (`[*indices.shape]`), each distinct index read once."""
        unique, inverse = np.unique(indices, return_inverse=True)
        chunks = np.array_split(unique, min(self._num_threads, len(unique)))
        images, labels = zip(*itertools.chain.from_iterable(self._pool.map(self._read, chunks)))
        images, labels = np.stack(images)[..., 0], np.asarray(labels, np.int32)
        inverse = inverse.reshape(indices.shape)
        return images[inverse], labels[inverse]

    def local_batch(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> dict[str, np.ndarray]:
        """This process's rows of the batch for `step`.

        Returns:
          `{"x": float32 [num_batches, B / P, H, W, 3] in [-1, 1]}`, plus
          `"label": int32 [num_batches, B / P]` (0..999) when labels are used.
        """
        stacks = self.example_indices(step, global_batch, num_batches, process_index, process_count)
        images, labels = self.read_base(self.stack_indices[stacks])  # [d, b, 3, H, W], [d, b, 3]
        batch = {"x": to_float(np.moveaxis(images, 2, -1))}
        if self._use_labels:
            batch["label"] = stack_label(labels).astype(np.int32)
        return batch


    def reference_images(self, split: str, num: int) -> np.ndarray:
        """The first `num` stacks of `split` (a fixed set, whatever the run seed) as float32 in [-1, 1]."""
        other = StackedImages(self.name, self.base, split, self._data_dir, num_threads=self._num_threads)
        images, _ = other.read_base(other.stack_indices[: min(num, other.num_examples)])
        return to_float(np.moveaxis(images, 1, -1))


def _register(name: str, base: str) -> None:
    @DATASETS.register(name)
    def build(config: ml_collections.ConfigDict) -> StackedImages:
        d = config.data
        if d.image_size not in (0, 28):
            raise ValueError(f"{name} is 28x28; set data.image_size=0 (got {d.image_size}).")
        return StackedImages(name, base, d.split, d.data_dir, d.use_labels, seed=config.seed)


for _name, _base in BASE_DATASETS.items():
    _register(_name, _base)
del _name, _base
