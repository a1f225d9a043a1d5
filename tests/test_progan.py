"""ProGAN: the phase schedule and fade-in alpha at its boundaries, one compiled step per resolution, and a run
stopped mid-fade-in that resumes bit for bit."""

import io
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, mock_images
from jaxgan import experiment, train
from jaxgan.checkpoint import saveable_tree
from jaxgan.config import ConfigError, base_config, load_experiment
from jaxgan.families import family_config
from jaxgan.families.progan import fade_alpha, phase_starts, real_at, resolution_at
from jaxgan.models.progan import downsample, upsample


def test_phases_and_alpha_at_their_boundaries():
    starts = phase_starts(16, fade_images=16, stable_images=16)
    assert starts == {4: 0, 8: 16, 16: 48}  # 4: stable only; then fade + stable per resolution
    assert [resolution_at(i, starts) for i in (0, 15, 16, 47, 48, 10**6)] == [4, 4, 8, 8, 16, 16]
    assert [float(fade_alpha(i, 16, 16, 8)) for i in (16, 20, 24, 32, 40)] == [0.0, 0.25, 0.5, 1.0, 1.0]
    assert float(fade_alpha(3, 0, 16, 4)) == 1.0  # 4x4 never fades


def test_reals_are_downsampled_and_blended_like_g():
    x = np.random.default_rng(0).standard_normal((2, 16, 16, 1)).astype(np.float32)
    x8 = downsample(x)
    np.testing.assert_allclose(real_at(x, 8, 1.0), x8, rtol=1e-6)
    np.testing.assert_allclose(real_at(x, 8, 0.0), upsample(downsample(x8)), rtol=1e-6)
    np.testing.assert_allclose(real_at(x, 16, 0.25), 0.75 * upsample(x8) + 0.25 * x, rtol=1e-5, atol=1e-6)


def progan_config(total_steps=10, **family):
    c = base_config()
    # 4 images a step: 4x4 for steps 0-1, 8x8 fades over 2-3 and is stable over 4-5, 16x16 fades over 6-7.
    c.family = family_config("progan", **{"fade_kimg": 0.008, "stable_kimg": 0.008, **family})
    c.data.name, c.data.image_size = "fashion_mnist", 16
    c.batch_size, c.total_steps, c.loss = 4, total_steps, "wasserstein"
    c.penalties = {"wgan_gp": {"weight": 10.0}}
    c.model.generator = c.model.discriminator = "progan"
    c.model.latent_dim = 8
    c.model.g.fmap_base = c.model.d.fmap_base = 16
    c.model.g.fmap_max = c.model.d.fmap_max = 8
    c.ema.decay = 0.9
    c.log_every_steps, c.eval_every_steps, c.checkpoint_every_steps = 1, 10, 7
    c.eval.num_samples, c.eval.metrics = 16, ""
    return c


def test_pictures_say_the_resolution_and_the_fade_in_alpha():
    from PIL import Image

    from jaxgan import visualize
    from jaxgan.evaluation import evaluators

    with mock_images(40):
        exp = build(progan_config(), num_devices=1)
        family = exp.family
        assert [family.caption(s) for s in (1, 2, 3, 4, 7)] == [
            "4x4", "8x8, fade-in alpha 0.00", "8x8, fade-in alpha 0.50", "8x8", "16x16, fade-in alpha 0.50"]
        state = exp.init_state().replace(step=jnp.asarray(3, jnp.int32))
        png = evaluators.evaluate(exp, state, pictures=True).pictures["samples"]
    # The caption is written above the grid (16 samples of 16x16 in 8 columns: a 2 x 8 grid below a band).
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    grid_height = 2 + 2 * 18
    assert picture.shape[1] == 2 + 8 * 18 and picture.shape[0] > grid_height
    band = picture[: picture.shape[0] - grid_height]
    assert (band < 128).any() and (band == 255).mean() > 0.5  # dark text on white
    # A long caption wraps to the grid's width instead of being cut.
    grid = np.zeros((20, 60, 3), np.uint8)
    one, wrapped = visualize.with_banner(grid, "8x8"), visualize.with_banner(grid, "fashion_mnist step 3, 8x8, alpha 0.50")
    assert one.shape[1] == wrapped.shape[1] == 60 and wrapped.shape[0] > one.shape[0] > 20
    np.testing.assert_array_equal(wrapped[-20:], grid)


