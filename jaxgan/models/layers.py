"""Small building blocks shared by the networks."""

from __future__ import annotations

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.parallel import DATA_AXIS

ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": nn.relu,
    "leaky_relu": lambda x: nn.leaky_relu(x, negative_slope=0.2),
    "tanh": jnp.tanh,
    "elu": nn.elu,
    "gelu": nn.gelu,
    "silu": nn.silu,
}


def activation(name: str) -> Callable[[jax.Array], jax.Array]:
    """Returns the activation called `name`, or raises listing the choices."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}. Choices: {', '.join(sorted(ACTIVATIONS))}.")
    return ACTIVATIONS[name]


def batch_norm(train: bool) -> nn.BatchNorm:
    """BatchNorm whose batch statistics are global across the data axis.

    Statistics are averaged over devices inside every step (as in Flax's
    ImageNet example), so results do not depend on how the batch is split.
    """
    return nn.BatchNorm(
        use_running_average=not train, momentum=0.9, epsilon=1e-5, axis_name=DATA_AXIS
    )


SPECTRAL_COLLECTION = "spectral_stats"


def maybe_spectral_norm(layer: nn.Module, enabled: bool, train: bool):
    """`layer`, spectrally normalized when `enabled` (Miyato et al. 2018).

    The power-iteration vector and sigma live in their own collection,
    `spectral_stats`, never mixed with BatchNorm's `batch_stats`. They advance
    by one iteration per call in training mode, a deterministic function of
    the weights (so identical on every device).
    """
    if not enabled:
        return layer
    sn = nn.SpectralNorm(layer, n_steps=1, collection_name=SPECTRAL_COLLECTION)
    return lambda x: sn(x, update_stats=train)
