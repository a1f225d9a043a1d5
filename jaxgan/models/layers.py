"""Small building blocks shared by the networks."""

from __future__ import annotations

from typing import Callable

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.parallel import DATA_AXIS
from jaxgan.registry import Registry

ACTIVATIONS = Registry("activation")
ACTIVATIONS.register("relu")(nn.relu)
ACTIVATIONS.register("leaky_relu")(lambda x: nn.leaky_relu(x, negative_slope=0.2))
ACTIVATIONS.register("tanh")(jnp.tanh)
ACTIVATIONS.register("elu")(nn.elu)
ACTIVATIONS.register("gelu")(nn.gelu)
ACTIVATIONS.register("silu")(nn.silu)


def activation(name: str) -> Callable[[jax.Array], jax.Array]:
    """Returns the activation called `name`, or raises listing the choices."""
    return ACTIVATIONS.get(name)


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


class ConditionalBatchNorm(nn.Module):
    """BatchNorm with a scale and offset per class (de Vries et al. 2017; SNGAN's conditional G).

    Normalizes with global batch statistics like `batch_norm`, then applies
    `gamma[label] * x + beta[label]`; gammas start at 1, betas at 0, so at
    initialization it equals an unconditional BatchNorm.
    """

    num_classes: int

    @nn.compact
    def __call__(self, x: jax.Array, labels: jax.Array, train: bool) -> jax.Array:
        x = nn.BatchNorm(use_running_average=not train, momentum=0.9, epsilon=1e-5, axis_name=DATA_AXIS,
                         use_scale=False, use_bias=False)(x)
        features = x.shape[-1]
        gamma = nn.Embed(self.num_classes, features, embedding_init=nn.initializers.ones, name="scale")(labels)
        beta = nn.Embed(self.num_classes, features, embedding_init=nn.initializers.zeros, name="offset")(labels)
        expand = (slice(None),) + (None,) * (x.ndim - 2) + (slice(None),)
        return x * gamma[expand] + beta[expand]


def norm_fn(train: bool, num_classes: int, labels: jax.Array | None) -> Callable[[jax.Array], jax.Array]:
    """G's normalization: `batch_norm`, or class-conditional BatchNorm in conditional runs.

    Call inside a compact module; each call of the returned function makes a new layer.
    """
    if num_classes:
        return lambda x: ConditionalBatchNorm(num_classes)(x, labels, train)
    return lambda x: batch_norm(train)(x)


# How a conditional D uses the label: (logit, features, labels, num_classes) -> output.
CONDITIONINGS = Registry("conditioning")


@CONDITIONINGS.register("projection")
def _projection(logit: jax.Array, features: jax.Array, labels: jax.Array, num_classes: int) -> jax.Array:
    """Miyato & Koyama 2018: logit + <embed(label), features>."""
    return logit + jnp.sum(nn.Embed(num_classes, features.shape[-1], name="projection")(labels) * features, axis=-1)


@CONDITIONINGS.register("acgan")
def _acgan(
    logit: jax.Array, features: jax.Array, labels: jax.Array, num_classes: int
) -> tuple[jax.Array, jax.Array]:
    """Odena et al. 2017: `(logit, class_logits)`, an auxiliary classifier on D's features."""
    return logit, nn.Dense(num_classes, name="aux_classifier")(features)


def check_conditioning(conditioning: str) -> None:
    """Raises, listing the choices, unless `conditioning` names one of CONDITIONINGS."""
    CONDITIONINGS.get(conditioning)


def conditional_output(
    logit: jax.Array, features: jax.Array, labels: jax.Array | None, num_classes: int, conditioning: str
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """D's output from its unconditional `logit` and penultimate `features` `[B, F]`.

    - unconditional (`num_classes == 0`): the logit.
    - "projection" (Miyato & Koyama 2018): logit + <embed(label), features>.
    - "acgan" (Odena et al. 2017): `(logit, class_logits)`, an auxiliary
      classifier on the same features; the step adds its cross-entropy to
      both networks' losses. D does not see the label.

    Call inside a compact module (the layers it makes belong to that module).
    """
    if not num_classes:
        return logit
    return CONDITIONINGS.get(conditioning)(logit, features, labels, num_classes)
