"""Classification Accuracy Score and GAN-test of a conditional run (jaxgan.apps.cas): the protocol on a tiny
run over mock data, determinism, and the errors for runs it cannot score."""

import numpy as np
import pytest

from conftest import tiny_config
from helpers import mock_images
from jaxgan import train
from jaxgan.apps import cas
from jaxgan.config import ConfigError, load_experiment
from jaxgan.evaluation import classifier


@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory):
    workdir, cache = tmp_path_factory.mktemp("cgan"), tmp_path_factory.mktemp("cache")
    config = load_experiment("cgan_fashion_mnist", "smoke")
    config.eval_every_steps = config.checkpoint_every_steps = config.total_steps  # one save, one eval
    with mock_images(40):
        train.train_and_evaluate(config, str(workdir))
    classifier.save(cache / "fashion_mnist_classifier", classifier.init_variables(0),
                    {"test_accuracy": 0.5, "epochs": 5})  # an untrained stand-in for the real-data classifier
    return str(workdir), str(cache)


def test_cas_trains_on_balanced_samples_and_is_deterministic(conditional_run):
    workdir, cache = conditional_run
    with mock_images(40):
        first = cas.score(workdir, num_samples=160, epochs=1, batch_size=16, cache_dir=cache)
        again = cas.score(workdir, num_samples=160, epochs=1, batch_size=16, cache_dir=cache)
        from jaxgan import experiment
        exp, state = experiment.restore_latest(workdir)
        images, labels = cas.generated_set(exp, state, 160, seed=0)
    assert images.dtype == np.uint8 and images.shape == (160, 28, 28, 1)
    assert np.bincount(labels).tolist() == [16] * 10  # balanced over the classes
    assert 0.0 <= first["cas"] <= 1.0 and 0.0 <= first["gan_test"] <= 1.0 and first["real_accuracy"] == 0.5
    assert {k: v for k, v in first.items() if k != "seconds"} == {k: v for k, v in again.items() if k != "seconds"}
    assert "160 class-balanced samples" in first["protocol"]


def test_cas_refuses_an_unconditional_run_and_a_missing_classifier(conditional_run, tmp_path):
    train.train_and_evaluate(tiny_config(), str(tmp_path / "ring"))
    with pytest.raises(ConfigError, match="needs a class-conditional run"):
        cas.score(str(tmp_path / "ring"), num_samples=8)
    workdir, _ = conditional_run
    with mock_images(40), pytest.raises(ConfigError, match="train it once: `python -m jaxgan.evaluation.train_classifier"
                                                           " fashion_mnist"):
        cas.score(workdir, num_samples=8, cache_dir=str(tmp_path / "empty"))
