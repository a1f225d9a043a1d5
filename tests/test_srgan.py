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
from jaxgan.evaluation.translation import fidelity
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
