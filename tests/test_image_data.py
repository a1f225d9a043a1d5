"""The tfds image pipeline: values, sharding, order and resume on mock data; real Fashion-MNIST."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow_datasets as tfds

from jaxgan import config as config_lib
from jaxgan import parallel
from jaxgan.data import build_dataset, storage
from jaxgan.data.pipeline import BatchStream
from helpers import data_config, mock_images

REPO = pathlib.Path(__file__).resolve().parents[1]


def image_config(name="fashion_mnist", seed=0, **data):
    return data_config(name, seed, **data)


@pytest.mark.parametrize(
    "name, image_size, shape, num_classes",
    [
        ("mnist", 0, (28, 28, 1), 10),
        ("mnist", 32, (32, 32, 1), 10),
        ("fashion_mnist", 0, (28, 28, 1), 10),
        ("cifar10", 0, (32, 32, 3), 10),
        ("svhn_cropped", 0, (32, 32, 3), 10),
    ],
)
def test_batch_shapes_values_and_labels(name, image_size, shape, num_classes):
    with mock_images(40):
        ds = build_dataset(image_config(name, image_size=image_size, use_labels=True))
        batch = ds.local_batch(step=3, global_batch=8, num_batches=2)
    assert (ds.name, ds.element_shape, ds.num_classes) == (name, shape, num_classes)
    assert batch["x"].shape == (2, 8, *shape) and batch["x"].dtype == np.float32
    assert -1.0 <= batch["x"].min() < batch["x"].max() <= 1.0
    assert batch["label"].shape == (2, 8) and batch["label"].dtype == np.int32
    assert 0 <= batch["label"].min() and batch["label"].max() < num_classes


def test_celeb_a_is_center_cropped_and_resized_and_has_no_labels():
    with mock_images(4):
        ds = build_dataset(image_config("celeb_a", image_size=64))
        batch = ds.local_batch(0, 4)
        with pytest.raises(ValueError, match="no class labels"):
            build_dataset(image_config("celeb_a", use_labels=True))
    assert ds.element_shape == (64, 64, 3) and ds.num_classes == 0
    assert batch["x"].shape == (1, 4, 64, 64, 3) and set(batch) == {"x"}


def test_two_processes_split_the_batch_and_cover_the_split():
    with mock_images(64):
        ds = build_dataset(image_config(use_labels=True))
        for step in range(2):  # 2 steps x 2 D updates x 16 = 64 = one epoch
            whole = ds.local_batch(step, 16, num_batches=2)
            halves = [ds.local_batch(step, 16, 2, process_index=p, process_count=2) for p in range(2)]
            for key in ("x", "label"):
                np.testing.assert_array_equal(np.concatenate([h[key] for h in halves], axis=1), whole[key])
        seen = [ds.example_indices(s, 16, 2, p, 2).ravel() for s in range(2) for p in range(2)]
    assert len(np.unique(np.concatenate(seen))) == 64  # disjoint, and all of the split


def test_same_seed_and_step_give_the_same_batch():
    with mock_images(50):
        a = build_dataset(image_config(seed=0)).local_batch(7, 8)
        b = build_dataset(image_config(seed=0)).local_batch(7, 8)
        other_seed = build_dataset(image_config(seed=1)).local_batch(7, 8)
        other_step = build_dataset(image_config(seed=0)).local_batch(8, 8)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert not np.array_equal(a["x"], other_seed["x"]) and not np.array_equal(a["x"], other_step["x"])


def test_decoded_cache_gives_the_same_bytes_as_decoding_every_time(monkeypatch):
    """The in-memory cache of decoded examples changes speed, never batches (3 epochs, resized, labelled)."""
    from jaxgan.data import images

    with mock_images(24):
        cached = build_dataset(image_config(image_size=32, use_labels=True))
        monkeypatch.setattr(images, "CACHE_MAX_BYTES", 0)
        uncached = build_dataset(image_config(image_size=32, use_labels=True))
        assert cached._cache is not None and uncached._cache is None
        for step in range(9):  # 9 x 8 = 72 examples: every one read three times, batches across epoch ends
            a, b = cached.local_batch(step, 8), uncached.local_batch(step, 8)
            np.testing.assert_array_equal(a["x"], b["x"])
            np.testing.assert_array_equal(a["label"], b["label"])
    assert cached._cache.filled.all()


def test_stream_resumed_at_step_k_equals_the_uninterrupted_stream():
    mesh = parallel.make_mesh()
    with mock_images(20):  # batches of 8 cross epoch boundaries
        ds = build_dataset(image_config(use_labels=True))

        def take(start, n):
            stream = BatchStream(ds, mesh, global_batch=8, num_batches=1, start_step=start)
            try:
                return [{k: np.asarray(v) for k, v in next(stream).items()} for _ in range(n)]
            finally:
                stream.close()

        full, resumed = take(0, 6), take(3, 3)
    for a, b in zip(full[3:], resumed):
        for key in ("x", "label"):
            np.testing.assert_array_equal(a[key], b[key])


def test_missing_dataset_names_both_ways_to_prepare_it(tmp_path):
    with pytest.raises(storage.DatasetNotPreparedError) as e:
        build_dataset(image_config(data_dir=str(tmp_path)))
    message = str(e.value)
    assert f"python -m jaxgan.data.prepare fashion_mnist --data_dir={tmp_path}" in message
    assert "online" in message and "apt-get install dataset-fashion-mnist" in message


def test_tfrecord_only_dataset_says_how_to_get_array_record(tmp_path):
    builder = tfds.builder("mnist", data_dir=str(tmp_path), file_format="tfrecord")
    builder.data_path.mkdir(parents=True)
    builder.info.write_to_directory(builder.data_path)  # looks prepared, as tfrecord
    with pytest.raises(storage.DatasetNotPreparedError, match="only as tfrecord") as e:
        build_dataset(image_config("mnist", data_dir=str(tmp_path)))
    assert f"remove {tmp_path / 'mnist'}" in str(e.value)
    assert f"python -m jaxgan.data.prepare mnist --data_dir={tmp_path}" in str(e.value)


RAW_DIR = pathlib.Path(storage.OFFLINE_SOURCES["fashion_mnist"].default_dir)


@pytest.mark.skipif(
    storage.local_raw_dir("fashion_mnist") is None,
    reason=f"Fashion-MNIST raw files not in {RAW_DIR}: apt-get install dataset-fashion-mnist",
)
def test_real_fashion_mnist_prepared_offline(tmp_path):
    """The prepared dataset is the catalog's Fashion-MNIST, with real images under their own labels.

    Where it is already prepared in tfds's default directory (`.ci/run` prepares it there offline, with
    this same command, for the tests that read it), the command must find it and do nothing, and that
    copy is checked; elsewhere a fresh copy is prepared in `tmp_path` (about 25 s on 2 cores).
    """
    data_dir = "" if tfds.builder("fashion_mnist").is_prepared() else str(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-m", "jaxgan.data.prepare", "fashion_mnist", f"--data_dir={data_dir}"],
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    prepared = tfds.builder("fashion_mnist", data_dir=data_dir or None)
    assert f"is ready in {prepared.data_path}" in run.stdout, run.stdout
    catalog = tfds.builder("fashion_mnist", data_dir=str(tmp_path / "catalog"))
    assert prepared.version == catalog.version
    assert prepared.info.features.to_json() == catalog.info.features.to_json()
    assert {s: prepared.info.splits[s].num_examples for s in prepared.info.splits} == {"train": 60_000, "test": 10_000}

    ds = build_dataset(image_config(data_dir=data_dir, use_labels=True))
    batch = ds.local_batch(step=123, global_batch=64)
    # Every image is a real Fashion-MNIST image, with its own label.
    raw_images = storage.read_idx(RAW_DIR / "train-images-idx3-ubyte.gz", 60_000)
    raw_labels = storage.read_idx(RAW_DIR / "train-labels-idx1-ubyte.gz", 60_000)
    label_of = {image.tobytes(): int(label) for image, label in zip(raw_images, raw_labels)}
    pixels = np.rint((batch["x"][0, ..., 0] + 1.0) * 127.5).astype(np.uint8)
    assert [label_of[p.tobytes()] for p in pixels] == batch["label"][0].tolist()
    # A split the dataset does not have (data.split, eval.reference_split) is one config error naming the real ones.
    with pytest.raises(config_lib.ConfigError, match=r"Unknown split 'bogus'. Should be one of \['train', 'test'\]"):
        ds.reference_images("bogus", 8)
