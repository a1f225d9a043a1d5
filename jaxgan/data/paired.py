"""Image-to-image tasks made from real Fashion-MNIST garments, with a known truth: paired and unpaired.

Registered names (`data.name`), all from the prepared `fashion_mnist`
(`python -m jaxgan.data.prepare fashion_mnist`), garments resized to
`data.image_size` (default 32; PIL bilinear) so that U-Nets can halve them
down to 1x1:

| name | batch | input | target |
|---|---|---|---|
| `edges2fashion` | `input`, `target` | the garment's binary Sobel edges (`transforms.edge_map`) | the garment |
| `fashion_mnist_sr_x4` | `input`, `target` | the garment downsampled x4 by bicubic (8x8) | the garment (32x32) |
| `fashion_mnist_sr_x2` | `input`, `target` | the garment downsampled x2 by bicubic (16x16) | the garment (32x32) |
| `edges2fashion_unpaired` | `a`, `b` | a: garments of one half of the split | b: edge maps of garments of the other half |

Images are float32 in [-1, 1], `[num_batches, B / P, H, W, 1]`; with
`data.use_labels` a paired batch also carries the garment's class, `label`.

Splits follow Fashion-MNIST's (`data.split`, e.g. "train"); evaluation reads
`reference_pairs(split, num)`, where the truth of every input is known. In the
unpaired task, the train split is cut once into two halves by a permutation
fixed by `DATASET_SEED` (not the run seed; every class is in both), A reads
only the first and B only the second, so no garment is ever seen with its own
edges; on the test split, `reference_pairs` gives each garment with its edges.

Order: `jaxgan.data.images.stream_indices`, a pure function of (seed, step),
independent of the process count; the unpaired domains use their own
streams (1 and 2), so their orders are independent.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import itertools
from typing import Callable

import ml_collections
import numpy as np

from jaxgan.data import transforms
from jaxgan.data.images import REFERENCE_SEED, stream_indices, to_float
from jaxgan.data.registry import DATASETS
from jaxgan.data.storage import open_source

BASE = "fashion_mnist"
DEFAULT_SIZE = 32
# Fixes the unpaired task's cut of the split into its A and B halves.
DATASET_SEED = 2017
_STREAM_A, _STREAM_B = 1, 2


@dataclasses.dataclass(frozen=True)
class PairedTask:
    """How a paired task derives its input from the target garment (uint8 `[N, S, S, 1]`)."""

    make_input: Callable[[np.ndarray], np.ndarray]
    # Input side relative to the target's (1/4 for x4 super-resolution).
    input_divisor: int = 1


GARMENTS = "fashion_mnist_garments"  # the cache name of the real images all these tasks share (`reference_images`)

PAIRED_TASKS: dict[str, PairedTask] = {
    "edges2fashion": PairedTask(transforms.edge_map),
    "fashion_mnist_sr_x4": PairedTask(lambda t: transforms.downsample_bicubic(t, 4), 4),
    "fashion_mnist_sr_x2": PairedTask(lambda t: transforms.downsample_bicubic(t, 2), 2),
}


class _Garments:
    """Reads Fashion-MNIST garments of one split, resized, with their labels (threaded, batched reads)."""

    def __init__(self, split: str, data_dir: str, size: int, num_threads: int = 4):
        self.split, self.size = split, size
        self._source = open_source(BASE, split, data_dir)
        self.num_examples = len(self._source)
        self._num_threads = num_threads
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{BASE}-read")

    def _read(self, indices: np.ndarray) -> list[tuple[np.ndarray, int]]:
        return [(ex["image"], int(ex["label"])) for ex in self._source.__getitems__(indices.tolist())]

    def read(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uint8 garments `[*indices.shape, S, S, 1]` and int32 labels `[*indices.shape]`."""
        flat = np.asarray(indices).ravel()
        chunks = [c for c in np.array_split(flat, min(self._num_threads, max(len(flat), 1))) if len(c)]
        images, labels = zip(*itertools.chain.from_iterable(self._pool.map(self._read, chunks)))
        images = np.stack(images)
        if images.shape[1:3] != (self.size, self.size):
            images = transforms.resize_bilinear(images, self.size)
        return (images.reshape(*np.shape(indices), *images.shape[1:]),
                np.asarray(labels, np.int32).reshape(np.shape(indices)))

    def reference_indices(self, num: int) -> np.ndarray:
        """A fixed choice of `num` examples (all when the split is smaller), whatever the run seed."""
        n = min(num, self.num_examples)
        return np.sort(np.random.default_rng(REFERENCE_SEED).permutation(self.num_examples)[:n])


def _check_size(name: str, size: int, divisor: int) -> int:
    size = size or DEFAULT_SIZE
    if size % divisor:
        raise ValueError(f"{name}: data.image_size={size} is not divisible by the task's factor {divisor}.")
    return size


