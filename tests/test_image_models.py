"""Image networks: registry names, output shapes and exact parameter counts."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgan import models
from jaxgan.parallel import DATA_AXIS

# name: (image shape, latent dim of the source, G parameters, D parameters),
# counted by hand from the source architecture (trainable parameters only).
EXPECTED = {
    # TensorFlow DCGAN tutorial (seed 000); its model.summary() reports these totals.
    "dcgan28": (
        (28, 28, 1),
        100,
        100 * 7 * 7 * 256  # Dense, no bias
        + 2 * 7 * 7 * 256  # BN (scale, offset) on the dense output
        + 5 * 5 * 256 * 128 + 2 * 128  # ConvT 5x5 s1, no bias; BN
        + 5 * 5 * 128 * 64 + 2 * 64  # ConvT 5x5 s2, no bias; BN
        + 5 * 5 * 64 * 1,  # ConvT 5x5 s2 to 1 channel, no bias
        (5 * 5 * 1 * 64 + 64)  # Conv 5x5 s2
        + (5 * 5 * 64 * 128 + 128)  # Conv 5x5 s2
        + (7 * 7 * 128 + 1),  # Dense on the flattened 7x7x128
    ),
    # compare_gan v1's InfoGAN-style networks (Lucic et al. 2018), D with its BatchNorms.
    "infogan": (
        (28, 28, 1),
        64,
        (64 * 1024 + 1024) + 2 * 1024  # fc 1024, BN
        + (1024 * 7 * 7 * 128 + 7 * 7 * 128) + 2 * 7 * 7 * 128  # fc 7*7*128, BN
        + (4 * 4 * 128 * 64 + 64) + 2 * 64  # deconv 64 4x4 s2, BN
        + (4 * 4 * 64 * 1 + 1),  # deconv 1 4x4 s2
        (4 * 4 * 1 * 64 + 64)  # conv 64 4x4 s2
        + (4 * 4 * 64 * 128 + 128) + 2 * 128  # conv 128 4x4 s2, BN
        + (7 * 7 * 128 * 1024 + 1024) + 2 * 1024  # fc 1024, BN
        + (1024 + 1),  # fc 1
    ),
    # Seed 001's MLP GAN.
    "mlp28": (
        (28, 28, 1),
        100,
        (100 * 128 + 128) + 2 * 128  # Dense 128, BN
        + (128 * 128 + 128) + 2 * 128  # Dense 128, BN
        + (128 * 784 + 784),  # Dense 784
        (784 * 128 + 128) + (128 + 1),  # Dense 128, Dense 1
    ),
    # SNGAN's standard CNN (Miyato et al. 2018, Table 3).
    "dcgan32": (
        (32, 32, 3),
        128,
        (128 * 4 * 4 * 512 + 4 * 4 * 512) + 2 * 4 * 4 * 512  # Dense, BN
        + (4 * 4 * 512 * 256 + 256) + 2 * 256  # deconv 4x4 s2, BN
        + (4 * 4 * 256 * 128 + 128) + 2 * 128
        + (4 * 4 * 128 * 64 + 64) + 2 * 64
        + (3 * 3 * 64 * 3 + 3),  # conv 3x3 to RGB
        (3 * 3 * 3 * 64 + 64) + (4 * 4 * 64 * 64 + 64)
        + (3 * 3 * 64 * 128 + 128) + (4 * 4 * 128 * 128 + 128)
        + (3 * 3 * 128 * 256 + 256) + (4 * 4 * 256 * 256 + 256)
        + (3 * 3 * 256 * 512 + 512)
        + (4 * 4 * 512 + 1),  # dense on the flattened 4x4x512
    ),
}


def _count(tree) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(tree))


def _build(name, shape, **options):
    return models.build_generator(name, options, shape), models.build_discriminator(name, options)


def _variable_shapes(model, inputs):
    return jax.eval_shape(functools.partial(model.init, train=False), jax.random.key(0), inputs)


def _random_variables(model, inputs, seed=0):
    """Variables of `model` drawn with numpy: no init program to compile."""
    rng = np.random.default_rng(seed)
    return jax.tree.map(lambda s: jnp.asarray(0.1 * rng.standard_normal(s.shape), s.dtype), _variable_shapes(model, inputs))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_and_parameter_counts_match_the_source(name):
    shape, latent_dim, g_count, d_count = EXPECTED[name]
    g, d = _build(name, shape)
    z = jax.ShapeDtypeStruct((5, latent_dim), jnp.float32)
    x = jax.ShapeDtypeStruct((5, *shape), jnp.float32)
    g_vars, d_vars = _variable_shapes(g, z), _variable_shapes(d, x)
    assert _count(g_vars["params"]) == g_count
    assert _count(d_vars["params"]) == d_count
    assert jax.eval_shape(lambda v, z: g.apply(v, z, train=False), g_vars, z).shape == (5, *shape)
    assert jax.eval_shape(lambda v, x: d.apply(v, x, train=False), d_vars, x).shape == (5,)


def _train_apply(model, variables, inputs, dropout_key):
    """A training-mode forward pass, with the data axis bound for cross-device BatchNorm."""

    def apply(inputs):
        out, _ = model.apply(variables, inputs, train=True, mutable=["batch_stats"], rngs={"dropout": dropout_key})
        return out

    return jax.vmap(apply, axis_name=DATA_AXIS)(inputs[None])[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_training_forward_pass_is_finite_and_in_range(name):
    shape, latent_dim, _, _ = EXPECTED[name]
    options = {"width": 4} if name.startswith("dcgan") else {}  # small and fast
    g, d = _build(name, shape, **options)
    z = jnp.asarray(np.random.default_rng(1).standard_normal((3, latent_dim)), jnp.float32)
    g_vars = _random_variables(g, z)
    d_vars = _random_variables(d, jax.ShapeDtypeStruct((3, *shape), jnp.float32))

    @jax.jit
    def run(key):
        fake = _train_apply(g, g_vars, z, key)
        return fake, _train_apply(d, d_vars, fake, key), _train_apply(d, d_vars, fake, jax.random.key(7))

    fake, logits, logits_other_dropout = run(jax.random.key(2))
    assert fake.shape == (3, *shape) and logits.shape == (3,)
    assert np.all(np.abs(fake) <= 1.0) and np.all(np.isfinite(logits))
    if name in ("dcgan28", "mlp28"):  # D has dropout, drawn from the step's key
        assert not np.allclose(logits, logits_other_dropout)


def test_conv_impl_changes_the_computation_not_the_function():
    """The same parameters give the same samples whichever convolution runs."""
    shape = (32, 32, 3)
    subpixel, _ = _build("dcgan32", shape, width=4, conv_impl="subpixel")
    xla, _ = _build("dcgan32", shape, width=4, conv_impl="xla")
    z = jnp.asarray(np.random.default_rng(1).standard_normal((2, 128)), jnp.float32)
    variables = _random_variables(subpixel, z)
    np.testing.assert_allclose(
        jax.jit(lambda v: subpixel.apply(v, z, train=False))(variables),
        jax.jit(lambda v: xla.apply(v, z, train=False))(variables),
        rtol=1e-4,
        atol=1e-5,
    )


def test_infogan_discriminator_without_batch_norm_and_generator_activation():
    _, d = _build("infogan", (28, 28, 1))
    plain = models.build_discriminator("infogan", {"batch_norm": False})
    x = jax.ShapeDtypeStruct((2, 28, 28, 1), jnp.float32)
    with_bn, without = _variable_shapes(d, x), _variable_shapes(plain, x)
    assert "batch_stats" in with_bn and "batch_stats" not in without
    assert _count(with_bn["params"]) - _count(without["params"]) == 2 * 128 + 2 * 1024
    z = jnp.asarray(np.random.default_rng(3).standard_normal((2, 64)), jnp.float32)
    lrelu_g = models.build_generator("infogan", {}, (28, 28, 1))
    relu_g = models.build_generator("infogan", {"g_activation": "relu"}, (28, 28, 1))
    variables = lrelu_g.init(jax.random.key(0), z, train=False)  # N(0, 0.02) weights, unit BN variances
    a, b = (jax.jit(lambda v, g=g: g.apply(v, z, train=False))(variables) for g in (lrelu_g, relu_g))
    assert a.shape == b.shape == (2, 28, 28, 1) and not np.allclose(a, b)
    assert np.all(np.abs(a) < 1.0)  # 2 * sigmoid - 1


def test_infogan_discriminator_with_spectral_norm_ignores_the_scale_of_its_weights():
    """SN-DCGAN's D (Miyato et al. 2018): each layer's kernel is divided by its top singular value,
    so scaling every kernel by 10 leaves the logits unchanged; the plain D's change."""
    x = jnp.asarray(np.random.default_rng(5).standard_normal((4, 28, 28, 1)), jnp.float32)
    sn = models.build_discriminator("infogan", {"batch_norm": False, "spectral_norm": True})
    plain = models.build_discriminator("infogan", {"batch_norm": False})
    variables = sn.init(jax.random.key(0), x, train=False)
    assert len(jax.tree.leaves(variables["spectral_stats"])) == 2 * 4  # (u, sigma) per layer
    assert _count(variables["params"]) == _count(plain.init(jax.random.key(0), x, train=False)["params"])
    scaled = {**variables, "params": jax.tree_util.tree_map_with_path(
        lambda path, w: 10.0 * w if path[-1].key == "kernel" else w, variables["params"])}

    def logits(model, v):
        return jax.jit(lambda v: model.apply(v, x, train=True, mutable=["spectral_stats"])[0])(v)

    a, b = logits(sn, variables), logits(sn, scaled)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    plain_vars = {"params": variables["params"]}
    assert not np.allclose(logits(plain, plain_vars), logits(plain, {"params": scaled["params"]}), rtol=1e-2)


