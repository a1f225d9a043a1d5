"""The published image-to-image datasets from the tfds catalog (prepare online once; not runnable offline).

| `data.name` | tfds | batch | training augmentation (the papers') |
|---|---|---|---|
| `horse2zebra`, `monet2photo` | `cycle_gan/<name>` (trainA/trainB, testA/testB) | `a`, `b` | resize to 286 (bicubic), random 256 crop, random flip (CycleGAN) |
| `div2k_x4` | `div2k/bicubic_x4` (train, validation) | `input`, `target` | aligned random crops, 24x24 LR / 96x96 HR (SRGAN), random flip |
| `cityscapes_labels2photo` | `cityscapes/semantic_segmentation` (train 2,975, validation 500; manual download) | `input` (colour label map), `target` (photo) | resize to 286, one random 256 crop and flip for both (pix2pix) |

Prepare with `pip install -e ".[prepare]" && python -m jaxgan.data.prepare
cycle_gan/horse2zebra` (or `div2k/bicubic_x4`). Augmentations draw from
numpy seeded by (seed, stream, step, row of the global batch), so a batch is
a pure function of (seed, step), the same for any process count.

pix2pix's paired sets: its Cityscapes labels->photo is the one the tfds
catalog has (its facades, maps and edges2* are not in the catalog;
`cycle_gan/facades` and `cycle_gan/maps` hold the same photos but shuffled,
without the pairing). tfds stores Cityscapes' `labelIds`; they are drawn with
the official palette (`CITYSCAPES_PALETTE`, cityscapesScripts' labels.py), as
pix2pix's colour label maps were, and resized nearest-neighbour so that every
pixel keeps a palette colour. The photo is resized bicubic.

Evaluation: unpaired sets have no truth, so their `reference_pairs` has
`paired=False` and the translation evaluator reports realism only (FID of
A->B outputs against real test B, and B->A against real test A). DIV2K's
validation pairs are the central crops (`eval_crop` HR pixels) of its 100
images, with their truth.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses

import ml_collections
import numpy as np
from PIL import Image

from jaxgan.data.images import stream_indices, to_float
from jaxgan.data.registry import DATASETS
from jaxgan.data.storage import open_source

_AUGMENT_STREAM = 7


def row_rng(seed: int, stream: int, step: int, rows: np.ndarray) -> list[np.random.Generator]:
    """One generator per global-batch row: the same draws whatever process reads the row."""
    return [np.random.default_rng([seed, _AUGMENT_STREAM, stream, step, int(r)]) for r in rows.ravel()]


def global_rows(global_batch: int, num_batches: int, process_index: int, process_count: int) -> np.ndarray:
    """Positions in the step's global batches of this process's rows `[num_batches, B / P]`."""
    per = global_batch // process_count
    return np.arange(num_batches)[:, None] * global_batch + process_index * per + np.arange(per)


def jitter(image: np.ndarray, load_size: int, crop: int, rng: np.random.Generator) -> np.ndarray:
    """CycleGAN's training augmentation: resize to `load_size` (bicubic), random `crop` square, random flip."""
    image = np.asarray(Image.fromarray(image).resize((load_size, load_size), Image.Resampling.BICUBIC))
    top, left = rng.integers(0, load_size - crop + 1, size=2)
    image = image[top : top + crop, left : left + crop]
    return image[:, ::-1] if rng.random() < 0.5 else image


@dataclasses.dataclass(frozen=True)
class _Unpaired:
    tfds_name: str
    load_size: int = 286
    crop: int = 256


UNPAIRED = {"horse2zebra": _Unpaired("cycle_gan/horse2zebra"), "monet2photo": _Unpaired("cycle_gan/monet2photo")}


