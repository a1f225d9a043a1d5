"""tensorflow-datasets image datasets, read by random access in an order fixed by (seed, step).

Registered names (`data.name`): `mnist`, `fashion_mnist`, `cifar10`,
`svhn_cropped` and `celeb_a` (its 178x218 faces are center-cropped to 140x140,
then resized to `data.image_size`, e.g. 64). Prepare a dataset once with
`python -m jaxgan.data.prepare NAME` (see `jaxgan.data.storage`).

Order: the examples form one long stream, epoch after epoch, each epoch a
permutation of the split drawn from numpy's generator seeded with (seed,
stream, epoch). Example `i` of the global batch `d` of step `t` is
stream position `(t * num_batches + d) * global_batch + i` (batch d of the step). So a batch is a pure
function of (seed, step): resuming at any step is O(1) and exact, and the
global batch is the same whatever the process count; each process reads and
decodes only its own rows, through `tfds.data_source` (array_record), with no
TensorFlow.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import itertools

import ml_collections
import numpy as np
from PIL import Image

from jaxgan.data.registry import DATASETS
from jaxgan.data.storage import DatasetNotPreparedError, damaged_message, open_source

# Sub-stream of the seed for training data, apart from any other numpy use.
_TRAIN_STREAM = 0
# Sub-stream of `data.subset_seed` for the choice of a stratified label subset.
_SUBSET_STREAM = 0x5AB5E7
# Seed of the fixed choice of reference images for metrics: the same in every
# run, whatever its seed, so reference statistics are computed once and cached.
REFERENCE_SEED = 0
# A split whose decoded examples (uint8, the yielded size) fit in this many bytes
# keeps each example in memory once it is first decoded: from the second epoch on,
# a batch is an index into memory instead of B image decodes. The reader decodes
# ~5k images/s whatever the cores (PIL under the GIL), which an H200 outruns on
# 28x28 GANs (~34k images/s); the cache lifts it past 1M/s. Same bytes either way.
CACHE_MAX_BYTES = 1 << 30


@dataclasses.dataclass(frozen=True)
class ImageSpec:
    """How to read one tfds image dataset.

    Attributes:
      label_key: the class-label feature, or None when there is none.
      crop: side of the central square crop taken before resizing (0 = none).
    """

    label_key: str | None = "label"
    crop: int = 0


IMAGE_DATASETS: dict[str, ImageSpec] = {
    "mnist": ImageSpec(),
    "fashion_mnist": ImageSpec(),
    "cifar10": ImageSpec(),
    "svhn_cropped": ImageSpec(),
    "celeb_a": ImageSpec(label_key=None, crop=140),
}


@functools.lru_cache(maxsize=8)
def epoch_permutation(seed: int, epoch: int, num_examples: int, stream: int = _TRAIN_STREAM) -> np.ndarray:
    """The order of the split in `epoch`: a read-only permutation of its indices.

    `stream` tells apart independent orders drawn from one run seed (the two
    domains of an unpaired dataset); 0 is the training data's.
    """
    perm = np.random.default_rng([seed, stream, epoch]).permutation(num_examples)
    perm.setflags(write=False)
    return perm


def stream_indices(
    seed: int, num_examples: int, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
    process_count: int = 1, stream: int = _TRAIN_STREAM,
) -> np.ndarray:
    """Indices (into `num_examples` examples) of this process's rows for `step`: int64 `[num_batches, B / P]`.

    The order described in the module docstring, shared by every dataset that
    reads a fixed set of examples so that all of them resume the same way.
    `stream` selects an independent order for the same seed (`epoch_permutation`).
    """
    per_process = global_batch // process_count
    rows = np.arange(num_batches)[:, None] * global_batch + process_index * per_process + np.arange(per_process)
    position = step * num_batches * global_batch + rows
    epoch, offset = np.divmod(position, num_examples)
    indices = np.empty_like(position)
    for e in np.unique(epoch):
        at = epoch == e
        indices[at] = epoch_permutation(seed, int(e), num_examples, stream)[offset[at]]
    return indices


def crop_and_resize(image: np.ndarray, crop: int, size: int) -> np.ndarray:
    """Central `crop` x `crop` square (0 = none), then bilinear resize to `size` (0 = none).

    Takes and returns uint8 `[H, W, C]`.
    """
    if crop:
        top, left = (image.shape[0] - crop) // 2, (image.shape[1] - crop) // 2
        image = image[top : top + crop, left : left + crop]
    if size and image.shape[:2] != (size, size):
        channels = image.shape[2]
        pil = Image.fromarray(image[..., 0] if channels == 1 else image)
        image = np.asarray(pil.resize((size, size), Image.Resampling.BILINEAR)).reshape(size, size, channels)
    return image


def to_float(images: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """uint8 images stacked as float32 in [-1, 1], the range generators produce."""
    stacked = images if isinstance(images, np.ndarray) else np.stack(images)
    return stacked.astype(np.float32) / 127.5 - 1.0


class TfdsImages:
    """A prepared tfds image split as a seeded, endlessly repeating stream of batches.

    Args:
      name: the tfds dataset name.
      spec: how to read it.
      split: the tfds split, e.g. "train" or "train[:90%]".
      data_dir: the tfds data_dir ("" = tfds's default; may be gs://).
      image_size: side of the square images yielded (0 = the stored size).
      use_labels: whether batches carry the class labels.
      seed: fixes the order of examples.
      num_threads: threads reading and decoding examples, each a slice of the batch.

    Raises:
      DatasetNotPreparedError: the split is not prepared in `data_dir`.
      ValueError: `use_labels` without labels, or sizes that cannot work.
    """

    def __init__(
        self,
        name: str,
        spec: ImageSpec,
        split: str = "train",
        data_dir: str = "",
        image_size: int = 0,
        use_labels: bool = False,
        seed: int = 0,
        num_threads: int = 4,
        classes: str = "",
        label_fraction: float = 1.0,
        subset_seed: int = 0,
    ):
        self.name, self._spec, self._image_size, self._seed = name, spec, image_size, seed
        self._data_dir, self._split = data_dir, split
        if image_size < 0:
            raise ValueError(f"data.image_size must be >= 0 (0 = native size), got {image_size}.")
        self._source = open_source(name, split, data_dir)
        features = self._source.dataset_info.features
        if use_labels and spec.label_key is None:
            raise ValueError(f"{name} has no class labels; set data.use_labels=False.")
        self._label_key = spec.label_key if use_labels else None
        self.num_classes = features[spec.label_key].num_classes if spec.label_key else 0
        self.element_shape = self._output_shape(features["image"].shape)
        self.classes = parse_classes(classes, self.num_classes, name)
        if not 0.0 < label_fraction <= 1.0:
            raise ValueError(f"data.label_fraction must be in (0, 1] (1 = the whole split), got {label_fraction}.")
        if label_fraction < 1.0 and not self.num_classes:
            raise ValueError(f"data.label_fraction={label_fraction} takes a stratified subset by class, but {name} "
                             f"has no class labels; set data.label_fraction=1.")
        self.label_fraction, self.subset_seed = float(label_fraction), int(subset_seed)
        # The split's rows this dataset streams: all of them, or those of `classes`, then a stratified fraction.
        self._rows = None
        if self.classes or label_fraction < 1.0:
            labels = read_labels(open_source(name, split, data_dir, skip_decoding=("image",)), spec.label_key)
            self._rows = subset_rows(labels, self.classes, label_fraction, subset_seed)
        self.num_examples = len(self._source) if self._rows is None else len(self._rows)
        self._cache = DecodedCache.maybe(len(self._source), self.element_shape)
        self._num_threads = num_threads
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def _output_shape(self, stored: tuple[int | None, ...]) -> tuple[int, int, int]:
        height, width, channels = stored
        if self._spec.crop:
            height = width = self._spec.crop
        if self._image_size:
            height = width = self._image_size
        if height is None or width is None:
            raise ValueError(f"{self.name} has images of varying size; set data.image_size.")
        return (height, width, channels)

    def example_indices(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> np.ndarray:
        """Indices into the split of this process's rows for `step`: int64 `[num_batches, B / P]`."""
        positions = stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index,
                                   process_count)
        return positions if self._rows is None else self._rows[positions]

    def _read(self, indices: np.ndarray) -> list[tuple[np.ndarray, int]]:
        """Reads, decodes and resizes examples `indices` (one batched read)."""
        try:
            examples = self._source.__getitems__(indices.tolist())
        except Exception as e:  # array_record/Riegeli errors: a damaged file, not a jaxgan bug
            raise DatasetNotPreparedError(damaged_message(self.name, self._split, self._data_dir, e)) from e
        out = []
        for ex in examples:
            image = crop_and_resize(ex["image"], self._spec.crop, self._image_size)
            out.append((image, int(ex[self._label_key]) if self._label_key else 0))
        return out

    def _read_threaded(self, indices: np.ndarray) -> tuple[list[np.ndarray], list[int]]:
        """`_read` of `indices` split over the reader threads: (images, labels) in the order of `indices`."""
        chunks = [c for c in np.array_split(indices, self._num_threads) if len(c)]
        images, labels = zip(*itertools.chain.from_iterable(self._pool.map(self._read, chunks)))
        return list(images), list(labels)

    def reference_images(self, split: str, num: int) -> np.ndarray:
        """`num` real images of `split` (all of it if smaller) for metrics, as float32 in [-1, 1].

        The choice is a fixed function of (split, num), independent of the
        run's seed, so reference statistics can be cached and shared by runs.
        """
        return self.reference_examples(split, num)[0]

    def reference_examples(self, split: str, num: int) -> tuple[np.ndarray, np.ndarray]:
        """`reference_images(split, num)` and their labels (int32; zeros when the dataset has none)."""
        source = open_source(self.name, split, self._data_dir)
        n = min(num, len(source))
        indices = np.sort(np.random.default_rng(REFERENCE_SEED).permutation(len(source))[:n])
        examples = source.__getitems__(indices.tolist())
        images = [crop_and_resize(ex["image"], self._spec.crop, self._image_size) for ex in examples]
        key = self._spec.label_key  # whether or not training uses labels
        labels = np.array([int(ex[key]) if key else 0 for ex in examples], np.int32)
        return to_float(images), labels

    def local_batch(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> dict[str, np.ndarray]:
        """This process's rows of the batch for `step`.

        Returns:
          `{"x": float32 [num_batches, B / P, H, W, C] in [-1, 1]}`, plus
          `"label": int32 [num_batches, B / P]` when labels are used.
        """
        indices = self.example_indices(step, global_batch, num_batches, process_index, process_count)
        if self._cache is None:
            images, labels = self._read_threaded(indices.ravel())
        else:
            images, labels = self._cache.get(indices.ravel(), self._read_threaded)
        x = to_float(images)
        batch = {"x": x.reshape(*indices.shape, *self.element_shape)}
        if self._label_key:
            batch["label"] = np.asarray(labels, np.int32).reshape(indices.shape)
        return batch


class DecodedCache:
    """Examples of one split kept in memory (uint8) once decoded, filled as batches first touch them.

    Filling on first use, instead of decoding the split up front, keeps short
    runs and tests from paying for examples they never read; each process holds
    only the rows it has read.
    """

    def __init__(self, num_rows: int, element_shape: tuple[int, ...]):
        self.images = np.zeros((num_rows, *element_shape), np.uint8)  # pages are committed as rows are filled
        self.labels = np.zeros((num_rows,), np.int32)
        self.filled = np.zeros((num_rows,), bool)

    @classmethod
    def maybe(cls, num_rows: int, element_shape: tuple[int, ...]) -> "DecodedCache | None":
        """A cache when the split's decoded size is at most CACHE_MAX_BYTES, else None."""
        return cls(num_rows, element_shape) if num_rows * int(np.prod(element_shape)) <= CACHE_MAX_BYTES else None

    def get(self, rows: np.ndarray, read) -> tuple[np.ndarray, np.ndarray]:
        """Images uint8 `[len(rows), ...]` and labels of `rows`, decoding the missing ones with `read(rows)`."""
        missing = np.unique(rows[~self.filled[rows]])
        if len(missing):
            images, labels = read(missing)
            self.images[missing], self.labels[missing] = np.stack(images), labels
            self.filled[missing] = True
        return self.images[rows], self.labels[rows]


def parse_classes(classes: str, num_classes: int, name: str) -> tuple[int, ...]:
    """`data.classes` ("3", "0,6", "" = all) as sorted class indices, or ValueError saying what is wrong."""
    if not str(classes).strip():
        return ()
    if not num_classes:
        raise ValueError(f"data.classes={classes!r}, but {name} has no class labels; set data.classes=''.")
    try:
        chosen = sorted({int(c) for c in str(classes).split(",") if c.strip()})
    except ValueError:
        raise ValueError(f"data.classes must be class indices separated by commas (e.g. '3' or '0,6'), "
                         f"got {classes!r}.") from None
    if bad := [c for c in chosen if not 0 <= c < num_classes]:
        raise ValueError(f"data.classes: {bad} out of range; {name} has classes 0-{num_classes - 1}.")
    return tuple(chosen)


def read_labels(source, label_key: str) -> np.ndarray:
    """Every example's label, in split order (open `source` with its images undecoded to make this fast)."""
    labels, chunk = [], 4096
    for start in range(0, len(source), chunk):
        keys = list(range(start, min(start + chunk, len(source))))
        labels += [int(ex[label_key]) for ex in source.__getitems__(keys)]
    return np.asarray(labels, np.int64)


def subset_rows(labels: np.ndarray, classes: tuple[int, ...] = (), fraction: float = 1.0, seed: int = 0
                ) -> np.ndarray:
    """Rows (ascending) of the examples of `classes` (all when empty), then a stratified `fraction` of them.

    Each class keeps round(fraction * its count) examples (at least one),
    drawn by a permutation seeded with (seed, class): the subset is a pure
    function of (labels, classes, fraction, seed), and a larger fraction of
    the same seed contains a smaller one.
    """
    rows = np.flatnonzero(np.isin(labels, classes)) if classes else np.arange(len(labels))
    if fraction < 1.0:
        kept = []
        for c in np.unique(labels[rows]):
            members = rows[labels[rows] == c]
            order = np.random.default_rng([seed, _SUBSET_STREAM, int(c)]).permutation(len(members))
            kept.append(members[order[: max(1, round(fraction * len(members)))]])
        rows = np.sort(np.concatenate(kept))
    rows.setflags(write=False)
    return rows


def _register(name: str, spec: ImageSpec) -> None:
    @DATASETS.register(name)
    def build(config: ml_collections.ConfigDict) -> TfdsImages:
        d = config.data
        return TfdsImages(name, spec, d.split, d.data_dir, d.image_size, d.use_labels, seed=config.seed,
                          classes=d.get("classes", ""), label_fraction=d.get("label_fraction", 1.0),
                          subset_seed=d.get("subset_seed", 0))


for _name, _spec in IMAGE_DATASETS.items():
    _register(_name, _spec)
del _name, _spec
