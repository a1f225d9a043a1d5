"""The classifier: deterministic training, its cache, and the extractors built from it (mock data)."""

import json

import jax
import ml_collections
import numpy as np
import pytest

from jaxgan.evaluation import classifier, train_classifier
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor, params_checksum
from helpers import assert_trees_equal, mock_images

NUM_TRAIN = 256


@pytest.fixture(scope="module")
def data():
    with mock_images(NUM_TRAIN):
        images, labels, _ = train_classifier.load_split("fashion_mnist", "train")
    return images, labels


def short_training(data, seed):
    return classifier.train(*data, seed=seed, epochs=1, batch_size=32)


def test_training_is_deterministic_and_depends_on_the_seed(data):
    a, b, other = short_training(data, 0), short_training(data, 0), short_training(data, 1)
    assert_trees_equal(a, b)
    assert classifier.accuracy(a, *data) == classifier.accuracy(b, *data)
    assert params_checksum(a) == params_checksum(b) != params_checksum(other)
    initial = classifier.init_variables(0)
    assert params_checksum(a) != params_checksum(jax.device_get(initial))  # it did train


def test_cli_trains_caches_and_the_extractor_loads_it(tmp_path, capsys):
    with mock_images(NUM_TRAIN):
        train_classifier.main(["fashion_mnist", f"--cache_dir={tmp_path}", "--epochs=1", "--batch_size=32", "--seed=3"])
        images, labels, _ = train_classifier.load_split("fashion_mnist", "train")
    directory = tmp_path / "fashion_mnist_classifier"
    meta = json.loads((directory / "meta.json").read_text())
    assert "test accuracy" in capsys.readouterr().out
    assert (meta["dataset"], meta["seed"], meta["epochs"]) == ("fashion_mnist", 3, 1)
    assert 0.0 <= meta["test_accuracy"] <= 1.0

    variables, loaded_meta = classifier.load(directory)
    assert_trees_equal(variables, classifier.train(images, labels, seed=3, epochs=1, batch_size=32))
    assert loaded_meta == meta

    extractor = build_extractor("fashion_mnist_classifier", ml_collections.ConfigDict({"cache_dir": str(tmp_path)}))
    assert extractor.name == "fashion_mnist_classifier" and "not Inception" in extractor.label
    assert extractor.checksum == params_checksum(variables)
    assert (extractor.feature_dim, extractor.num_classes) == (classifier.FEATURE_DIM, 10)
    out = extractor(np.random.default_rng(0).uniform(-1, 1, (5, 28, 28, 1)).astype(np.float32))
    assert out["features"].shape == (5, classifier.FEATURE_DIM) and out["probs"].shape == (5, 10)
    np.testing.assert_allclose(out["probs"].sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="grayscale"):
        extractor(np.zeros((2, 28, 28, 3), np.float32))


def test_save_and_load_round_trip(tmp_path, data):
    variables = short_training(data, 0)
    classifier.save(tmp_path, variables, {"test_accuracy": 0.5})
    loaded, meta = classifier.load(tmp_path)
    assert_trees_equal(loaded, variables)
    assert meta == {"test_accuracy": 0.5}


@pytest.mark.parametrize("name", ["mnist_classifier", "fashion_mnist_classifier"])
def test_missing_classifier_names_the_train_command(tmp_path, name):
    dataset = name.removesuffix("_classifier")
    with pytest.raises(ExtractorUnavailable) as e:
        build_extractor(name, ml_collections.ConfigDict({"cache_dir": str(tmp_path)}))
    assert f"python -m jaxgan.evaluation.train_classifier {dataset} --cache_dir={tmp_path}" in str(e.value)


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JAXGAN_CACHE_DIR", str(tmp_path))
    assert classifier.classifier_dir("mnist") == tmp_path / "mnist_classifier"
    with pytest.raises(ExtractorUnavailable, match="train_classifier mnist`"):
        build_extractor("mnist_classifier", ml_collections.ConfigDict())
