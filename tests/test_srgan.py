"""The `srgan` family: SRResNet/SRGAN parameter counts, the content and adversarial losses by hand, the
classifier content features, SRResNet never training D, shard_map == pmap, and the bicubic baseline."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, mock_images, on_one_device, run_steps
from jaxgan import losses, sampling
from jaxgan.config import ConfigError, base_config
from jaxgan.evaluation import classifier
from jaxgan.data import transforms
from jaxgan.evaluation.evaluators import EvalContext
from jaxgan.evaluation.extractors import EXTRACTORS, Extractor
from jaxgan.evaluation.translation import fidelity, to_uint8, translation
from jaxgan.families import LossContext, family_config
from jaxgan.families.srgan import CONTENT_FEATURES
from jaxgan.models.srresnet import SRGANDiscriminator, SRResNetGenerator
from test_image2image import MOCK_EXAMPLES, count_params


def test_srresnet_and_srgan_d_have_the_papers_parameter_counts():
    # SRResNet, B = 16, x4, RGB: the 1,549,462 parameters PyTorch ports of the paper print.
    assert count_params(SRResNetGenerator((96, 96, 3), num_blocks=16), (1, 24, 24, 3)) == 1_549_462
    convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 512), (512, 512)]
    by_hand = 9 * 3 * 64 + 64  # the first conv, with bias
    by_hand += sum(9 * i * o + 2 * o for i, o in convs[1:])  # no bias, BatchNorm
    by_hand += 6 * 6 * 512 * 1024 + 1024 + 1024 + 1  # 96 -> 6 after four stride-2 convs; dense 1024, dense 1
    assert count_params(SRGANDiscriminator(), (1, 96, 96, 3)) == by_hand


def test_srresnet_upscales_by_the_targets_factor_and_refuses_others():
    g = SRResNetGenerator((32, 32, 1), width=8, num_blocks=1)
    v = g.init(jax.random.key(0), jnp.zeros((2, 8, 8, 1)), train=False)
    assert g.apply(v, jnp.zeros((2, 8, 8, 1)), train=False).shape == (2, 32, 32, 1)
    with pytest.raises(ValueError, match="does not upscale to 32 by a power of 2"):
        g.init(jax.random.key(0), jnp.zeros((2, 12, 12, 1)), train=False)


def sr_config(content="pixel", adversarial_weight=1e-3, **overrides):
    c = base_config()
    c.family = family_config("srgan", content=content, adversarial_weight=adversarial_weight)
    c.data.name, c.data.image_size = "fashion_mnist_sr_x4", 16
    c.batch_size, c.total_steps = 8, 4
    c.model.generator, c.model.discriminator = "srresnet", "srgan"
    c.model.g.width, c.model.g.num_blocks, c.model.d.width, c.model.d.dense = 4, 1, 4, 8
    c.eval.evaluators, c.eval.reference_split, c.eval.num_samples = "translation", "test", 16
    for key, value in overrides.items():
        section, _, leaf = key.rpartition(".")
        c[section][leaf] = value
    return c


def test_the_g_loss_is_content_plus_a_thousandth_of_the_adversarial_loss():
    with mock_images(MOCK_EXAMPLES):
        exp = build(sr_config(), num_devices=1)
        state, family = jax.device_get(exp.init_state()), exp.family
        batch = {k: jnp.asarray(v[0]) for k, v in exp.dataset.local_batch(0, 4).items()}
        ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
        key = jax.random.key(2)
        got = on_one_device(lambda k: family.loss("g", ctx, batch, k).loss)(key)

        def by_hand(k):
            real_key, fake_key = jax.random.split(k, 4)[:2]
            fake, _ = family.apply("generator", ctx.params, ctx.collections, batch["input"], True)
            d = lambda x, kk: family.apply("discriminator", ctx.params, ctx.collections, x, True, kk)[0]  # noqa: E731
            adversarial = losses.non_saturating(d(batch["target"], real_key), d(fake, fake_key)).g
            return jnp.mean((fake - batch["target"]) ** 2) + 1e-3 * adversarial

        np.testing.assert_allclose(got, on_one_device(by_hand)(key), rtol=1e-6)


def test_classifier_content_features_are_its_last_conv_map_and_carry_gradients(tmp_path):
    classifier.save(tmp_path / "fashion_mnist_classifier", classifier.init_variables(0), {"accuracy": 0.0})
    c = sr_config(content="fashion_mnist_classifier")
    c.eval.cache_dir = str(tmp_path)
    features = CONTENT_FEATURES.get("fashion_mnist_classifier")(c)
    x = jax.random.uniform(jax.random.key(0), (3, 32, 32, 1), minval=-1, maxval=1)
    assert features(x).shape == (3, 14, 14, 64) and (features(x) >= 0).all()
    grad = jax.grad(lambda y: jnp.sum(features(y) ** 2))(x)
    assert grad.shape == x.shape and float(jnp.abs(grad).sum()) > 0
    missing = sr_config(content="fashion_mnist_classifier")
    missing.eval.cache_dir = str(tmp_path / "empty")
    with mock_images(MOCK_EXAMPLES), pytest.raises(ConfigError, match="train_classifier fashion_mnist"):
        build(missing)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_srresnet_never_trains_d_and_upscales_by_four():
    # (shard_map == pmap for the image-to-image families: tests/test_image2image.py, test_cyclegan.py)
    with mock_images(MOCK_EXAMPLES):
        exp = build(sr_config(adversarial_weight=0.0))
        start, end = jax.device_get(exp.init_state()), run_steps(exp, 2)
        assert_trees_equal(start.params["discriminator"], end.params["discriminator"])
        assert any(not np.array_equal(a, b) for a, b in zip(jax.tree.leaves(start.params["generator"]),
                                                             jax.tree.leaves(end.params["generator"])))
        pairs = exp.dataset.reference_pairs("test", 4)
        assert sampling.predictions(exp.family, exp.init_state())["upscale"](pairs["input"]).shape == (4, 16, 16, 1)


def test_fidelity_of_the_truth_itself_is_perfect_and_psnr_follows_the_mse():
    truth = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype(np.float32)
    same = fidelity(truth, truth)
    assert same["l1"] == 0 and same["ssim"] == pytest.approx(1.0, abs=1e-5) and np.isinf(same["psnr"])
    shifted = np.clip(truth + 0.2, -1, 1)  # 0.1 in [0, 1] units where not clipped
    mse = np.mean(((shifted + 1) / 2 - (truth + 1) / 2) ** 2, axis=(1, 2, 3))
    assert fidelity(shifted, truth)["psnr"] == pytest.approx(np.mean(10 * np.log10(1 / mse)), rel=1e-4)


def test_the_bicubic_baseline_is_scored_for_realism_once_per_cache(tmp_path):
    """SR evals report the bicubic row's FID and class accuracy too; its features come from the cache after the
    first eval. An upscaler that is bicubic itself scores exactly the baseline's figures."""
    calls = {"n": 0}

    @EXTRACTORS.register("test_pixel_stats")
    def build_extractor(eval_config):
        def apply(images):
            calls["n"] += len(images)
            flat = np.asarray(images, np.float32).reshape(len(images), -1)
            return {"features": np.stack([flat.mean(1), flat.std(1), flat.max(1)], -1)}

        return Extractor("test_pixel_stats", "test features (pixel stats)", "cd" * 32, 3, 0, apply)

    try:
        with mock_images(MOCK_EXAMPLES):
            c = sr_config()
            c.eval.update(dict(metrics="fid", extractor="test_pixel_stats", cache_dir=str(tmp_path),
                               reference_num_samples=16))
            exp = build(c, 1)
            bicubic = lambda x: (transforms.upsample_bicubic(to_uint8(x), 4) / 127.5 - 1.0).astype(np.float32)  # noqa: E731
            ctx = EvalContext(exp, None, {"upscale": bicubic}, {}, jax.random.key(0))
            first = translation(ctx).results
            assert calls["n"] == 16 + 16 + 16  # outputs, reference, bicubic baseline
            second = translation(ctx).results
            assert calls["n"] == 16 + 16 + 16 + 16  # only the outputs again
    finally:
        EXTRACTORS.unregister("test_pixel_stats")
    assert first == second
    for key in ("psnr", "ssim", "l1", "test_pixel_stats/fid"):
        assert first[f"upscale/bicubic_{key}"] == pytest.approx(first[f"upscale/{key}"], abs=1e-6)
    assert "upscale/bicubic_class_accuracy" in first or "upscale/bicubic_class_accuracy_skipped" in first


