"""Garments with attributes whose every rendering is known: StarGAN's offline task (and pairwise CycleGAN's).

Real Fashion-MNIST garments (prepared `fashion_mnist`, resized to
`data.image_size`, default 32; PIL bilinear) rendered in RGB with
attributes, in this order:
  - `bold`: a 3x3 grey dilation (the garment's strokes thicken by a pixel);
  - `inverted`: 255 - intensity;
  - the colour, exclusive like hair colour: the intensity goes to the `red`,
    `green` or `blue` channel, the other two are 0.
`render(garment, domain)` is exact and deterministic, so for a test garment
and any target attributes the true translation is known.

| name | attributes (`attributes`, multi-hot) | domains (`domain`, one-hot style) |
|---|---|---|
| `attributed_fashion_mnist` | red, green, blue, inverted, bold (CelebA style: binary) | the 12 combinations |
| `coloured_fashion_mnist` | red, green, blue | the 3 colours (RaFD style) |
| `fashion_<c1>2<c2>` (e.g. `fashion_red2green`) | unpaired `a` (colour c1) / `b` (colour c2) | for a pairwise CycleGAN |

Each garment of a split carries one domain, drawn once from `DATASET_SEED`
(uniform over the task's domains, whatever the run seed). Batches: `x`
(float32 RGB in [-1, 1]), `attributes` (float32 `[.., A]`), `domain`
(int32), and the garment class `label` with `data.use_labels`. The unpaired
colour pairs cut the split in the halves of `edges2fashion_unpaired`:
A reads the first half rendered in c1, B the second in c2.

`reference_pairs(split, num)`: fixed garments with their own domain, as the
dataset renders them, plus `garment` (the plain grayscale, from which any
rendering follows) and `label`. Order: `jaxgan.data.images.stream_indices`.
"""

from __future__ import annotations

import dataclasses
import itertools

import ml_collections
import numpy as np

from jaxgan.data import transforms
from jaxgan.data.images import stream_indices, to_float
from jaxgan.data.paired import DEFAULT_SIZE, _Garments, _STREAM_A, _STREAM_B, unpaired_halves
from jaxgan.data.registry import DATASETS

COLOURS = ("red", "green", "blue")
DATASET_SEED = 2018  # fixes each garment's domain (StarGAN's year)


@dataclasses.dataclass(frozen=True)
class AttributeTask:
    """The attributes a task varies and its domains: rows of `table` are each domain's attribute vector."""

    attributes: tuple[str, ...]
    table: np.ndarray  # float32 [num_domains, len(attributes)], multi-hot

    @property
    def num_domains(self) -> int:
        return len(self.table)

    def domain_names(self) -> list[str]:
        return ["+".join(a for a, on in zip(self.attributes, row) if on) for row in self.table]


def full_table() -> np.ndarray:
    """Three exclusive attributes (one-hot) times two binary ones: the 12 rows of StarGAN's CelebA layout."""
    rows = [(*np.eye(3)[c], inverted, bold) for c, inverted, bold in itertools.product(range(3), (0, 1), (0, 1))]
    return np.asarray(rows, np.float32)


TASKS = {
    "attributed_fashion_mnist": AttributeTask((*COLOURS, "inverted", "bold"), full_table()),
    "coloured_fashion_mnist": AttributeTask(COLOURS, np.eye(3, dtype=np.float32)),
}


