"""Prepares a tfds image dataset for training (array_record), offline where possible.

    python -m jaxgan.data.prepare fashion_mnist [--data_dir D] [--raw_dir R]
    python -m jaxgan.data.prepare cityscapes/semantic_segmentation --manual_dir DIR_WITH_THE_ZIPS

Fashion-MNIST builds offline from Debian's `dataset-fashion-mnist` package
(`apt-get install dataset-fashion-mnist`); any other dataset, or Fashion-MNIST
without those files, is downloaded by tfds, which needs TensorFlow
(`pip install 'jaxgan[prepare]'`). The logic is `jaxgan.data.storage.prepare_dataset`.
"""

from __future__ import annotations

import sys

from absl import app, flags

from jaxgan.data import storage

_DATA_DIR = flags.DEFINE_string("data_dir", "", "tfds data_dir to prepare into ('' = tfds default; may be gs://).")
_RAW_DIR = flags.DEFINE_string(
    "raw_dir", "", "Folder with the dataset's raw files ('' = their usual place, e.g. Debian's package)."
)

_MANUAL_DIR = flags.DEFINE_string(
    "manual_dir", "", "Folder with a manual-download dataset's files, e.g. Cityscapes' leftImg8bit_trainvaltest.zip "
    "and gtFine_trainvaltest.zip ('' = tfds's <data_dir>/downloads/manual)."
)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise app.UsageError(f"Usage: {storage.PREPARE_COMMAND} NAME [--data_dir D] [--raw_dir R] [--manual_dir M]")
    try:
        path = storage.prepare_dataset(argv[1], data_dir=_DATA_DIR.value, raw_dir=_RAW_DIR.value,
                                       manual_dir=_MANUAL_DIR.value)
    except (storage.DatasetNotPreparedError, ValueError) as e:
        sys.exit(f"error: {e}")
    print(f"{argv[1]} is ready in {path}")


if __name__ == "__main__":
    app.run(main)
