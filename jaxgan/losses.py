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


def get_loss(name: str):
    """Returns the registered loss function called `name`."""
    return LOSSES.get(name)