class TfdsUnpaired:
    """Two tfds splits (trainA, trainB) as independent, seeded streams of `{a, b}` batches."""

    num_classes = 0
    real_key = "a"

    def __init__(self, name: str, data_dir: str = "", image_size: int = 0, seed: int = 0, num_threads: int = 4):
        spec = UNPAIRED[name]
        self.name, self._spec, self._seed, self._data_dir = name, spec, seed, data_dir
        self._size = image_size or spec.crop
        self.element_shape = self.input_shape = (self._size, self._size, 3)
        self._sources = {d: open_source(spec.tfds_name, f"train{d.upper()}", data_dir) for d in "ab"}
        self.num_examples = min(len(s) for s in self._sources.values())
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        rows = global_rows(global_batch, num_batches, process_index, process_count)
        batch = {}
        load = self._spec.load_size * self._size // self._spec.crop
        for stream, (domain, source) in enumerate(self._sources.items(), start=1):
            indices = stream_indices(self._seed, len(source), step, global_batch, num_batches, process_index,
                                     process_count, stream=stream)
            examples = source.__getitems__(indices.ravel().tolist())
            rngs = row_rng(self._seed, stream, step, rows)
            images = list(self._pool.map(lambda er: jitter(er[0]["image"], load, self._size, er[1]),
                                         zip(examples, rngs)))
            batch[domain] = to_float(images).reshape(*indices.shape, *self.element_shape)
        return batch

    def _test_images(self, domain: str, num: int) -> np.ndarray:
        source = open_source(self._spec.tfds_name, f"test{domain.upper()}", self._data_dir)
        examples = source.__getitems__(list(range(min(num, len(source)))))
        size = (self._size, self._size)
        return to_float([np.asarray(Image.fromarray(e["image"]).resize(size, Image.Resampling.BICUBIC))
                         for e in examples])

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """The first `num` test images of each domain, resized; unrelated to each other (`paired` False)."""
        return {"a": self._test_images("a", num), "b": self._test_images("b", num), "paired": False}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self._test_images("a", num)

    def domain_images(self, domain: str, split: str, num: int) -> np.ndarray:
        """Real test images of `domain`: what translations into it are compared with."""
        return self._test_images(domain, num)


class _AlignedPairs:
    """A paired tfds source as `{input, target}` batches; subclasses give `_pair(example, rng or None)`.

    `rng` is the row's generator for training jitter; None means the fixed
    test-time form (a central crop, a plain resize).
    """

    num_classes = 0
    real_key = "target"
    tfds_name = ""

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        indices = stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index,
                                 process_count)
        rows = global_rows(global_batch, num_batches, process_index, process_count)
        examples = self._source.__getitems__(indices.ravel().tolist())
        pairs = list(self._pool.map(lambda er: self._pair(*er), zip(examples, row_rng(self._seed, 0, step, rows))))
        inputs, targets = zip(*pairs)
        return {"input": to_float(inputs).reshape(*indices.shape, *self.input_shape),
                "target": to_float(targets).reshape(*indices.shape, *self.element_shape)}

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """The test-time pairs of the first `num` examples of `split`."""
        source = open_source(self.tfds_name, split, self._data_dir)
        pairs = [self._pair(e, None) for e in source.__getitems__(list(range(min(num, len(source)))))]
        inputs, targets = zip(*pairs)
        return {"input": to_float(inputs), "target": to_float(targets)}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self.reference_pairs(split, num)["target"]