def test_the_sr_table_sets_bicubic_srresnet_and_srgan_side_by_side():
    from jaxgan.tools import sr_table

    def row(name, adversarial_weight, content, psnr, fid, bicubic_psnr=20.0):
        return {"name": name, "dataset": "fashion_mnist_sr_x4", "step": 5000, "wall_s": 600.0,
                "family": {"name": "srgan", "content": content, "adversarial_weight": adversarial_weight},
                "upscale/psnr": psnr, "upscale/inception_fid/fid": fid, "upscale/bicubic_psnr": bicubic_psnr,
                "upscale/bicubic_inception_fid/fid": 90.0, "upscale/protocol": "2000 fixed 'test' examples"}

    rows = [row("sr_srresnet_x4", 0.0, "pixel", 24.0, 60.0), row("sr_srgan_x4", 1e-3, "fashion_mnist_classifier", 22.5, 30.0)]
    text = sr_table.table(rows)
    lines = [line for line in text.splitlines() if line.startswith("| fashion_mnist_sr_x4")]
    assert lines[0].startswith("| fashion_mnist_sr_x4 | bicubic | | | | 20 |") and "| 90 |" in lines[0]
    assert lines[1].startswith("| fashion_mnist_sr_x4 | SRResNet (MSE) | sr_srresnet_x4 | 5000 | 10.0 | 24 |")
    assert lines[2].startswith("| fashion_mnist_sr_x4 | SRGAN (fashion_mnist_classifier content) | sr_srgan_x4 |")
    assert "Protocol: 2000 fixed 'test' examples" in text
    with pytest.raises(ValueError, match="disagree on the bicubic baseline"):
        sr_table.table([rows[1], row("other", 0.0, "pixel", 24.0, 60.0, bicubic_psnr=21.0)])
    with pytest.raises(ValueError, match="no bicubic baseline"):
        sr_table.table([{"name": "pix2pix", "dataset": "edges2fashion", "translate/psnr": 20.0}])
