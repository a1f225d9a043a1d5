"""Training on image data end to end (tfds mock data): grids of fixed latents, EMA and raw."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from conftest import tiny_config
from jaxgan import experiment, train
from jaxgan.families.common import sample_latents
from jaxgan.models.apply import apply_model
from test_image_data import mock_images


def test_image_gan_trains_and_writes_sample_grids(tmp_path):
    config = tiny_config(total_steps=4, **{"ema.decay": 0.9, "eval.num_samples": 16})
    config.data.name = "fashion_mnist"
    config.model.latent_dim = 8
    config.model.g.output_activation = "tanh"
    with mock_images(num_examples=40):
        results = train.train_and_evaluate(config, str(tmp_path))
    assert results["num_samples"] == 16 and results["non_finite_samples"] == 0
    assert "no image metric configured" in results["protocol"]
    ema = np.asarray(Image.open(tmp_path / "samples" / "step_00000004.png"))
    raw = np.asarray(Image.open(tmp_path / "samples" / "step_00000004_raw.png"))
    assert ema.shape == raw.shape == (2 + 2 * 30, 2 + 8 * 30, 3)  # 16 images of 28x28 in 8 columns
    assert not np.array_equal(ema, raw)


def test_conditional_run_draws_one_class_per_grid_row(tmp_path):
    config = tiny_config(total_steps=4, **{"eval.num_samples": 80})
    config.data.name, config.data.use_labels = "fashion_mnist", True
    config.model.latent_dim = 8
    config.model.g.output_activation = "tanh"
    with mock_images(num_examples=40):
        train.train_and_evaluate(config, str(tmp_path))
    grid = np.asarray(Image.open(tmp_path / "samples" / "step_00000004.png")).astype(np.float32)
    assert grid.shape == (2 + 10 * 30, 2 + 8 * 30, 3)  # 10 classes, one row each
    # The same latents with different classes give different images: rows differ by class.
    with mock_images(num_examples=40):
        exp, state = experiment.restore_latest(tmp_path)
    z = sample_latents(jax.random.key(0), 8, 8)
    g_model, g_params, g_state = exp.nets["generator"], state.params["generator"], state.collections["generator"]
    images = [np.asarray(apply_model(g_model, g_params, g_state, z, False, labels=jnp.full(8, c))[0])
              for c in range(3)]
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])


def test_unconditional_networks_refuse_labels():
    import pytest

    from jaxgan.config import ConfigError

    config = tiny_config()
    config.data.name, config.data.use_labels = "ring8", True
    with pytest.raises(ConfigError, match="dataset 'ring8' has no class labels"):
        experiment.build(config)


def test_an_unprepared_dataset_says_how_to_prepare_it(tmp_path):
    import pytest

    from jaxgan.data import storage

    with pytest.raises(storage.DatasetNotPreparedError, match=r"(?s)not prepared .*python -m jaxgan.data.prepare mnist"):
        storage.open_source("mnist", "train", str(tmp_path))


def test_grids_show_one_grid_when_the_eval_draws_more_samples(tmp_path):
    config = tiny_config(total_steps=1, **{"ema.decay": 0.9, "eval.num_samples": 100})
    config.eval_every_steps = config.checkpoint_every_steps = config.log_every_steps = 1
    config.data.name = "fashion_mnist"
    config.model.latent_dim = 8
    config.model.g.output_activation = "tanh"
    with mock_images(num_examples=40):
        results = train.train_and_evaluate(config, str(tmp_path))
    assert results["num_samples"] == 100
    for name in ("step_00000001.png", "step_00000001_raw.png"):  # 8x8 grids, not 100 images
        assert np.asarray(Image.open(tmp_path / "samples" / name)).shape == (2 + 8 * 30, 2 + 8 * 30, 3)


def test_evaluate_overrides_the_runs_eval_protocol_and_refuses_a_bad_one():
    # `python -m jaxgan.evaluate --extractor inception_fid --reference_split test ...` scores a run
    # trained with classifier metrics on the Lucic et al. protocol; a bad override is refused up front.
    import pytest

    from helpers import build
    from jaxgan import evaluate
    from jaxgan.config import ConfigError, load_experiment

    with mock_images(num_examples=40):
        exp = build(load_experiment("infogan_fashion_mnist", "smoke"), num_devices=1)
    assert (exp.config.eval.extractor, exp.config.eval.reference_split) == ("fashion_mnist_classifier", "train")
    keep = dict.fromkeys(evaluate.OVERRIDES)
    evaluate.configure(exp, {**keep, "extractor": "inception_fid", "metrics": "fid,kid", "reference_split": "test"})
    assert (exp.config.eval.extractor, exp.config.eval.metrics, exp.config.eval.reference_split) == (
        "inception_fid", "fid,kid", "test")
    assert exp.config.eval.num_samples == 64  # not overridden: kept
    with pytest.raises(ConfigError, match="nope"):
        evaluate.configure(exp, {**keep, "metrics": "fid,nope"})


def test_the_beat_lucic_modifiers_compose_and_the_candidate_trains_on_two_devices():
    """`ema+m1+m2...`: each modifier is one change, all of them compose; a bad name lists the choices."""
    from jaxgan.config import ConfigError, load_experiment

    everything = "ema+decay+hinge+sn+lecam+ttur+r1+wide+b128+diffaug+standing+short"
    c = load_experiment("beat_lucic_fashion_mnist", everything)
    assert (c.loss, c.optimizer.g.schedule, c.optimizer.d.lr, c.augment.policy) == (
        "hinge", "linear", 4e-4, "translation,cutout")
    assert (c.batch_size, c.total_steps, c.eval.extractor, c.eval.standing_stats) == (
        128, 1_562, "fashion_mnist_classifier", 16)  # `short` runs after b128: the same screen images
    assert c.model.d.spectral_norm and not c.model.d.batch_norm and c.penalties.lecam.weight == 0.3
    assert c.penalties.r1.weight == 0.1 and c.model.g.width == c.model.d.width == 2
    assert load_experiment("beat_lucic_fashion_mnist", "ema_standing").eval.standing_stats == 16  # old name
    for bad in ("ema+nope", "hinge", "ema+sn+sn"):
        with pytest.raises(ConfigError, match="Modifiers: decay, hinge"):
            load_experiment("beat_lucic_fashion_mnist", bad)
    # The candidate recipe trains; all modifiers at once is the slow test below (its step compiles ~2.5x longer).
    _two_steps_on_two_devices(load_experiment("beat_lucic_fashion_mnist", "ema+wide+standing"))


def _two_steps_on_two_devices(c):
    from helpers import build, run_steps

    c.batch_size, c.total_steps = 8, 2
    with mock_images(num_examples=40):
        state = run_steps(build(c, num_devices=2), 2)
    assert int(state.step) == 2
    assert all(np.all(np.isfinite(leaf)) for leaf in jax.tree.leaves(state.params))
    return state


@pytest.mark.slow  # CI's 15-minute budget: ~35 s on 2 loaded cores, compile-bound (run with -m slow)
def test_all_the_beat_lucic_modifiers_train_together():
    from jaxgan.config import load_experiment

    state = _two_steps_on_two_devices(load_experiment(
        "beat_lucic_fashion_mnist", "ema+decay+hinge+sn+lecam+ttur+r1+wide+b128+diffaug+standing+short"))
    assert jax.tree.leaves(state.extra["penalties"])  # LeCam's anchors live in the state
