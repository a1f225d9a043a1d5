"""GAN objectives, each a pure function of D's logits on real and fake data.

A loss maps `(real_logits, fake_logits)` (any shape, one logit per example)
to a `GANLoss(d, g)` of scalar losses that D and G each *minimize*. All forms
are written in logits with softplus so that they stay finite for any logit.

Add your own with one function and one registry line:

    @LOSSES.register("my_loss")
    def my_loss(real_logits, fake_logits):
        return GANLoss(d=..., g=...)

The train step evaluates `g` with D's real logits held fixed (no gradient),
so losses that use real logits in G's objective (relativistic ones) work too.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from jaxgan.registry import Registry

LOSSES = Registry("loss")


class GANLoss(NamedTuple):
    d: jax.Array
    g: jax.Array


def _log_sigmoid(x: jax.Array) -> jax.Array:
    """log D(x) for logit x, stable: log sigmoid(x) = -softplus(-x)."""
    return -jax.nn.softplus(-x)


def _log_one_minus_sigmoid(x: jax.Array) -> jax.Array:
    """log(1 - D(x)) for logit x, stable: log(1 - sigmoid(x)) = -softplus(x)."""
    return -jax.nn.softplus(x)


def _d_cross_entropy(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    """L_D = -E log D(x) - E log(1 - D(G(z)))."""
    return -jnp.mean(_log_sigmoid(real_logits)) - jnp.mean(
        _log_one_minus_sigmoid(fake_logits)
    )


@LOSSES.register("minimax")
def minimax(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Goodfellow et al. 2014, saturating: L_G = E log(1 - D(G(z)))."""
    return GANLoss(
        d=_d_cross_entropy(real_logits, fake_logits),
        g=jnp.mean(_log_one_minus_sigmoid(fake_logits)),
    )


@LOSSES.register("non_saturating")
def non_saturating(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Goodfellow et al. 2014, the practical form: L_G = -E log D(G(z))."""
    return GANLoss(
        d=_d_cross_entropy(real_logits, fake_logits),
        g=-jnp.mean(_log_sigmoid(fake_logits)),
    )


@LOSSES.register("wasserstein")
def wasserstein(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Arjovsky et al. 2017 (D is a critic): L_D = E C(fake) - E C(real), L_G = -E C(fake).

    Needs a Lipschitz constraint on D: a gradient penalty, weight clipping or
    spectral normalization.
    """
    return GANLoss(d=jnp.mean(fake_logits) - jnp.mean(real_logits), g=-jnp.mean(fake_logits))


@LOSSES.register("hinge")
def hinge(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Lim & Ye 2017 / SNGAN: L_D = E relu(1 - C(real)) + E relu(1 + C(fake)), L_G = -E C(fake)."""
    return GANLoss(
        d=jnp.mean(jax.nn.relu(1.0 - real_logits)) + jnp.mean(jax.nn.relu(1.0 + fake_logits)),
        g=-jnp.mean(fake_logits),
    )


@LOSSES.register("least_squares")
def least_squares(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """LSGAN (Mao et al. 2017), a-b-c = 0-1-1: L_D = 1/2 E (C(r) - 1)^2 + 1/2 E C(f)^2, L_G = 1/2 E (C(f) - 1)^2."""
    return GANLoss(
        d=0.5 * jnp.mean((real_logits - 1.0) ** 2) + 0.5 * jnp.mean(fake_logits**2),
        g=0.5 * jnp.mean((fake_logits - 1.0) ** 2),
    )


@LOSSES.register("rsgan")
def rsgan(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Relativistic standard GAN (Jolicoeur-Martineau 2019), real and fake paired in order.

    L_D = -E log sigmoid(C(r) - C(f)), L_G = -E log sigmoid(C(f) - C(r)).
    """
    diff = real_logits - fake_logits
    return GANLoss(d=-jnp.mean(_log_sigmoid(diff)), g=-jnp.mean(_log_sigmoid(-diff)))


@LOSSES.register("ragan")
def ragan(real_logits: jax.Array, fake_logits: jax.Array) -> GANLoss:
    """Relativistic average GAN (Jolicoeur-Martineau 2019).

    With D(x_r) = sigmoid(C(x_r) - E C(x_f)) and D(x_f) = sigmoid(C(x_f) - E C(x_r)):
    L_D = -E log D(x_r) - E log(1 - D(x_f)), L_G = -E log D(x_f) - E log(1 - D(x_r)).
    The averages are over this device's batch, as in per-GPU implementations.
    """
    real_rel = real_logits - jnp.mean(fake_logits)
    fake_rel = fake_logits - jnp.mean(real_logits)
    return GANLoss(
        d=-jnp.mean(_log_sigmoid(real_rel)) - jnp.mean(_log_one_minus_sigmoid(fake_rel)),
        g=-jnp.mean(_log_sigmoid(fake_rel)) - jnp.mean(_log_one_minus_sigmoid(real_rel)),
    )
