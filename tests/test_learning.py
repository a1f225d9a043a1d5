"""Real training: the default suite trains a short ring8 GAN; `-m slow` runs the full experiments."""

import os

import pytest

from jaxgan import train
from jaxgan.config import load_experiment

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def experiment_config(name, arg=None):
    return load_experiment(name, arg)


def test_short_ring8_run_learns_most_modes(tmp_path):
    config = experiment_config("ring8")
    # Measured on 2 fake devices (seed 0): 8 modes and 48% HQ at 1000 steps, 7 and 86% at 2000, 8 and 91% at 3000.
    config.total_steps = config.eval_every_steps = config.checkpoint_every_steps = 2000
    results = train.train_and_evaluate(config, str(tmp_path))
    print("ring8, 2000 steps:", results)
    assert results["modes"] >= 6
    assert results["hq_percent"] >= 50.0


@pytest.mark.slow
def test_ring8_experiment_meets_its_target(tmp_path):
    results = train.train_and_evaluate(experiment_config("ring8"), str(tmp_path))
    assert results["modes"] == 8 and results["hq_percent"] >= 90.0, results


@pytest.mark.slow
def test_grid25_experiment_runs_to_the_end(tmp_path):
    results = train.train_and_evaluate(experiment_config("grid25"), str(tmp_path))
    assert results["modes"] >= 15 and results["hq_percent"] >= 50.0, results


@pytest.fixture(scope="module")
def classifier_cache(tmp_path_factory):
    """A cache directory holding an untrained Fashion-MNIST classifier and random VGG19 weights (built once)."""
    from helpers import write_random_vgg19
    from jaxgan.evaluation import classifier

    path = tmp_path_factory.mktemp("cache")
    classifier.save(path / "fashion_mnist_classifier", classifier.init_variables(0), {"accuracy": 0.0})
    return write_random_vgg19(path)


@pytest.mark.parametrize("name", sorted(p[:-3] for p in os.listdir(os.path.join(REPO, "experiments")) if p.endswith(".py")))
def test_every_experiment_config_is_valid(name, classifier_cache, monkeypatch):
    # Keys are checked by config.validate, every name by experiment.build (which calls validate);
    # it reads the dataset's metadata, so image experiments get tfds's mock data. SRGAN's content
    # loss loads the Fashion-MNIST classifier (or VGG19) when the run is built: untrained ones stand in.
    # Batches smaller than the fake device count (CycleGAN's paper batch of 1) build on fewer devices.
    import math

    import jax

    from helpers import build, mock_images

    monkeypatch.setenv("JAXGAN_CACHE_DIR", str(classifier_cache))
    for arg in (None, "smoke"):
        config = experiment_config(name, arg)
        with mock_images(num_examples=40):
            build(config, num_devices=math.gcd(config.batch_size, jax.device_count()))