class Div2k(_AlignedPairs):
    """DIV2K bicubic x4 as aligned random LR/HR crops (`input`/`target`) for SRGAN; tests on central crops."""

    tfds_name = "div2k/bicubic_x4"
    factor = 4

    def __init__(self, name: str, data_dir: str = "", image_size: int = 0, seed: int = 0, eval_crop: int = 384,
                 num_threads: int = 4):
        self.name, self._seed, self._data_dir, self._eval_crop = name, seed, data_dir, eval_crop
        crop = image_size or 96
        if crop % self.factor:
            raise ValueError(f"{name}: data.image_size={crop} is not divisible by the factor {self.factor}.")
        self.element_shape, self.input_shape = (crop, crop, 3), (crop // 4, crop // 4, 3)
        self._source = open_source(self.tfds_name, "train", data_dir)
        self.num_examples = len(self._source)
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def _pair(self, example: dict, rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray]:
        lr, hr = example["lr"], example["hr"]
        side = (self._eval_crop if rng is None else self.element_shape[0]) // self.factor
        if lr.shape[0] < side or lr.shape[1] < side or hr.shape[0] < self.factor * lr.shape[0]:
            raise ValueError(f"div2k: an image of LR size {lr.shape[:2]} is smaller than the crop {side}.")
        if rng is None:
            top, left = (lr.shape[0] - side) // 2, (lr.shape[1] - side) // 2
        else:
            top, left = rng.integers(0, lr.shape[0] - side + 1), rng.integers(0, lr.shape[1] - side + 1)
        lr = lr[top : top + side, left : left + side]
        f = self.factor
        hr = hr[f * top : f * (top + side), f * left : f * (left + side)]
        if rng is not None and rng.random() < 0.5:
            lr, hr = lr[:, ::-1], hr[:, ::-1]
        return lr, hr


# Cityscapes labelId -> RGB (cityscapesScripts helpers/labels.py): ids 0-4 are unlabeled/void (black).
CITYSCAPES_PALETTE = np.array(
    [(0, 0, 0)] * 5 + [(111, 74, 0), (81, 0, 81), (128, 64, 128), (244, 35, 232), (250, 170, 160), (230, 150, 140),
     (70, 70, 70), (102, 102, 156), (190, 153, 153), (180, 165, 180), (150, 100, 100), (150, 120, 90),
     (153, 153, 153), (153, 153, 153), (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152),
     (70, 130, 180), (220, 20, 60), (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 0, 90), (0, 0, 110),
     (0, 80, 100), (0, 0, 230), (119, 11, 32)], np.uint8)


def colour_labels(label_ids: np.ndarray) -> np.ndarray:
    """Cityscapes labelIds `[H, W]` or `[H, W, 1]` -> the official colour map `[H, W, 3]` (ids past 33 black)."""
    ids = np.asarray(label_ids).reshape(np.shape(label_ids)[:2]).astype(np.int64)
    return np.where((ids < len(CITYSCAPES_PALETTE))[..., None], CITYSCAPES_PALETTE[np.minimum(ids, 33)], 0
                    ).astype(np.uint8)


def paired_jitter(label: np.ndarray, photo: np.ndarray, load_size: int, crop: int, rng: np.random.Generator | None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """pix2pix's jitter with one crop and flip for both images; `rng` None: a plain resize to `crop`."""
    size = crop if rng is None else load_size
    label = np.asarray(Image.fromarray(label).resize((size, size), Image.Resampling.NEAREST))
    photo = np.asarray(Image.fromarray(photo).resize((size, size), Image.Resampling.BICUBIC))
    if rng is None:
        return label, photo
    top, left = rng.integers(0, load_size - crop + 1, size=2)
    label, photo = label[top : top + crop, left : left + crop], photo[top : top + crop, left : left + crop]
    return (label[:, ::-1], photo[:, ::-1]) if rng.random() < 0.5 else (label, photo)


class CityscapesPairs(_AlignedPairs):
    """Cityscapes colour label maps (`input`) and their photos (`target`): pix2pix's labels->photo."""

    tfds_name = "cityscapes/semantic_segmentation"

    def __init__(self, name: str, data_dir: str = "", image_size: int = 0, seed: int = 0, num_threads: int = 4):
        self.name, self._seed, self._data_dir = name, seed, data_dir
        self._size = image_size or 256
        self._load = 286 * self._size // 256
        self.element_shape = self.input_shape = (self._size, self._size, 3)
        self._source = open_source(self.tfds_name, "train", data_dir)
        self.num_examples = len(self._source)
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def _pair(self, example: dict, rng: np.random.Generator | None) -> tuple[np.ndarray, np.ndarray]:
        return paired_jitter(colour_labels(example["segmentation_label"]), example["image_left"], self._load,
                             self._size, rng)


def _register_unpaired(name: str) -> None:
    @DATASETS.register(name, batch_keys=("a", "b"))
    def build(config: ml_collections.ConfigDict) -> TfdsUnpaired:
        if config.data.use_labels:
            raise ValueError(f"{name} has no labels; set data.use_labels=False.")
        return TfdsUnpaired(name, config.data.data_dir, config.data.image_size, seed=config.seed)


for _name in UNPAIRED:
    _register_unpaired(_name)
del _name


@DATASETS.register("div2k_x4", batch_keys=("input", "target"))
def _build_div2k(config: ml_collections.ConfigDict) -> Div2k:
    if config.data.use_labels:
        raise ValueError("div2k_x4 has no labels; set data.use_labels=False.")
    return Div2k("div2k_x4", config.data.data_dir, config.data.image_size, seed=config.seed)


@DATASETS.register("cityscapes_labels2photo", batch_keys=("input", "target"))
def _build_cityscapes(config: ml_collections.ConfigDict) -> CityscapesPairs:
    if config.data.use_labels:
        raise ValueError("cityscapes_labels2photo has no class labels; set data.use_labels=False.")
    return CityscapesPairs("cityscapes_labels2photo", config.data.data_dir, config.data.image_size, seed=config.seed)
