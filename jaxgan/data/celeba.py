"""CelebA with StarGAN's five attributes (online; prepare once with `python -m jaxgan.data.prepare celeb_a`).

`celeb_a_stargan`: tfds `celeb_a` faces with the attributes Choi et al.
(2018) translate: Black_Hair, Blond_Hair, Brown_Hair (exclusive), Male and
Young. Their 12 combinations are the domains (`task.table`, the same layout
as `attributed_fashion_mnist`: three exclusive attributes, then two binary
ones), so the `stargan` family and its `attributes` evaluator run unchanged.

Preprocessing, as the authors' loader (`data_loader.py` of yunjey/stargan):
a central 178x178 crop of the 178x218 image, a bilinear resize to
`data.image_size` (128), and a random horizontal flip in training, drawn
from numpy seeded by (seed, stream, step, row of the global batch), so a
batch is a pure function of (seed, step) for any process count.

One difference, because a domain needs one hair colour: the authors keep
every image and feed its raw five bits as the label, including faces with no
listed hair colour (bald, grey, red) or with two. Here only the faces with
exactly one of the three hair colours are kept (their domain is their row of
the table). The kept rows are found once per split from the attributes
alone (images undecoded) and logged with their count.

Evaluation (`reference_pairs`): the first `num` kept faces of the split,
with their domain and attributes, `paired=False`: there is no true
translation, so the `attributes` evaluator reports what the paper measures
without one, the attribute classifier's accuracy on translations (train it
with `python -m jaxgan.evaluation.attribute_classifier celeb_a_stargan
--image_size 128 --num_train 20000`) and the reconstruction L1.
"""

from __future__ import annotations

import concurrent.futures

import ml_collections
import numpy as np
from absl import logging
from PIL import Image

from jaxgan.data.attributed import AttributeTask, full_table
from jaxgan.data.images import stream_indices, to_float
from jaxgan.data.online_pairs import global_rows, row_rng
from jaxgan.data.registry import DATASETS
from jaxgan.data.storage import open_source

TFDS_NAME = "celeb_a"
HAIR = ("Black_Hair", "Blond_Hair", "Brown_Hair")
TASK = AttributeTask((*HAIR, "Male", "Young"), full_table())
CROP = 178  # the authors' CenterCrop(178) of the 178x218 aligned faces


def split_domains(source) -> tuple[np.ndarray, np.ndarray]:
    """(rows kept, their domains) of an opened split: the faces whose five attributes are a row of `TASK.table`."""
    vectors, chunk = [], 4096
    for start in range(0, len(source), chunk):
        for ex in source.__getitems__(list(range(start, min(start + chunk, len(source))))):
            vectors.append([bool(ex["attributes"][name]) for name in TASK.attributes])
    vectors = np.asarray(vectors, np.float32).reshape(-1, len(TASK.attributes))
    match = np.all(vectors[:, None, :] == TASK.table[None, :, :], axis=-1)  # [N, domains]
    rows = np.flatnonzero(match.any(axis=1))
    return rows, match[rows].argmax(axis=1).astype(np.int32)


def face(image: np.ndarray, size: int, flip: bool = False) -> np.ndarray:
    """The authors' transform of one uint8 face: central CROP square, bilinear resize to `size`, optional flip."""
    h, w = image.shape[:2]
    side = min(CROP, h, w)
    top, left = (h - side) // 2, (w - side) // 2
    out = np.asarray(Image.fromarray(image[top : top + side, left : left + side]).resize(
        (size, size), Image.Resampling.BILINEAR))
    return out[:, ::-1] if flip else out


class CelebAAttributes:
    """CelebA faces with one of the three hair colours, as `{x, attributes, domain}` batches."""

    real_key = "x"
    num_classes = 0

    def __init__(self, name: str, split: str = "train", data_dir: str = "", image_size: int = 0, seed: int = 0,
                 num_threads: int = 4):
        self.name, self.task, self._seed, self._data_dir = name, TASK, seed, data_dir
        self._size = image_size or 128
        self.element_shape = self.input_shape = (self._size, self._size, 3)
        self._source = open_source(TFDS_NAME, split, data_dir)
        self._split_domains: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._rows, self.domains = self._kept(split)
        self.num_examples = len(self._rows)
        self._pool = concurrent.futures.ThreadPoolExecutor(num_threads, thread_name_prefix=f"{name}-read")

    def _kept(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """The kept rows of `split` and their domains, read once per split (every eval asks again)."""
        if split in self._split_domains:
            return self._split_domains[split]
        rows, domains = split_domains(open_source(TFDS_NAME, split, self._data_dir, skip_decoding=("image",)))
        if not len(rows):
            raise ValueError(f"{self.name}: no face of celeb_a '{split}' has exactly one of {', '.join(HAIR)}.")
        logging.info("%s '%s': %d faces have exactly one of %s.", self.name, split, len(rows), "/".join(HAIR))
        self._split_domains[split] = rows, domains
        return rows, domains

    def _read(self, source, rows: np.ndarray, flips: list[bool]) -> np.ndarray:
        examples = source.__getitems__([int(r) for r in rows])
        faces = list(self._pool.map(lambda ef: face(ef[0]["image"], self._size, ef[1]), zip(examples, flips)))
        return to_float(faces)

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        positions = stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index,
                                   process_count)
        flips = [bool(rng.random() < 0.5) for rng in row_rng(self._seed, 0, step,
                                                              global_rows(global_batch, num_batches, process_index,
                                                                          process_count))]
        domain = self.domains[positions.ravel()]
        images = self._read(self._source, self._rows[positions.ravel()], flips)
        shape = positions.shape
        return {"x": images.reshape(*shape, *self.element_shape),
                "attributes": self.task.table[domain].reshape(*shape, -1), "domain": domain.reshape(shape)}

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """The first `num` kept faces of `split` (no flip) with their `domain` and `attributes`; no truth."""
        source = open_source(TFDS_NAME, split, self._data_dir)
        rows, domains = (a[:num] for a in self._kept(split))
        return {"x": self._read(source, rows, [False] * len(rows)), "domain": domains,
                "attributes": self.task.table[domains], "paired": False}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self.reference_pairs(split, num)["x"]


@DATASETS.register("celeb_a_stargan", batch_keys=("x", "attributes", "domain"), attribute_task=True)
def _build(config: ml_collections.ConfigDict) -> CelebAAttributes:
    d = config.data
    if d.use_labels:
        raise ValueError("celeb_a_stargan conditions on attributes, not classes; set data.use_labels=False.")
    return CelebAAttributes("celeb_a_stargan", d.split, d.data_dir, d.image_size, seed=config.seed)