class PairedImages:
    """A paired task (`PAIRED_TASKS`) as a seeded, endlessly repeating stream of `{input, target}` batches.

    Args:
      name: the registered task name.
      split: the Fashion-MNIST split ("train", "test", or a tfds slice).
      data_dir: the tfds data_dir ("" = tfds's default).
      image_size: side of the target garments (0 = 32).
      use_labels: whether batches carry the garment's class.
      seed: fixes the order of examples.
    """

    num_classes = 10
    real_key = "target"  # the batch key holding real images (what `reference_images` returns)
    reference_name = GARMENTS  # every task's real images are the same garments: one cached reference

    def __init__(self, name: str, split: str = "train", data_dir: str = "", image_size: int = 0,
                 use_labels: bool = False, seed: int = 0):
        self.name, self._task, self._seed, self._use_labels = name, PAIRED_TASKS[name], seed, use_labels
        self._data_dir = data_dir
        size = _check_size(name, image_size, self._task.input_divisor)
        self._garments = _Garments(split, data_dir, size)
        self.num_examples = self._garments.num_examples
        self.element_shape = (size, size, 1)
        side = size // self._task.input_divisor
        self.input_shape = (side, side, 1)

    def pairs(self, garments: np.ndarray) -> dict[str, np.ndarray]:
        """`{input, target}` in [-1, 1] of uint8 garments `[..., S, S, 1]`."""
        lead = garments.shape[:-3]
        flat = garments.reshape(-1, *garments.shape[-3:])
        inputs = self._task.make_input(flat)
        return {"input": to_float(inputs).reshape(*lead, *self.input_shape),
                "target": to_float(flat).reshape(*lead, *self.element_shape)}

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        """This process's rows of step `step`: `input` and `target` `[num_batches, B / P, ...]` (and `label`)."""
        indices = stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index,
                                 process_count)
        garments, labels = self._garments.read(indices)
        batch = self.pairs(garments)
        if self._use_labels:
            batch["label"] = labels
        return batch

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """`num` fixed examples of `split` (independent of the run seed): `input`, `target`, `label`."""
        source = _Garments(split, self._data_dir, self.element_shape[0])
        garments, labels = source.read(source.reference_indices(num))
        return {**self.pairs(garments), "label": labels}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        """The targets of `reference_pairs(split, num)`: the real images metrics compare outputs with."""
        source = _Garments(split, self._data_dir, self.element_shape[0])
        return to_float(source.read(source.reference_indices(num))[0])


def unpaired_halves(num_examples: int) -> tuple[np.ndarray, np.ndarray]:
    """The unpaired task's A and B examples of the training split: a fixed, disjoint, near-equal cut."""
    perm = np.random.default_rng([DATASET_SEED, num_examples]).permutation(num_examples)
    half = num_examples // 2
    return np.sort(perm[:half]), np.sort(perm[half:])


class UnpairedImages:
    """Garments (domain A) and edge maps (domain B) from disjoint halves of a split: `{a, b}` batches.

    Args: as `PairedImages`'s (no labels: an unpaired batch has no pairs to label).
    """

    num_classes = 10
    real_key = "a"  # garments: what `reference_images` returns
    edge_keys = ("b",)  # binary edge maps: the translation evaluator adds an edge F-score with a tolerance
    reference_name = GARMENTS

    def __init__(self, name: str, split: str = "train", data_dir: str = "", image_size: int = 0, seed: int = 0):
        self.name, self._seed, self._data_dir = name, seed, data_dir
        size = _check_size(name, image_size, 1)
        self._garments = _Garments(split, data_dir, size)
        self.element_shape = self.input_shape = (size, size, 1)
        self.domain_a, self.domain_b = unpaired_halves(self._garments.num_examples)
        self.num_examples = len(self.domain_a)

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        """This process's rows: `a` (garments) and `b` (edge maps) `[num_batches, B / P, S, S, 1]`."""
        rows = {}
        for key, domain, stream in (("a", self.domain_a, _STREAM_A), ("b", self.domain_b, _STREAM_B)):
            positions = stream_indices(self._seed, len(domain), step, global_batch, num_batches, process_index,
                                       process_count, stream=stream)
            rows[key] = self._garments.read(domain[positions])[0]
        b = transforms.edge_map(rows["b"].reshape(-1, *self.element_shape)).reshape(rows["b"].shape)
        return {"a": to_float(rows["a"]), "b": to_float(b)}

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """`num` fixed garments of `split` with their own edges (the truth of A->B): `a`, `b`, `label`."""
        source = _Garments(split, self._data_dir, self.element_shape[0])
        garments, labels = source.read(source.reference_indices(num))
        return {"a": to_float(garments), "b": to_float(transforms.edge_map(garments)), "label": labels}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        """Real garments (domain A) of `split`: what B->A translations are compared with."""
        return self.reference_pairs(split, num)["a"]


def _register_paired(name: str) -> None:
    @DATASETS.register(name, batch_keys=("input", "target"))
    def build(config: ml_collections.ConfigDict) -> PairedImages:
        d = config.data
        return PairedImages(name, d.split, d.data_dir, d.image_size, d.use_labels, seed=config.seed)


for _name in PAIRED_TASKS:
    _register_paired(_name)
del _name


@DATASETS.register("edges2fashion_unpaired", batch_keys=("a", "b"))
def _build_unpaired(config: ml_collections.ConfigDict) -> UnpairedImages:
    d = config.data
    if d.use_labels:
        raise ValueError("edges2fashion_unpaired has no pairs to label; set data.use_labels=False.")
    return UnpairedImages("edges2fashion_unpaired", d.split, d.data_dir, d.image_size, seed=config.seed)
