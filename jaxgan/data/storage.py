"""Where image datasets live: preparing them with tfds and opening them for reading.

tfds is the catalog and the storage. Datasets are prepared once, in the
array_record format (random access), and training only reads them:

- online, `prepare_dataset` runs the catalog builder's usual
  `download_and_prepare`;
- offline, datasets with a local source (`OFFLINE_SOURCES`) are built by the
  catalog builder itself from local raw files, so the name, version, features
  and splits are those of the catalog. Debian's `dataset-fashion-mnist` package
  ships the real Fashion-MNIST files.

Downloading needs TensorFlow (tfds's builders use it): `pip install
'jaxgan[prepare]'`. Building offline and reading do not.
"""

from __future__ import annotations

import dataclasses
import gzip
import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import tensorflow_datasets.public_api as tfds
from absl import logging
from etils import epath
from PIL import Image

from jaxgan.config import ConfigError
from jaxgan.errors import DatasetNotPreparedError  # defined beside the errors the CLIs report; raised here

ARRAY_RECORD = "array_record"
PREPARE_COMMAND = "python -m jaxgan.data.prepare"


@dataclasses.dataclass(frozen=True)
class OfflineSource:
    """Local raw files that a catalog builder reads instead of its downloads.

    Attributes:
      default_dir: where the files are by default.
      apt_package: the Debian package that installs them there.
      files: the file names, as in the catalog builder's download URLs.
    """

    default_dir: str
    apt_package: str
    files: tuple[str, ...]


OFFLINE_SOURCES: dict[str, OfflineSource] = {
    "fashion_mnist": OfflineSource(
        default_dir="/usr/share/datasets/fashion-mnist",
        apt_package="dataset-fashion-mnist",
        files=(
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ),
    ),
}

_IDX_UINT8 = 0x08  # IDX type code of unsigned bytes


def _default_data_dir(data_dir: str | None) -> str | None:
    return data_dir or None  # "" means tfds's default (TFDS_DATA_DIR or ~/tensorflow_datasets)


def not_prepared_message(name: str, data_dir: epath.PathLike) -> str:
    """The one message for a missing dataset: both ways to prepare it."""
    command = f"{PREPARE_COMMAND} {name} --data_dir={data_dir}"
    source = OFFLINE_SOURCES.get(name)
    if source:
        offline = (
            f"offline: `apt-get install {source.apt_package}` (raw files in {source.default_dir}), "
            f"then the same command, which builds it from those files"
        )
    else:
        offline = (
            "offline: prepare it on a machine with internet and copy its folder "
            f"({name}/<version>/) into {data_dir}"
        )
    return (
        f"Dataset {name!r} is not prepared in {data_dir}. jaxgan reads prepared tfds datasets "
        f"(array_record) and never downloads while training. Prepare it once:\n"
        f"  - online: `{command}` (tfds downloads it; needs pip install 'jaxgan[prepare]');\n"
        f"  - {offline}."
    )


def tfrecord_only_message(name: str, dataset_dir: epath.PathLike, data_dir: epath.PathLike) -> str:
    """The message for a dataset prepared only as tfrecord: how to get array_record."""
    return (
        f"Dataset {name!r} is prepared in {dataset_dir} only as tfrecord; jaxgan reads it by "
        f"random access, which needs {ARRAY_RECORD}. Convert it by preparing it again as "
        f"{ARRAY_RECORD}: remove {dataset_dir} (or pick another data_dir), then run "
        f"`{PREPARE_COMMAND} {name} --data_dir={data_dir}`. (`tfds convert_format` adds "
        f"{ARRAY_RECORD} only as an alternative format, which tfds 4.9's data_source does not open.)"
    )


def damaged_message(name: str, split: str, data_dir: str | None, error: Exception) -> str:
    """The message for prepared files that cannot be read back (a copy cut short, a full disk, bit rot)."""
    root = tfds.builder(name, data_dir=_default_data_dir(data_dir)).data_dir_root
    return (f"The prepared {name} ({split} split) in {root} could not be read: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}. Its files look damaged: remove {root / name} and "
            f"prepare it again with `{PREPARE_COMMAND} {name} --data_dir={root}`.")


def open_source(name: str, split: str, data_dir: str | None = None, skip_decoding: tuple[str, ...] = ()
                ) -> Sequence[dict[str, Any]]:
    """Opens a prepared split for random access (`tfds.data_source`), never downloading.

    The result also has `__getitems__(keys)` (one batched read) and `dataset_info`.
    Features in `skip_decoding` come as their encoded bytes (e.g. "image", to read labels fast).

    Raises:
      DatasetNotPreparedError: the dataset is missing, or only in tfrecord.
      ConfigError: it has no such split.
    """
    data_dir = _default_data_dir(data_dir)
    try:
        decoders = {k: tfds.decode.SkipDecoding() for k in skip_decoding} or None
        return tfds.data_source(name, split=split, data_dir=data_dir, download=False, decoders=decoders)
    except ValueError as e:  # tfds: "Unknown split 'x'. Should be one of [...]."
        if "Unknown split" not in str(e):
            raise
        raise ConfigError(f"Dataset {name}: {e} Set data.split or eval.reference_split (jaxgan.evaluate: "
                          "--reference_split) to one of them.") from None
    # tfds's answers when no random-access files exist (NotImplementedError) or
    # nothing is prepared at all (KeyError: "splits is empty").
    except (NotImplementedError, KeyError):
        builder = tfds.builder(name, data_dir=data_dir)
        if builder.is_prepared():
            root = builder.data_dir_root
            raise DatasetNotPreparedError(tfrecord_only_message(name, root / name, root)) from None
        raise DatasetNotPreparedError(not_prepared_message(name, builder.data_dir_root)) from None


