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


# --- the low-data augmentation study (jaxgan.apps.augment) ---------------------------------------

def test_flip_shift_flips_and_shifts_within_two_pixels_filling_background():
    import jax
    from jaxgan.apps.augment import flip_shift

    images = -np.ones((64, 28, 28, 1), np.float32)
    images[:, 10, 5] = 1.0  # one bright pixel, off the vertical axis
    out = np.asarray(flip_shift(jax.random.key(0), images))
    np.testing.assert_array_equal(out, np.asarray(flip_shift(jax.random.key(0), images)))
    rows, cols = np.nonzero(out[..., 0] == 1.0)[1:]
    assert len(rows) == 64 and np.abs(rows - 10).max() <= 2  # every pixel survives, moved by at most 2
    flipped = np.abs(cols - 22) <= 2  # 27 - 5 = 22 after a left-right flip
    assert flipped.any() and (~flipped).any() and np.all(flipped | (np.abs(cols - 5) <= 2))
    assert set(np.unique(out)) == {-1.0, 1.0}  # what shifts in is background


def test_classifier_steps_budget_equals_whole_epochs_when_aligned():
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (32, 28, 28, 1), np.uint8), rng.integers(0, 10, 32)
    by_epochs = classifier.train(images, labels, 0, epochs=2, batch_size=16)
    by_steps = classifier.train(images, labels, 0, epochs=1, batch_size=16, steps=4)
    np.testing.assert_array_equal(by_epochs["params"]["Dense_0"]["kernel"], by_steps["params"]["Dense_0"]["kernel"])
    three = classifier.train(images, labels, 0, epochs=1, batch_size=16, steps=3)
    assert not np.array_equal(three["params"]["Dense_0"]["kernel"], by_steps["params"]["Dense_0"]["kernel"])


@pytest.mark.slow  # end-to-end (30 s): CI's 15-minute budget (run with -m slow)
def test_augment_study_runs_every_arm_and_refuses_a_gan_trained_on_other_data(conditional_run, tmp_path):
    from jaxgan.apps import augment

    config = load_experiment("cgan_fashion_mnist_lowdata", "smoke")
    config.data.label_fraction = 0.5
    config.eval_every_steps = config.checkpoint_every_steps = config.total_steps
    with mock_images(40):
        train.train_and_evaluate(config, str(tmp_path / "low"))
        out = augment.study(0.5, 0, str(tmp_path / "low"), synthetic_ratio=2.0, steps=3, batch_size=8)
        every = augment.study(0.5, 0, str(tmp_path / "low"), synthetic_ratio=2.0, steps=3, batch_size=8,
                              arms=augment.ARMS[::-1])
        with pytest.raises(ConfigError, match="needs a GAN trained on the same subset only"):
            augment.study(0.5, 0, conditional_run[0], steps=1, batch_size=8)
    assert set(out["accuracy"]) == {"subset", "subset+standard", "subset+gan"}
    assert out["num_synthetic"] == 2 * out["num_labelled"] and out["num_labelled"] < 40
    assert out["lift_over_subset"] == pytest.approx(out["accuracy"]["subset+gan"] - out["accuracy"]["subset"])
    # Every arm, asked in any order: the default arms' figures are the same (each arm trains on its own).
    assert list(every["accuracy"]) == list(augment.ARMS)
    assert {a: every["accuracy"][a] for a in out["accuracy"]} == out["accuracy"]
    assert every["standard_gan_lift_over_standard"] == pytest.approx(
        every["accuracy"]["subset+standard+gan"] - every["accuracy"]["subset+standard"])


def test_augment_arms_are_checked_before_anything_runs():
    from jaxgan.apps import augment

    with pytest.raises(ConfigError, match=r"Unknown arm\(s\) \['gan'\]; choices: subset, subset\+standard, "):
        augment.check_arms(("subset", "gan"), "w")
    with pytest.raises(ConfigError, match=r"\['subset\+standard\+gan'\] need --gan_workdir"):
        augment.check_arms(("subset+standard+gan",), None)
    augment.check_arms(augment.ARMS, "w")


def test_augment_table_gives_mean_std_over_seeds_lifts_and_minutes():
    from jaxgan.tools import augment_table

    def run(fraction, seed, subset, standard, gan):  # seed 1 shared the machine: it took 2.5x as long
        return {"fraction": fraction, "seed": seed, "num_labelled": int(60000 * fraction), "seconds": 540.0 + 900 * seed,
                "gan_train_wall_s": 60.0, "accuracy": {"subset": subset, "subset+standard": standard, "subset+gan": gan},
                "lift_over_subset": gan - subset, "lift_over_standard": gan - standard, "protocol": f"share {fraction}"}

    text = augment_table.table([run(0.1, 0, 0.80, 0.82, 0.83), run(0.1, 1, 0.82, 0.82, 0.81), run(0.01, 0, 0.7, 0.7, 0.6)])
    rows = text.splitlines()
    assert rows[2] == "| 1% | 600 | 1 | 70.00 | 70.00 | 60.00 | -10.00 | -10.00 | 10 |"
    assert rows[3] == "| 10% | 6000 | 2 | 81.00 ± 1.00 | 82.00 ± 0.00 | 82.00 ± 1.00 | 1.00 ± 2.00 | 0.00 ± 1.00 | 10 |"
    assert "Protocol: share 0.1 (the first run's; the others differ only in the labelled share" in text
    assert "+ flips, shifts + GAN" not in text  # a column only for an arm that ran

    both = run(0.1, 0, 0.80, 0.82, 0.83)
    both["accuracy"]["subset+standard+gan"], both["standard_gan_lift_over_standard"] = 0.85, 0.85 - 0.82
    both.update(synthetic_ratio=0.5, temperature=0.8)
    rows = augment_table.table([both]).splitlines()
    assert rows[0].endswith("| + GAN samples | + flips, shifts + GAN | GAN lift over subset | GAN lift over flips, "
                            "shifts | flips, shifts + GAN: lift over flips, shifts | min/run |")
    assert rows[2] == "| 10% | 6000 | 1 | 80.00 | 82.00 | 83.00 | 85.00 | 3.00 | 1.00 | 3.00 | 10 |"
    assert "GAN samples: 0.5 per real image, latent temperature 0.8." in rows[-1]
    with pytest.raises(ValueError, match=r"The 10% runs sampled the GAN with different \(synthetic_ratio, temperature"):
        augment_table.table([both, run(0.1, 1, 0.8, 0.8, 0.8)])


def test_cas_table_gives_the_gap_to_real_data_and_gan_test():
    from jaxgan.tools import augment_table

    cas = {"step": 10000, "cas": 0.7512, "real_accuracy": 0.9304, "gan_test": 0.9, "num_samples": 60000,
           "seconds": 1500.0, "protocol": "CAS: the protocol"}
    text = augment_table.cas_table({"cas_cgan_s0": cas, "cas_other": {**cas, "real_accuracy": None}})
    rows = text.splitlines()
    assert rows[2] == "| cas_cgan_s0 | 10000 | 93.04 | 75.12 | -17.92 | 90.00 | 60000 | 25 |"
    assert rows[3] == "| cas_other | 10000 | – | 75.12 | – | 90.00 | 60000 | 25 |"
    assert "Protocol: CAS: the protocol (the first row's)" in text
