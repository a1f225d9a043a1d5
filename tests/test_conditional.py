"""Class-conditional image GANs: conditional BatchNorm in G, projection and ACGAN discriminators."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from PIL import Image

from conftest import tiny_config
from jaxgan import experiment, models, parallel, train
from jaxgan.models.layers import ConditionalBatchNorm
from jaxgan.parallel import DATA_AXIS
from jaxgan.families.common import sample_latents, split_d_output
from jaxgan.models.apply import apply_model
from jaxgan.step import make_train_step
from test_image_data import mock_images

NUM_CLASSES = 10


def _count(tree) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(tree))


def _shapes(model, *inputs, **kwargs):
    return jax.eval_shape(functools.partial(model.init, train=False, **kwargs), jax.random.key(0), *inputs)


def _with_axis(fn):
    """Binds the data axis that cross-device BatchNorm averages over."""
    return lambda *args: jax.vmap(lambda *a: fn(*a), axis_name=DATA_AXIS)(*(x[None] for x in args))


def test_conditional_batch_norm_starts_as_batch_norm_and_then_depends_on_the_class():
    x = jnp.asarray(np.random.default_rng(0).normal(2.0, 3.0, (6, 4)), jnp.float32)
    labels = jnp.asarray([0, 1, 2, 0, 1, 2])
    cbn = ConditionalBatchNorm(3)
    variables = cbn.init(jax.random.key(0), x, labels, train=False)
    out = _with_axis(lambda x, y: cbn.apply(variables, x, y, train=True, mutable=["batch_stats"])[0])(x, labels)[0]
    normalized = (x - x.mean(0)) / jnp.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(out, normalized, rtol=1e-4, atol=1e-5)  # gamma 1, beta 0 at init

    params = jax.tree.map(lambda p: p, variables["params"])
    params["scale"]["embedding"] = jnp.asarray([[1.0] * 4, [2.0] * 4, [3.0] * 4])
    params["offset"]["embedding"] = jnp.asarray([[0.0] * 4, [1.0] * 4, [-1.0] * 4])
    out = _with_axis(
        lambda x, y: cbn.apply({**variables, "params": params}, x, y, train=True, mutable=["batch_stats"])[0]
    )(x, labels)[0]
    gamma, beta = np.array([1.0, 2.0, 3.0])[labels][:, None], np.array([0.0, 1.0, -1.0])[labels][:, None]
    np.testing.assert_allclose(out, gamma * normalized + beta, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "name, shape, latent_dim, num_norms", [("dcgan28", (28, 28, 1), 100, 3), ("dcgan32", (32, 32, 3), 128, 4)]
)
def test_conditional_generators_swap_batch_norm_for_per_class_scales(name, shape, latent_dim, num_norms):
    plain = models.build_generator(name, {}, shape)
    conditional = models.build_generator(name, {}, shape, num_classes=NUM_CLASSES)
    z = jax.ShapeDtypeStruct((5, latent_dim), jnp.float32)
    y = jax.ShapeDtypeStruct((5,), jnp.int32)
    plain_vars, cond_vars = _shapes(plain, z), _shapes(conditional, z, labels=y)
    bn_channels = [v["scale"].shape[0] for k, v in plain_vars["params"].items() if k.startswith("BatchNorm")]
    assert len(bn_channels) == num_norms
    # Each BatchNorm's scale and offset (2C) become a table per class (2 * classes * C).
    expected = _count(plain_vars["params"]) + sum(2 * (NUM_CLASSES - 1) * c for c in bn_channels)
    assert _count(cond_vars["params"]) == expected
    out = jax.eval_shape(lambda v, z, y: conditional.apply(v, z, train=False, labels=y), cond_vars, z, y)
    assert out.shape == (5, *shape)


@pytest.mark.parametrize("name, shape", [("dcgan28", (28, 28, 1)), ("dcgan32", (32, 32, 3)), ("mlp", (28, 28, 1))])
def test_projection_and_acgan_discriminators(name, shape):
    x = jax.ShapeDtypeStruct((5, *shape), jnp.float32)
    y = jax.ShapeDtypeStruct((5,), jnp.int32)
    plain = models.build_discriminator(name, {})
    projection = models.build_discriminator(name, {}, num_classes=NUM_CLASSES)
    acgan = models.build_discriminator(name, {"conditioning": "acgan"}, num_classes=NUM_CLASSES)
    plain_vars = _shapes(plain, x)
    features = plain_vars["params"][max(k for k in plain_vars["params"] if k.startswith("Dense"))]["kernel"].shape[0]
    proj_vars, acgan_vars = _shapes(projection, x, labels=y), _shapes(acgan, x, labels=y)
    assert _count(proj_vars["params"]) == _count(plain_vars["params"]) + NUM_CLASSES * features
    assert _count(acgan_vars["params"]) == _count(plain_vars["params"]) + (features + 1) * NUM_CLASSES
    logits = jax.eval_shape(lambda v, x, y: projection.apply(v, x, train=False, labels=y), proj_vars, x, y)
    assert logits.shape == (5,)
    logits, classes = jax.eval_shape(lambda v, x, y: acgan.apply(v, x, train=False, labels=y), acgan_vars, x, y)
    assert logits.shape == (5,) and classes.shape == (5, NUM_CLASSES)


def test_unknown_conditioning_lists_the_choices():
    with pytest.raises(ValueError, match="Unknown conditioning 'concat'. Choices: acgan, projection"):
        models.build_discriminator("dcgan28", {"conditioning": "concat"}, num_classes=NUM_CLASSES)


@pytest.mark.slow  # end-to-end (38-65 s): CI's 15-minute budget (run with -m slow)
def test_acgan_dcgan_trains_and_draws_one_class_per_row(tmp_path):
    """A short conditional DCGAN run (cBN in G, ACGAN D) on mock images, end to end."""
    config = tiny_config(total_steps=2, **{"eval.num_samples": 80, "batch_size": 8})
    config.log_every_steps = config.eval_every_steps = config.checkpoint_every_steps = 1
    config.data.name, config.data.use_labels = "fashion_mnist", True
    config.model.generator = config.model.discriminator = "dcgan28"
    config.model.g = {"width": 4}
    config.model.d = {"width": 4, "conditioning": "acgan"}
    config.model.latent_dim = 8
    with mock_images(num_examples=40):
        train.train_and_evaluate(config, str(tmp_path))
    grid = np.asarray(Image.open(tmp_path / "samples" / "step_00000002.png"))
    assert grid.shape == (2 + 10 * 30, 2 + 8 * 30, 3)  # one row per class
    with mock_images(num_examples=40):
        exp, state = experiment.restore_latest(tmp_path)
    z = sample_latents(jax.random.key(0), 8, 8)
    g_model, g_params, g_state = exp.nets["generator"], state.params["generator"], state.collections["generator"]
    images = [np.asarray(apply_model(g_model, g_params, g_state, z, False, labels=jnp.full(8, c))[0])
              for c in range(2)]
    assert not np.allclose(images[0], images[1])
    logits, classes = split_d_output(
        apply_model(exp.nets["discriminator"], state.params["discriminator"], state.collections["discriminator"],
                    jnp.asarray(images[0]), False, labels=jnp.zeros(8, int))[0]
    )
    assert logits.shape == (8,) and classes.shape == (8, NUM_CLASSES)
    # The auxiliary classifier's cross-entropy is in both losses, and reported.
    step = parallel.shard_step(make_train_step(exp.family, exp.config), exp.mesh, donate=False)
    with mock_images(num_examples=40):
        batch = parallel.place_batch(exp.dataset.local_batch(5, 8, exp.family.batches_per_step()), exp.mesh)
    _, metrics = step(state, batch, jax.random.key(0))
    assert float(metrics["d_class_loss"]) > 0 and float(metrics["g_class_loss"]) > 0
    assert float(metrics["d_total_loss"]) == pytest.approx(float(metrics["d_loss"] + metrics["d_class_loss"]), rel=1e-5)