def read_idx(path: epath.PathLike, count: int) -> np.ndarray:
    """Reads a gzipped IDX file of `count` uint8 items (MNIST's format).

    Raises:
      ValueError: the file is not that.
    """
    with gzip.open(path, "rb") as f:
        zero, dtype, ndim = struct.unpack(">HBB", f.read(4))
        shape = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        if zero or dtype != _IDX_UINT8 or shape[0] != count:
            raise ValueError(f"{path} is not an IDX file of {count} uint8 items (header {zero}, {dtype:#x}, {shape}).")
        return np.frombuffer(f.read(), np.uint8).reshape(shape)


class _LocalFiles:
    """Stands in for tfds's download manager: each URL -> the local file of that name."""

    def __init__(self, raw_dir: epath.Path):
        self._raw_dir = raw_dir

    def download_and_extract(self, urls: Mapping[str, str]) -> dict[str, epath.Path]:
        return {key: self._raw_dir / url.rsplit("/", 1)[-1] for key, url in urls.items()}


def _offline_builder(name: str, raw_dir: epath.Path, data_dir: str | None) -> tfds.core.DatasetBuilder:
    """The catalog builder for MNIST-style `name`, reading `raw_dir` instead of downloading.

    The catalog's `_split_generators` runs on local files, and examples keep
    the catalog's keys, so name, version, features, splits and example order
    are the catalog's. Images go in as PIL images, which tfds encodes to PNG
    with PIL rather than TensorFlow: the same pixels, and no TensorFlow needed.
    """
    catalog_cls = tfds.builder_cls(name)

    class Offline(catalog_cls, skip_registration=True):
        __module__ = catalog_cls.__module__  # same module, so the same info and checksums

        def _split_generators(self, dl_manager):
            del dl_manager  # files come from `raw_dir`
            return super()._split_generators(_LocalFiles(raw_dir))

        def _generate_examples(self, num_examples, data_path, label_path):
            images, labels = read_idx(data_path, num_examples), read_idx(label_path, num_examples)
            for index, (image, label) in enumerate(zip(images, labels)):
                yield index, {"image": Image.fromarray(image), "label": int(label)}

    Offline.name = catalog_cls.name
    return Offline(data_dir=data_dir, file_format=ARRAY_RECORD)


def local_raw_dir(name: str, raw_dir: str = "") -> epath.Path | None:
    """Where `name`'s raw files are on this machine, or None if they are not.

    Raises:
      ValueError: `raw_dir` was given but `name` has no offline source, or its
        files are not all there.
    """
    source = OFFLINE_SOURCES.get(name)
    if source is None:
        if raw_dir:
            raise ValueError(f"{name!r} cannot be built from raw files; offline sources: {sorted(OFFLINE_SOURCES)}.")
        return None
    path = epath.Path(raw_dir or source.default_dir)
    missing = [f for f in source.files if not (path / f).exists()]
    if missing and raw_dir:
        raise ValueError(f"--raw_dir={raw_dir} lacks {missing}.")
    return None if missing else path


def prepare_dataset(name: str, data_dir: str = "", raw_dir: str = "", manual_dir: str = "") -> epath.Path:
    """Prepares tfds dataset `name` as array_record in `data_dir`; returns its folder.

    Builds from local raw files when `name` has them (`local_raw_dir`), else
    runs tfds's usual download. A no-op when the dataset is already prepared.
    `manual_dir`: where the files of a manual-download dataset (e.g.
    Cityscapes' zips) are ('' = tfds's `<data_dir>/downloads/manual`).

    Raises:
      DatasetNotPreparedError: it exists there only as tfrecord.
    """
    data_dir = _default_data_dir(data_dir)
    existing = tfds.builder(name, data_dir=data_dir)
    if existing.is_prepared():
        if existing.info.file_format.value != ARRAY_RECORD:
            root = existing.data_dir_root
            raise DatasetNotPreparedError(tfrecord_only_message(name, root / name, root))
        return existing.data_path
    local = local_raw_dir(name, raw_dir)
    if local is not None:
        logging.info("Building %s offline from the raw files in %s.", name, local)
        builder = _offline_builder(name, local, data_dir)
    else:
        source = OFFLINE_SOURCES.get(name)
        logging.info(
            "Downloading %s with tfds (needs internet%s).",
            name,
            f"; offline, apt-get install {source.apt_package} first" if source else "",
        )
        builder = tfds.builder(name, data_dir=data_dir, file_format=ARRAY_RECORD)
    try:
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=manual_dir) if manual_dir else None)
    except AssertionError as e:  # tfds's way of saying a manual-download dataset's files are missing
        if "Manual directory" not in str(e):
            raise
        instructions = " ".join(str(e).split())
        raise DatasetNotPreparedError(f"{name} is a manual download. {instructions} Then run "
                                      f"`{PREPARE_COMMAND} {name} --manual_dir DIR` with DIR holding those files."
                                      ) from None
    return builder.data_path
