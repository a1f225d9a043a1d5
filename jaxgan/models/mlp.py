"""Fully connected G and D: the 2-D mixture benchmarks' and the seeds' 28x28 MLP GAN."""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.registry import DISCRIMINATORS, GENERATORS
from jaxgan.models.layers import activation, batch_norm, check_conditioning, conditional_output, maybe_spectral_norm


@GENERATORS.register("mlp")
class MLPGenerator(nn.Module):
    """z -> [Dense -> (BN) -> act] * len(hidden) -> Dense -> reshape to out_shape.

    Attributes:
      out_shape: shape of one sample (e.g. (2,) for 2-D mixtures).
      hidden: widths of the hidden layers.
      activation: hidden activation name (see `layers.ACTIVATIONS`).
      batch_norm: BatchNorm after each hidden Dense (PacGAN's G uses it).
      output_activation: optional final activation (e.g. "tanh" for images).
      num_classes: > 0 makes G conditional (cGAN, Mirza & Osindero 2014): the
        one-hot label is concatenated to z.
    """

    out_shape: Sequence[int]
    hidden: Sequence[int] = (128, 128)
    activation: str = "relu"
    batch_norm: bool = False
    output_activation: str | None = None
    num_classes: int = 0

    def __post_init__(self):
        activation(self.activation)  # a bad name fails when the model is built
        if self.output_activation:
            activation(self.output_activation)
        super().__post_init__()

    @nn.compact
    def __call__(self, z: jax.Array, train: bool, labels: jax.Array | None = None) -> jax.Array:
        act = activation(self.activation)
        x = z
        if self.num_classes:
            x = jnp.concatenate([z, jax.nn.one_hot(labels, self.num_classes, dtype=z.dtype)], axis=-1)
        for width in self.hidden:
            x = nn.Dense(width)(x)
            if self.batch_norm:
                x = batch_norm(train)(x)
            x = act(x)
        x = nn.Dense(math.prod(self.out_shape))(x)
        if self.output_activation:
            x = activation(self.output_activation)(x)
        return x.reshape(z.shape[0], *self.out_shape)


@DISCRIMINATORS.register("mlp")
class MLPDiscriminator(nn.Module):
    """x -> flatten -> [Dense or Maxout -> act] * len(hidden) -> Dense(1) logit.

    Attributes:
      hidden: widths of the hidden layers.
      activation: hidden activation name (ignored for maxout layers).
      maxout_pieces: if > 1, hidden layers are maxout with this many pieces
        (PacGAN's D: 3 maxout layers of 200 units, 5 pieces).
      batch_norm: BatchNorm after each hidden layer.
      spectral_norm: spectrally normalize every Dense layer (Miyato et al. 2018).
      num_classes: > 0 makes D conditional, as `conditioning` says.
      conditioning: "projection" (Miyato & Koyama 2018: logit +=
        <embed(label), features>) or "acgan" (an auxiliary classifier, Odena
        et al. 2017); see `layers.conditional_output`.
      dropout: dropout rate after each hidden layer (0 = none).
    """

    hidden: Sequence[int] = (128, 128)
    activation: str = "relu"
    maxout_pieces: int = 1
    batch_norm: bool = False
    spectral_norm: bool = False
    num_classes: int = 0
    conditioning: str = "projection"
    dropout: float = 0.0

    def __post_init__(self):
        activation(self.activation)  # a bad name fails when the model is built
        check_conditioning(self.conditioning)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool, labels: jax.Array | None = None) -> jax.Array | tuple[jax.Array, jax.Array]:
        act = activation(self.activation)
        dense = lambda width: maybe_spectral_norm(nn.Dense(width), self.spectral_norm, train)  # noqa: E731
        x = x.reshape(x.shape[0], -1)
        for width in self.hidden:
            if self.maxout_pieces > 1:
                x = jnp.max(dense(width * self.maxout_pieces)(x).reshape(*x.shape[:-1], width, -1), axis=-1)
            else:
                x = act(dense(width)(x))
            if self.batch_norm:
                x = batch_norm(train)(x)
            if self.dropout:
                x = nn.Dropout(self.dropout, deterministic=not train)(x)
        return conditional_output(dense(1)(x)[:, 0], x, labels, self.num_classes, self.conditioning)


@GENERATORS.register("mlp28")
class MLP28Generator(MLPGenerator):
    """The seeds' MLP GAN G (seed 001) for 28x28x1 images.

    z -> Dense 128 -> BN -> LReLU -> Dense 128 -> BN -> LReLU -> Dense 784
    -> tanh -> reshape. `MLPGenerator` with these defaults; the activation is
    LeakyReLU (slope 0.2), the usual choice of Keras MLP GANs.
    """

    hidden: Sequence[int] = (128, 128)
    activation: str = "leaky_relu"
    batch_norm: bool = True
    output_activation: str | None = "tanh"


@DISCRIMINATORS.register("mlp28")
class MLP28Discriminator(MLPDiscriminator):
    """The seeds' MLP GAN D (seed 001): flatten -> Dense 128 -> LReLU -> Dropout 0.3 -> Dense 1."""

    hidden: Sequence[int] = (128,)
    activation: str = "leaky_relu"
    dropout: float = 0.3