def render(garments: np.ndarray, attributes: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """uint8 garments `[N, S, S, 1]` with attribute rows `[N, A]` (named `names`) -> uint8 RGB `[N, S, S, 3]`."""
    attrs = {name: np.asarray(attributes)[:, i].astype(bool)[:, None, None, None] for i, name in enumerate(names)}
    g = garments
    if "bold" in attrs:
        g = np.where(attrs["bold"], transforms.dilate(g), g)  # 3x3 grey dilation
    if "inverted" in attrs:
        g = np.where(attrs["inverted"], 255 - g, g)
    colour = np.stack([attrs[c][..., 0] for c in COLOURS], axis=-1)  # [N, 1, 1, 3]
    if not colour.any(-1).all():
        raise ValueError("Every rendering needs exactly one colour (red, green or blue).")
    return (g * colour).astype(np.uint8)


def split_domains(split: str, num_examples: int, num_domains: int) -> np.ndarray:
    """The domain of every garment of `split` (int32), fixed by `DATASET_SEED` and the split's name."""
    rng = np.random.default_rng([DATASET_SEED, num_domains, *split.encode()])
    return rng.integers(0, num_domains, num_examples).astype(np.int32)


class AttributedImages:
    """Garments rendered with their drawn attributes: `{x, attributes, domain[, label]}` batches."""

    real_key = "x"

    def __init__(self, name: str, split: str = "train", data_dir: str = "", image_size: int = 0,
                 use_labels: bool = False, seed: int = 0):
        self.name, self.task, self._seed, self._use_labels, self._data_dir = name, TASKS[name], seed, use_labels, data_dir
        size = image_size or DEFAULT_SIZE
        self._garments = _Garments(split, data_dir, size)
        self.num_examples = self._garments.num_examples
        self.element_shape = self.input_shape = (size, size, 3)
        self.num_classes = 10 if use_labels else 0
        self.domains = split_domains(split, self.num_examples, self.task.num_domains)

    def _examples(self, source: _Garments, domains: np.ndarray, indices: np.ndarray) -> dict[str, np.ndarray]:
        garments, labels = source.read(indices.ravel())
        domain = domains[indices.ravel()]
        attributes = self.task.table[domain]
        images = render(garments, attributes, self.task.attributes)
        shape = indices.shape
        return {"x": to_float(images).reshape(*shape, *self.element_shape),
                "attributes": attributes.reshape(*shape, -1), "domain": domain.reshape(shape),
                "label": labels.reshape(shape), "garment": garments.reshape(*shape, *garments.shape[1:])}

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        indices = stream_indices(self._seed, self.num_examples, step, global_batch, num_batches, process_index,
                                 process_count)
        ex = self._examples(self._garments, self.domains, indices)
        batch = {k: ex[k] for k in ("x", "attributes", "domain")}
        if self._use_labels:
            batch["label"] = ex["label"]
        return batch

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """`num` fixed garments of `split` rendered in their own domain, with `garment` (uint8 gray) and `label`."""
        source = _Garments(split, self._data_dir, self.element_shape[0])
        domains = split_domains(split, source.num_examples, self.task.num_domains)
        return self._examples(source, domains, source.reference_indices(num))

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self.reference_pairs(split, num)["x"]

    def truth(self, garments: np.ndarray, domains: np.ndarray) -> np.ndarray:
        """The true rendering (float [-1, 1]) of uint8 `garments` `[N, S, S, 1]` in `domains` `[N]`."""
        return to_float(render(garments, self.task.table[np.asarray(domains)], self.task.attributes))


class ColourPair:
    """Unpaired garments in colour c1 (`a`, one half of the split) and c2 (`b`, the other half).

    `attribute_dataset`, `attribute_task` and `key_domains` let the
    translation evaluator score the colour of each output with
    `coloured_fashion_mnist`'s attribute classifier (its domain i is
    `COLOURS[i]`), as StarGAN's are scored.
    """

    num_classes = 0
    real_key = "a"
    attribute_dataset = "coloured_fashion_mnist"
    attribute_task = TASKS[attribute_dataset]

    def __init__(self, name: str, colours: tuple[str, str], split: str = "train", data_dir: str = "",
                 image_size: int = 0, seed: int = 0):
        self.name, self.colours, self._seed, self._data_dir = name, colours, seed, data_dir
        size = image_size or DEFAULT_SIZE
        self._garments = _Garments(split, data_dir, size)
        self.element_shape = self.input_shape = (size, size, 3)
        self.domain_a, self.domain_b = unpaired_halves(self._garments.num_examples)
        self.num_examples = len(self.domain_a)
        self.key_domains = {"a": COLOURS.index(colours[0]), "b": COLOURS.index(colours[1])}

    def paint(self, garments: np.ndarray, colour: str) -> np.ndarray:
        """uint8 gray `[N, S, S, 1]` -> float RGB in `colour`."""
        table = np.eye(3, dtype=np.float32)[[COLOURS.index(colour)] * len(garments)]
        return to_float(render(garments, table, COLOURS))

    def local_batch(self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0,
                    process_count: int = 1) -> dict[str, np.ndarray]:
        batch = {}
        for key, half, stream, colour in (("a", self.domain_a, _STREAM_A, self.colours[0]),
                                          ("b", self.domain_b, _STREAM_B, self.colours[1])):
            positions = stream_indices(self._seed, len(half), step, global_batch, num_batches, process_index,
                                       process_count, stream=stream)
            garments = self._garments.read(half[positions.ravel()])[0]
            batch[key] = self.paint(garments, colour).reshape(*positions.shape, *self.element_shape)
        return batch

    def reference_pairs(self, split: str, num: int) -> dict[str, np.ndarray]:
        """`num` fixed garments of `split` in both colours (each the other's truth).

        No `label`: the translation evaluator's class check reads grayscale garments, not colours.
        """
        source = _Garments(split, self._data_dir, self.element_shape[0])
        garments = source.read(source.reference_indices(num))[0]
        return {"a": self.paint(garments, self.colours[0]), "b": self.paint(garments, self.colours[1])}

    def reference_images(self, split: str, num: int) -> np.ndarray:
        return self.reference_pairs(split, num)["a"]


def _register_attributed(name: str) -> None:
    @DATASETS.register(name, batch_keys=("x", "attributes", "domain"), attribute_task=True)
    def build(config: ml_collections.ConfigDict) -> AttributedImages:
        d = config.data
        return AttributedImages(name, d.split, d.data_dir, d.image_size, d.use_labels, seed=config.seed)


def _register_pair(c1: str, c2: str) -> None:
    name = f"fashion_{c1}2{c2}"

    @DATASETS.register(name, batch_keys=("a", "b"))
    def build(config: ml_collections.ConfigDict) -> ColourPair:
        d = config.data
        if d.use_labels:
            raise ValueError(f"{name} is unpaired and has no labels in its batches; set data.use_labels=False.")
        return ColourPair(name, (c1, c2), d.split, d.data_dir, d.image_size, seed=config.seed)


for _name in TASKS:
    _register_attributed(_name)
for _c1, _c2 in itertools.combinations(COLOURS, 2):
    _register_pair(_c1, _c2)
del _name, _c1, _c2
