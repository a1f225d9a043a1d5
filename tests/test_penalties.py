"""Penalties against finite differences, lazy regularization, spectral norm, optimizers, augmentations."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest

from jaxgan import augment, optim, penalties
from jaxgan.config import base_config
from jaxgan.models.mlp import MLPDiscriminator

RNG = np.random.default_rng(0)
W1 = RNG.standard_normal((3, 5)).astype(np.float32)
W2 = RNG.standard_normal((5,)).astype(np.float32)
REAL = RNG.standard_normal((4, 3)).astype(np.float32)
FAKE = RNG.standard_normal((4, 3)).astype(np.float32)


def d_fn(params, x):  # a tiny D: tanh(x W1) . w2
    return jnp.tanh(x @ params["w1"]) @ params["w2"]


def d_numpy(x):
    return np.tanh(x.astype(np.float64) @ W1) @ W2


def fd_grad_norms(x, h=1e-5):
    """Per-example |dD/dx| by central differences in float64."""
    grads = np.zeros(x.shape, np.float64)
    for j in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[j] = h
        grads[:, j] = (d_numpy(x + e) - d_numpy(x - e)) / (2 * h)
    return np.linalg.norm(grads, axis=1)


def inputs(key=jax.random.key(0)):
    params = {"w1": jnp.asarray(W1), "w2": jnp.asarray(W2)}
    return penalties.PenaltyInputs(
        d_fn, params, jnp.asarray(REAL), jnp.asarray(FAKE), d_fn(params, REAL), d_fn(params, FAKE), key
    )


def test_r1_and_r2_match_finite_differences():
    np.testing.assert_allclose(penalties.r1(inputs(), None)[0], 0.5 * np.mean(fd_grad_norms(REAL) ** 2), rtol=1e-4)
    np.testing.assert_allclose(penalties.r2(inputs(), None)[0], 0.5 * np.mean(fd_grad_norms(FAKE) ** 2), rtol=1e-4)


def test_gradient_penalties_match_finite_differences():
    inp = inputs(jax.random.key(3))
    x_hat = np.asarray(penalties.interpolates(inp.key, inp.real, inp.fake))
    assert not np.allclose(x_hat, REAL) and not np.allclose(x_hat, FAKE)
    norms = fd_grad_norms(x_hat)
    np.testing.assert_allclose(penalties.wgan_gp(inp, None)[0], np.mean((norms - 1) ** 2), rtol=1e-4)
    np.testing.assert_allclose(
        penalties.wgan_gp_one_sided(inp, None)[0], np.mean(np.maximum(norms - 1, 0) ** 2), rtol=1e-4, atol=1e-7
    )
    x_drag = REAL + 0.5 * REAL.std() * np.asarray(jax.random.uniform(inp.key, REAL.shape))
    np.testing.assert_allclose(penalties.dragan(inp, None)[0], np.mean((fd_grad_norms(x_drag) - 1) ** 2), rtol=1e-4)


def test_lazy_penalty_is_scaled_on_its_steps_and_zero_between():
    inp, options = inputs(), {"weight": 10.0, "every": 4}
    value = penalties.r1(inp, None)[0]
    on_term, on_value, _ = penalties.apply_penalty("r1", options, inp, None, jnp.int32(8))
    off_term, _, _ = penalties.apply_penalty("r1", options, inp, None, jnp.int32(9))
    np.testing.assert_allclose(on_term, 4 * 10.0 * value, rtol=1e-6)
    np.testing.assert_allclose(on_value, value, rtol=1e-6)
    assert float(off_term) == 0.0
    # Gradients flow through the lazy branch.
    g = jax.grad(lambda p: penalties.apply_penalty("r1", options, inp._replace(d_params=p), None, jnp.int32(0))[0])(
        inp.d_params
    )
    assert float(optax.global_norm(g)) > 0


def test_lecam_anchors_track_logit_means():
    state = penalties._lecam_init()
    inp = inputs()
    value, new = penalties.lecam(inp, state, decay=0.9)
    expected = np.mean(np.maximum(np.asarray(inp.real_logits), 0) ** 2) + np.mean(
        np.maximum(-np.asarray(inp.fake_logits), 0) ** 2
    )
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    np.testing.assert_allclose(new["real_ema"], 0.1 * np.mean(inp.real_logits), rtol=1e-5)
    np.testing.assert_allclose(new["fake_ema"], 0.1 * np.mean(inp.fake_logits), rtol=1e-5)


def test_bcr_is_zero_for_an_augmentation_invariant_d_and_positive_otherwise():
    images = jnp.asarray(RNG.uniform(-1, 1, (4, 8, 8, 1)).astype(np.float32))
    invariant = lambda p, x: jnp.zeros(x.shape[0])  # noqa: E731
    pixel = lambda p, x: x[:, 2, 3, 0]  # noqa: E731
    for fn, positive in ((invariant, False), (pixel, True)):
        inp = penalties.PenaltyInputs(fn, None, images, -images, fn(None, images), fn(None, -images), jax.random.key(1))
        value = float(penalties.bcr(inp, None)[0])
        assert (value > 0) == positive


def test_spectral_norm_gives_unit_top_singular_value_deterministically():
    d = MLPDiscriminator(hidden=(16,), spectral_norm=True)
    x = jnp.asarray(RNG.standard_normal((8, 6)).astype(np.float32))
    variables = d.init(jax.random.key(0), x, train=False)
    assert set(variables) == {"params", "spectral_stats"}  # its own collection, no batch_stats

    def iterate(variables, n):
        for _ in range(n):
            _, upd = d.apply(variables, x, train=True, mutable=["spectral_stats"])
            variables = {**variables, **upd}
        return variables

    a, b = iterate(variables, 30), iterate(variables, 30)
    jax.tree.map(np.testing.assert_array_equal, a["spectral_stats"], b["spectral_stats"])
    kernel = np.asarray(a["params"]["Dense_0"]["kernel"])
    sigma = float(a["spectral_stats"]["SpectralNorm_0"]["Dense_0/kernel/sigma"])
    top = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(top / sigma, 1.0, rtol=1e-3)


def _opt(**kw):
    c = base_config().optimizer.g
    c.update(kw)
    return c


def test_weight_clipping_bounds_every_weight():
    params = {"w": jnp.array([0.005, -0.2, 0.3])}
    tx = optim.make_optimizer(_opt(name="sgd", lr=1.0, clip_weights=0.01), 10)
    updates, _ = tx.update({"w": jnp.array([-1.0, 1.0, 0.0])}, tx.init(params), params)
    new = optax.apply_updates(params, updates)
    assert float(jnp.max(jnp.abs(new["w"]))) <= 0.01 + 1e-7
    np.testing.assert_allclose(new["w"], [0.01, -0.01, 0.01], atol=1e-7)  # to float rounding


def test_ttur_l1_l2_and_schedules():
    params, grads = {"w": jnp.array([2.0, -1.0])}, {"w": jnp.array([1.0, 1.0])}

    def first_update(**kw):
        tx = optim.make_optimizer(_opt(name="sgd", **kw), 100)
        return np.asarray(tx.update(grads, tx.init(params), params)[0]["w"])

    np.testing.assert_allclose(first_update(lr=4e-4) / first_update(lr=1e-4), 4.0, rtol=1e-6)  # TTUR
    np.testing.assert_allclose(first_update(lr=0.1, l2=0.5), -0.1 * (1.0 + 0.5 * np.array([2.0, -1.0])), rtol=1e-6)
    np.testing.assert_allclose(first_update(lr=0.1, l1=0.5), -0.1 * (1.0 + 0.5 * np.array([1.0, -1.0])), rtol=1e-6)
    lr = optim.learning_rate(_opt(lr=1.0, schedule="linear", warmup_steps=10), 110)
    np.testing.assert_allclose([lr(0), lr(5), lr(10), lr(60), lr(110)], [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="Unknown schedule 'step'. Choices: constant, cosine, linear"):
        optim.learning_rate(_opt(schedule="step"), 10)


def test_diff_augment_is_deterministic_shape_preserving_and_differentiable():
    x = jnp.asarray(RNG.uniform(-1, 1, (3, 8, 8, 3)).astype(np.float32))
    a = augment.diff_augment(jax.random.key(0), x, "color,translation,cutout")
    b = augment.diff_augment(jax.random.key(0), x, "color,translation,cutout")
    c = augment.diff_augment(jax.random.key(1), x, "color,translation,cutout")
    assert a.shape == x.shape
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    g = jax.grad(lambda x: augment.diff_augment(jax.random.key(0), x, "color,translation").sum())(x)
    assert float(jnp.abs(g).sum()) > 0
    holes = (np.asarray(augment.cutout(jax.random.key(0), jnp.ones((64, 8, 8, 1)))) == 0).reshape(64, -1).sum(1)
    assert holes.max() == 16 and holes.min() > 0  # a 4x4 hole, clipped where it crosses the border
    with pytest.raises(ValueError, match=r"Unknown DiffAugment policy 'blur'. Choices: color, cutout, translation. Policies are comma-separated"):
        augment.diff_augment(jax.random.key(0), x, "color,blur")


def test_unknown_penalty_lists_choices():
    with pytest.raises(ValueError, match="Unknown penalty 'gp'. Choices: .*r1.*wgan_gp"):
        penalties.PENALTIES.get("gp")
    assert nn  # flax imported for the spectral-norm module
    assert ml_collections