def test_infogan_width_multiplies_the_conv_channels_only():
    """`width` 2 (beat_lucic's `wide`): G's 7x7 map and first deconv, D's two convs; the fc 1024s stay."""
    g = models.build_generator("infogan", {"width": 2}, (28, 28, 1))
    d = models.build_discriminator("infogan", {"width": 2})
    z, x = jax.ShapeDtypeStruct((2, 64), jnp.float32), jax.ShapeDtypeStruct((2, 28, 28, 1), jnp.float32)
    g_vars, d_vars = _variable_shapes(g, z), _variable_shapes(d, x)
    assert _count(g_vars["params"]) == (
        (64 * 1024 + 1024) + 2 * 1024
        + (1024 * 7 * 7 * 256 + 7 * 7 * 256) + 2 * 7 * 7 * 256
        + (4 * 4 * 256 * 128 + 128) + 2 * 128
        + (4 * 4 * 128 * 1 + 1))
    assert _count(d_vars["params"]) == (
        (4 * 4 * 1 * 128 + 128)
        + (4 * 4 * 128 * 256 + 256) + 2 * 256
        + (7 * 7 * 256 * 1024 + 1024) + 2 * 1024
        + (1024 + 1))
    assert jax.eval_shape(lambda v, z: g.apply(v, z, train=False), g_vars, z).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="integer >= 1"):
        models.build_discriminator("infogan", {"width": 0})


def test_bad_options_fail_when_built():
    with pytest.raises(ValueError, match="divisible by 8"):
        models.build_generator("dcgan32", {}, (28, 28, 1))
    with pytest.raises(ValueError, match="subpixel"):
        models.build_discriminator("dcgan28", {"conv_impl": "fast"})