@pytest.mark.parametrize("name, final, phase_steps", [("progan_cifar10", 32, 25_000), ("progan_celeba128", 128, 50_000)])
def test_online_configs_are_the_authors_schedules(name, final, phase_steps):
    c = load_experiment(name)
    with mock_images(8):
        family = build(c, num_devices=1).family
    assert family.final == final and c.batch_size == 16
    # 4x4 stable for one phase, then each resolution fades in for one phase and is stable for one
    assert [family.phase(k * phase_steps) for k in range(4)] == [4, 8, 8, 16]
    assert family.caption(phase_steps + phase_steps // 2) == "8x8, fade-in alpha 0.50"


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
@pytest.mark.parametrize("name", ["progan_cifar10", "progan_celeba128"])
def test_online_configs_train_on_mock_data(name, tmp_path):
    with mock_images(16):
        train.train_and_evaluate(load_experiment(name, "smoke"), str(tmp_path))
    assert json.loads((tmp_path / "eval_final.json").read_text())["step"] == 2


def test_wgan_gp_target_scales_as_progans():
    from jaxgan.penalties import PenaltyInputs, wgan_gp

    w = jnp.array([3.0, 4.0])  # D(x) = <w, x>: every gradient norm is 5
    x = jnp.ones((4, 2))
    inputs = PenaltyInputs(lambda p, v: v @ p, w, x, -x, x @ w, -x @ w, jax.random.key(0))
    assert float(wgan_gp(inputs, None)[0]) == pytest.approx((5 - 1) ** 2)
    assert float(wgan_gp(inputs, None, target=750.0)[0]) == pytest.approx((5 - 750) ** 2 / 750**2)


class CountingSteps(train.PhasedSteps):
    made = []

    def __init__(self, exp):
        super().__init__(exp)
        CountingSteps.made.append(self)


@pytest.mark.slow  # end-to-end (60-100 s): CI's 15-minute budget (run with -m slow)
def test_each_resolution_compiles_once_and_samples_at_its_phase(tmp_path, monkeypatch):
    monkeypatch.setattr(train, "PhasedSteps", CountingSteps)
    with mock_images(40):
        train.train_and_evaluate(progan_config(), str(tmp_path))
        steps = CountingSteps.made[-1]
        assert sorted(steps.steps) == [4, 8, 16] and steps.traced == 3  # one compilation per resolution
        exp, state = experiment.restore_latest(tmp_path)
    generate = lambda step: exp.family.predictions_at(state.ema, state.collections, step)["generate"]  # noqa: E731
    at_4, at_16 = generate(1)(jax.random.key(0), 4), generate(7)(jax.random.key(0), 4)
    assert at_4.shape == at_16.shape == (4, 16, 16, 1) and np.isfinite(at_16).all()
    np.testing.assert_array_equal(at_4, upsample(upsample(downsample(downsample(at_4)))))  # 4x4, shown at 16


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_a_run_stopped_mid_fade_in_resumes_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setattr(train, "PhasedSteps", CountingSteps)
    with mock_images(40):
        train.train_and_evaluate(progan_config(), str(tmp_path / "full"))
        train.train_and_evaluate(progan_config(total_steps=7), str(tmp_path / "split"))  # 16x16 half faded in
        train.train_and_evaluate(progan_config(), str(tmp_path / "split"))
        assert sorted(CountingSteps.made[-1].steps) == [16]  # the resumed run starts in the phase it stopped in
        (_, full), (_, split) = (experiment.restore_latest(tmp_path / w) for w in ("full", "split"))
    assert int(full.step) == int(split.step) == 10
    assert_trees_equal(*jax.device_get((saveable_tree(full), saveable_tree(split))))


def test_bad_progan_config_is_one_clear_error(tmp_path):
    c = progan_config()
    c.model.generator = "dcgan32"
    with mock_images(40), pytest.raises(ConfigError, match="grows its own networks: set model.generator"):
        train.train_and_evaluate(c, str(tmp_path / "w"))
    c = progan_config()
    c.data.image_size = 24
    with mock_images(40), pytest.raises(ConfigError, match="24 is not a power of two"):
        train.train_and_evaluate(c, str(tmp_path / "w"))


def test_the_curve_tool_sets_quality_against_images_and_training_time(tmp_path):
    """ProGAN's comparison from eval.jsonl alone: rows by kimg, the time to a level both runs reach, the plot."""
    from jaxgan.tools import curve

    logs = {"grow": [(1, 60.0, 80.0), (2, 120.0, 40.0), (2, 130.0, 30.0), (3, 200.0, 20.0)],  # step 2 evaluated twice
            "fixed": [(1, 100.0, 90.0), (2, 200.0, 35.0), (3, 300.0, 25.0)]}
    for name, rows in logs.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "eval.jsonl").write_text("".join(
            json.dumps({"step": s, "kimg": 60.0 * s, "train_s": t, "train_cpu_s": 3 * t, "wall_s": 2 * t,
                        "inception_fid/fid": f}) + "\n"
            for s, t, f in rows))
    runs = {name: curve.load_rows(tmp_path / name) for name in logs}
    assert [r["train_s"] for r in runs["grow"]] == [60.0, 130.0, 200.0]  # the repeated step: its last row
    assert curve.default_metric(runs) == "inception_fid/fid" and curve.shared_metrics(runs) == ["inception_fid/fid"]
    text = curve.table(runs, "inception_fid/fid")
    assert "| 120 | 30 | 2.167 | 35 | 3.333 |" in text
    # The worst best is fixed's 25: grow first reaches it at 200 s (FID 20), fixed at 300 s.
    assert "first reach inception_fid/fid <= 25 (the worst of the runs' best values): grow 3.3 min, fixed 5.0 min" in text
    cpu = curve.table(runs, "inception_fid/fid", clock="train_cpu_s")  # the CPU-time axis, for shared machines
    assert "| 120 | 30 | 6.5 | 35 | 10 |" in cpu and "Training CPU time to first reach" in cpu
    assert "grow 10.0 min, fixed 15.0 min" in cpu
    assert curve.plot(runs, "inception_fid/fid", "train_cpu_s")[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "grow" / "config.json").write_text(json.dumps({"seed": 3, "total_steps": 5}))
    assert curve.describe(tmp_path / "grow", runs["grow"]) == (
        "grow (seed 3, evaluated to step 3 of 5, unfinished; training time 3.3 min, training CPU time 10.0 min)")
    assert curve.describe(tmp_path / "fixed", runs["fixed"]).startswith("fixed (seed unknown, evaluated to step 3;")
    with pytest.raises(FileNotFoundError, match="has not been evaluated yet"):
        curve.load_rows(tmp_path / "missing")
