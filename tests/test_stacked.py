"""Stacked MNIST / Fashion-MNIST: values, order and sharding on mock data; mode counting; real Fashion-MNIST."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from jaxgan.data import build_dataset, storage
from jaxgan.data.stacked import stack_label
from jaxgan.evaluation.extractors import Extractor
from jaxgan.evaluation.stacked_modes import stacked_modes
from helpers import data_config, mock_images, require


def stacked_config(name="stacked_mnist", seed=0, **data):
    return data_config(name, seed, **data)


def to_uint8(x):
    return np.rint((x + 1.0) * 127.5).astype(np.uint8)


def base_images(name, indices):
    """Base images read straight from the prepared split (uint8 `[N, 28, 28]`) and their labels."""
    examples = storage.open_source(name, "train").__getitems__([int(i) for i in indices])
    return np.stack([ex["image"][..., 0] for ex in examples]), np.array([ex["label"] for ex in examples])


@pytest.mark.parametrize("name, base", [("stacked_mnist", "mnist"), ("stacked_fashion_mnist", "fashion_mnist")])
def test_batches_are_the_base_images_stacked_with_their_labels(name, base):
    with mock_images(60):
        ds = build_dataset(stacked_config(name, use_labels=True))
        batch = ds.local_batch(step=3, global_batch=8, num_batches=2)
        stacks = ds.stack_indices[ds.example_indices(3, 8, 2)]  # [2, 8, 3]
        images, labels = base_images(base, stacks.ravel())
    assert (ds.element_shape, ds.num_classes, ds.num_examples) == ((28, 28, 3), 1000, 60)
    assert batch["x"].shape == (2, 8, 28, 28, 3) and batch["x"].dtype == np.float32
    assert -1.0 <= batch["x"].min() < batch["x"].max() <= 1.0
    channels = np.moveaxis(to_uint8(batch["x"]), -1, 2).reshape(-1, 28, 28)  # stack-major, channel-minor
    np.testing.assert_array_equal(channels, images)
    np.testing.assert_array_equal(batch["label"], stack_label(labels.reshape(2, 8, 3)))


def test_order_is_a_pure_function_of_seed_and_step_and_the_stacks_are_fixed():
    with mock_images(50):
        a, b, other_seed = (build_dataset(stacked_config(seed=s)) for s in (0, 0, 1))
        batch = a.local_batch(7, 8)
        np.testing.assert_array_equal(batch["x"], b.local_batch(7, 8)["x"])
        assert not np.array_equal(batch["x"], other_seed.local_batch(7, 8)["x"])
        assert not np.array_equal(batch["x"], a.local_batch(8, 8)["x"])
    np.testing.assert_array_equal(a.stack_indices, other_seed.stack_indices)  # the run seed never changes the data
    assert set(batch) == {"x"}


def test_two_processes_split_the_batch():
    with mock_images(64):
        ds = build_dataset(stacked_config(use_labels=True))
        for step in range(2):  # 2 steps x 2 D updates x 16 = one epoch
            whole = ds.local_batch(step, 16, num_batches=2)
            halves = [ds.local_batch(step, 16, 2, process_index=p, process_count=2) for p in range(2)]
            for key in ("x", "label"):
                np.testing.assert_array_equal(np.concatenate([h[key] for h in halves], axis=1), whole[key])
        seen = np.concatenate([ds.example_indices(s, 16, 2, p, 2).ravel() for s in range(2) for p in range(2)])
    assert len(np.unique(seen)) == 64  # disjoint rows, and every stack once per epoch


def oracle_classifier(ds):
    """A fake Extractor that labels each base image of `ds` with its true label (one-hot probs)."""
    images, labels = ds.read_base(np.arange(ds.num_examples))
    label_of = {image.tobytes(): label for image, label in zip(images, labels)}

    def apply(channels):
        true = [label_of[image.tobytes()] for image in to_uint8(channels[..., 0])]
        return {"features": np.zeros((len(true), 1)), "probs": np.eye(10)[true]}

    return Extractor("oracle", "oracle", "0" * 64, 1, 10, apply)


def test_exact_samples_cover_nearly_all_modes_and_a_collapsed_generator_one():
    with mock_images(12_000):
        ds = build_dataset(stacked_config(use_labels=True))
        oracle = oracle_classifier(ds)
        batches = [ds.local_batch(step, 1000) for step in range(10)]
    samples = np.concatenate([b["x"][0] for b in batches])
    result = stacked_modes(samples, oracle)
    true_modes = np.concatenate([b["label"][0] for b in batches])
    assert result["modes"] == len(np.unique(true_modes)) >= 990, result  # channels labelled in R, G, B order
    assert result["num_samples"] == 10_000 and result["num_modes"] == 1000
    assert 0.0 < result["kl"] < 0.1, result  # sampling noise only: about 999 / (2 * 10_000)
    assert "10000 samples" in result["protocol"] and "oracle" in result["protocol"]

    collapsed = stacked_modes(np.repeat(samples[:1], 500, axis=0), oracle)
    assert collapsed["modes"] == 1
    assert collapsed["kl"] == pytest.approx(np.log(1000))


def test_mode_counting_rejects_grayscale_samples():
    oracle = Extractor("oracle", "oracle", "0" * 64, 1, 10, lambda x: {"probs": np.ones((len(x), 10))})
    with pytest.raises(ValueError, match=r"\[N, H, W, 3\]"):
        stacked_modes(np.zeros((4, 28, 28, 1), np.float32), oracle)


def _fashion_mnist_prepared():
    return tfds.builder("fashion_mnist").is_prepared()


def test_real_stacked_fashion_mnist():
    require(_fashion_mnist_prepared(), "Fashion-MNIST is not prepared: python -m jaxgan.data.prepare fashion_mnist")
    ds = build_dataset(stacked_config("stacked_fashion_mnist", use_labels=True))
    batch = ds.local_batch(step=123, global_batch=16)
    stacks = ds.stack_indices[ds.example_indices(123, 16)][0]
    images, labels = base_images("fashion_mnist", stacks.ravel())
    assert ds.num_examples == 60_000 and batch["x"].shape == (1, 16, 28, 28, 3)
    np.testing.assert_array_equal(np.moveaxis(to_uint8(batch["x"][0]), -1, 1).reshape(-1, 28, 28), images)
    np.testing.assert_array_equal(batch["label"][0], stack_label(labels.reshape(16, 3)))
