"""ProGAN's layers against their definitions: equalized lr, pixel norm, minibatch stddev (numpy reference)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgan.models.progan_layers import (EqualizedConv, EqualizedDense, effective_kernel, he_constant,
                                         minibatch_stddev, pixel_norm)


def test_equalized_layers_apply_the_n01_weights_times_hes_constant():
    x = jax.random.normal(jax.random.key(0), (2, 5, 5, 6))
    conv = EqualizedConv(4, (3, 3))
    params = conv.init(jax.random.key(1), x)["params"]
    assert abs(float(jnp.std(params["kernel"])) - 1.0) < 0.15  # stored at unit scale
    c = math.sqrt(2.0) / math.sqrt(3 * 3 * 6)
    assert he_constant(54) == pytest.approx(c)
    np.testing.assert_allclose(effective_kernel(params), params["kernel"] * c, rtol=1e-6)
    expected = jax.lax.conv_general_dilated(x, params["kernel"] * c, (1, 1), "SAME",
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(conv.apply({"params": params}, x), expected, rtol=1e-5, atol=1e-6)
    dense = EqualizedDense(3, gain=1.0)
    dp = dense.init(jax.random.key(2), x[:, 0, 0])["params"]
    np.testing.assert_allclose(dense.apply({"params": dp}, x[:, 0, 0]), x[:, 0, 0] @ dp["kernel"] / math.sqrt(6),
                               rtol=1e-5, atol=1e-6)


def test_pixel_norm_gives_every_pixel_unit_mean_square():
    x = jax.random.normal(jax.random.key(0), (2, 3, 3, 8)) * 5
    y = pixel_norm(x)
    np.testing.assert_allclose(jnp.mean(y**2, axis=-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(y / x, (y / x)[..., :1] * np.ones(8), rtol=1e-5)  # one scale per pixel


def reference_stddev(x, group_size):
    n = len(x)
    g = min(group_size, n)
    m = n // g
    out = np.empty(n)
    for i in range(n):
        members = x[[k for k in range(n) if k % m == i % m]]
        out[i] = np.mean(np.sqrt(members.var(axis=0) + 1e-8))
    return np.concatenate([x, np.broadcast_to(out[:, None, None, None], (*x.shape[:3], 1))], axis=-1)


@pytest.mark.parametrize("n, group", [(8, 4), (4, 4), (2, 4), (6, 3)])
def test_minibatch_stddev_matches_a_numpy_reference(n, group):
    x = np.random.default_rng(n).standard_normal((n, 4, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(minibatch_stddev(jnp.asarray(x), group), reference_stddev(x, group), rtol=1e-5)


def test_minibatch_stddev_refuses_a_batch_it_cannot_group():
    with pytest.raises(ValueError, match="batch of 6 .* not divisible by the group size 4"):
        minibatch_stddev(jnp.zeros((6, 2, 2, 1)), 4)


# --- the growing networks --------------------------------------------------------------------------

from jaxgan.models.progan import ProGANDiscriminator, ProGANGenerator, downsample, upsample  # noqa: E402


def test_networks_at_1024_have_the_papers_23_1_million_parameters_each():
    g = ProGANGenerator((1024, 1024, 3))
    d = ProGANDiscriminator()
    count = lambda v: sum(x.size for x in jax.tree.leaves(v))  # noqa: E731
    g_vars = jax.eval_shape(lambda: g.init(jax.random.key(0), jnp.zeros((1, 512))))
    d_vars = jax.eval_shape(lambda: d.init(jax.random.key(0), jnp.zeros((1, 1024, 1024, 3))))
    assert round(count(g_vars) / 1e6, 1) == 23.1 and round(count(d_vars) / 1e6, 1) == 23.1  # the paper's Table 2


def small():
    g, d = ProGANGenerator((16, 16, 1), fmap_base=64, fmap_max=16), ProGANDiscriminator(fmap_base=64, fmap_max=16)
    z = jax.random.normal(jax.random.key(0), (4, 16))
    return g, d, z, g.init(jax.random.key(1), z), d.init(jax.random.key(2), jnp.zeros((4, 16, 16, 1)))


def test_every_resolution_runs_with_the_layers_made_at_init():
    g, d, z, gv, dv = small()
    for r in (4, 8, 16):
        images = g.apply(gv, z, resolution=r, alpha=0.5)
        assert images.shape == (4, r, r, 1)
        assert d.apply(dv, images, final=16, alpha=0.5).shape == (4,)
    with pytest.raises(ValueError, match=r"resolution 32 is not one of \[4, 8, 16\]"):
        g.apply(gv, z, resolution=32)


def test_fade_in_starts_from_the_lower_resolution_exactly():
    g, d, z, gv, dv = small()
    # alpha 0: G at 16 is G at 8 upsampled; D at 16 is D at 8 on the downsampled image.
    np.testing.assert_allclose(g.apply(gv, z, resolution=16, alpha=0.0), upsample(g.apply(gv, z, resolution=8)),
                               rtol=1e-5, atol=1e-6)
    x = jax.random.normal(jax.random.key(3), (4, 16, 16, 1))
    np.testing.assert_allclose(d.apply(dv, x, final=16, alpha=0.0), d.apply(dv, downsample(x), final=16),
                               rtol=1e-5, atol=1e-5)
    assert not np.allclose(g.apply(gv, z, resolution=16, alpha=1.0), g.apply(gv, z, resolution=16, alpha=0.0))
