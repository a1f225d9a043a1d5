import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgan import losses

LOG2 = np.log(2.0)


def softplus(x):
    return np.log1p(np.exp(x))


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_d_loss_at_zero_logits_is_2_log_2(name):
    out = losses.LOSSES.get(name)(jnp.zeros(4), jnp.zeros(4))
    np.testing.assert_allclose(out.d, 2 * LOG2, rtol=1e-6)


def test_values_match_hand_computation():
    real, fake = jnp.array([2.0]), jnp.array([-1.0])
    # L_D = -log sigmoid(2) - log(1 - sigmoid(-1)) = softplus(-2) + softplus(-1)
    expected_d = softplus(-2.0) + softplus(-1.0)
    mm = losses.LOSSES.get("minimax")(real, fake)
    ns = losses.LOSSES.get("non_saturating")(real, fake)
    np.testing.assert_allclose(mm.d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(ns.d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(mm.g, np.log(1 - 1 / (1 + np.exp(1.0))), rtol=1e-6)  # log(1 - D(G(z)))
    np.testing.assert_allclose(ns.g, -np.log(1 / (1 + np.exp(1.0))), rtol=1e-6)  # -log D(G(z))


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_gradient_signs(name):
    fn = losses.LOSSES.get(name)
    d_real, d_fake = jax.grad(lambda r, f: fn(r, f).d, argnums=(0, 1))(jnp.array([0.3]), jnp.array([-0.2]))
    assert d_real[0] < 0, "D must push real logits up"
    assert d_fake[0] > 0, "D must push fake logits down"
    g_fake = jax.grad(lambda f: fn(jnp.array([0.3]), f).g)(jnp.array([-0.2]))
    assert g_fake[0] < 0, "G must push fake logits up"


def test_non_saturating_keeps_gradient_where_minimax_saturates():
    fake = jnp.array([-10.0])  # D confidently rejects the fake
    g_mm = jax.grad(lambda f: losses.LOSSES.get("minimax")(jnp.zeros(1), f).g)(fake)[0]
    g_ns = jax.grad(lambda f: losses.LOSSES.get("non_saturating")(jnp.zeros(1), f).g)(fake)[0]
    assert abs(g_mm) < 1e-4
    assert abs(g_ns) > 0.99


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_stable_for_extreme_logits(name):
    out = losses.LOSSES.get(name)(jnp.array([1e4, -1e4]), jnp.array([-1e4, 1e4]))
    grads = jax.grad(lambda r, f: losses.LOSSES.get(name)(r, f).d, argnums=(0, 1))(jnp.array([1e4]), jnp.array([1e4]))
    assert np.isfinite(out.d) and np.isfinite(out.g)
    assert all(np.isfinite(g).all() for g in grads)


def test_unknown_loss_lists_choices():
    with pytest.raises(ValueError, match="Unknown loss 'hinj'. Choices: .*minimax.*non_saturating"):
        losses.LOSSES.get("hinj")


# --- the rest of the zoo, against hand-computed values on fixed logits -------

REAL = np.array([2.0, -0.5], np.float32)
FAKE = np.array([-1.0, 0.5], np.float32)


def sp(x):
    return np.log1p(np.exp(x))


EXPECTED = {
    # name: (L_D, L_G), computed with numpy from the papers' formulas
    "wasserstein": (FAKE.mean() - REAL.mean(), -FAKE.mean()),
    "hinge": (np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean(), -FAKE.mean()),
    "least_squares": (0.5 * ((REAL - 1) ** 2).mean() + 0.5 * (FAKE**2).mean(), 0.5 * ((FAKE - 1) ** 2).mean()),
    "rsgan": (sp(-(REAL - FAKE)).mean(), sp(-(FAKE - REAL)).mean()),
    "ragan": (
        sp(-(REAL - FAKE.mean())).mean() + sp(FAKE - REAL.mean()).mean(),
        sp(-(FAKE - REAL.mean())).mean() + sp(REAL - FAKE.mean()).mean(),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_zoo_values(name):
    out = losses.LOSSES.get(name)(jnp.asarray(REAL), jnp.asarray(FAKE))
    np.testing.assert_allclose([out.d, out.g], EXPECTED[name], rtol=1e-5)


def test_zoo_gradients_by_hand():
    grad = lambda name, part, wrt: jax.grad(  # noqa: E731
        lambda r, f: getattr(losses.LOSSES.get(name)(r, f), part), argnums=wrt
    )(jnp.asarray(REAL), jnp.asarray(FAKE))
    # Wasserstein: dL_D/dC(real) = -1/N, dL_D/dC(fake) = +1/N.
    np.testing.assert_allclose(grad("wasserstein", "d", 0), [-0.5, -0.5])
    np.testing.assert_allclose(grad("wasserstein", "d", 1), [0.5, 0.5])
    # Hinge: only margin violators get gradient: real 2.0 is past the margin.
    np.testing.assert_allclose(grad("hinge", "d", 0), [0.0, -0.5])
    np.testing.assert_allclose(grad("hinge", "d", 1), [0.0, 0.5])
    # LSGAN: dL_G/dC(fake) = (C(fake) - 1) / N.
    np.testing.assert_allclose(grad("least_squares", "g", 1), (FAKE - 1) / 2, rtol=1e-6)
    # RSGAN: dL_D/dC(real_i) = -sigmoid(-(r_i - f_i)) / N.
    np.testing.assert_allclose(grad("rsgan", "d", 0), -1 / (1 + np.exp(REAL - FAKE)) / 2, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(losses.LOSSES.names()))
def test_every_loss_has_the_right_gradient_signs_and_is_stable(name):
    fn = losses.LOSSES.get(name)
    # Logits inside every loss's margin (LSGAN's targets are 1 and 0, hinge's +-1).
    real, fake = jnp.array([0.3, 0.1]), jnp.array([0.2, 0.4])
    d_real, d_fake = jax.grad(lambda r, f: fn(r, f).d, argnums=(0, 1))(real, fake)
    assert (d_real < 0).all() and (d_fake > 0).all()
    g_fake = jax.grad(lambda f: fn(real, f).g)(fake)
    assert (g_fake < 0).all()
    big = fn(jnp.array([1e4, -1e4]), jnp.array([-1e4, 1e4]))
    assert np.isfinite(big.d) and np.isfinite(big.g)
