"""Encoders E(x) and joint discriminators D(x, z) for ALI / BiGAN.

ALI (Dumoulin et al. 2017) and BiGAN (Donahue et al. 2017) train an encoder
E: x -> z next to G: z -> x, and a discriminator that tells the pairs
(x, E(x)) from (G(z), z) apart.

- Encoders live in `ENCODERS`, are built by `build_encoder(name, options,
  out_dim)` and map `x [B, ...]` to features `[B, out_dim]`. They only output
  features: the ALI family asks for `latent_dim` of them (a deterministic
  code) or `2 * latent_dim` (which it splits into mean and log-std itself).
- Joint discriminators live in `DISCRIMINATORS` and take the pair as a dict
  `{"x": [B, ...], "z": [B, latent]}`, returning one logit per example. A
  gradient penalty differentiates D with respect to that whole dict, so both
  leaves enter through differentiable layers only.

None is class-conditional (no `num_classes` field), so `build_discriminator`
refuses them when `data.use_labels=True`.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.conv import Conv, resolve_impl
from jaxgan.models.dcgan import _KERAS_LEAKY_SLOPE
from jaxgan.models.layers import activation, batch_norm, maybe_spectral_norm
from jaxgan.models.mlp import MLPDiscriminator, MLPGenerator
from jaxgan.models.registry import DISCRIMINATORS, ENCODERS

JOINT_KEYS = ("x", "z")


def joint_inputs(inputs: Mapping[str, jax.Array]) -> tuple[jax.Array, jax.Array]:
    """`(x, z)` from a joint D's inputs, or a clear error if they are not `{"x", "z"}`."""
    if not isinstance(inputs, Mapping) or set(inputs) != set(JOINT_KEYS):
        got = sorted(inputs) if isinstance(inputs, Mapping) else type(inputs).__name__
        raise ValueError(f"A joint discriminator takes a dict with keys {list(JOINT_KEYS)}, got {got}.")
    return inputs["x"], inputs["z"]


def _flatten(x: jax.Array) -> jax.Array:
    return x.reshape(x.shape[0], -1)


def _conv_trunk(
    x: jax.Array, width: int, conv_impl: str, train: bool,
    norm: bool = False, spectral_norm: bool = False, dropout: float = 0.0,
) -> jax.Array:
    """dcgan28 D's trunk, flattened: [Conv 5x5 s2 -> (BN) -> LReLU 0.3 -> (Dropout)] with w, 2w channels.

    28x28 images give 7x7x2w features. Call inside a compact module.
    """
    for features in (width, 2 * width):
        x = maybe_spectral_norm(Conv(features, (5, 5), (2, 2), "SAME", impl=conv_impl), spectral_norm, train)(x)
        if norm:
            x = batch_norm(train)(x)
        x = nn.leaky_relu(x, _KERAS_LEAKY_SLOPE)
        if dropout:
            x = nn.Dropout(dropout, deterministic=not train)(x)
    return _flatten(x)


def _dense_stack(
    x: jax.Array, widths: Sequence[int], train: bool, spectral_norm: bool, dropout: float
) -> jax.Array:
    """[Dense -> LReLU 0.3 -> (Dropout)] per width. Call inside a compact module."""
    for width in widths:
        x = nn.leaky_relu(maybe_spectral_norm(nn.Dense(width), spectral_norm, train)(x), _KERAS_LEAKY_SLOPE)
        if dropout:
            x = nn.Dropout(dropout, deterministic=not train)(x)
    return x


@ENCODERS.register("mlp")
class MLPEncoder(nn.Module):
    """x -> flatten -> [Dense -> (BN) -> act] * len(hidden) -> Dense(out_dim).

    The same map as `MLPGenerator` (whose code it runs, on the flattened x,
    with `out_shape=(out_dim,)` and no output activation), so the two stay alike.
    PacGAN's ALI encoder has two hidden layers of 400 units.

    Attributes:
      out_dim: features per example (set by the family, not the config).
      hidden: widths of the hidden layers.
      activation: hidden activation name (see `layers.ACTIVATIONS`).
      batch_norm: BatchNorm after each hidden Dense.
    """

    out_dim: int
    hidden: Sequence[int] = (128, 128)
    activation: str = "relu"
    batch_norm: bool = False

    def __post_init__(self):
        activation(self.activation)  # a bad name fails when the model is built
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        mlp = MLPGenerator(
            out_shape=(self.out_dim,), hidden=self.hidden, activation=self.activation,
            batch_norm=self.batch_norm, name="mlp",
        )
        return mlp(_flatten(x), train)


@ENCODERS.register("dcgan28")
class DCGAN28Encoder(nn.Module):
    """dcgan28 D's conv trunk, then Dense(out_dim), for 28x28xC images.

    x -> Conv w 5x5 s2 -> (BN) -> LReLU -> Conv 2w 5x5 s2 -> (BN) -> LReLU
      -> flatten -> Dense out_dim ('SAME' padding, LReLU slope 0.3). No
    dropout: the encoder is trained through D, like G.

    Attributes:
      out_dim: features per example (set by the family, not the config).
      width: channels of the first conv.
      batch_norm: BatchNorm after each conv (ALI's encoders have it; off by default, as in dcgan28 D).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
    """

    out_dim: int
    width: int = 64
    batch_norm: bool = False
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        features = _conv_trunk(x, self.width, self.conv_impl, train, norm=self.batch_norm)
        return nn.Dense(self.out_dim)(features)


@DISCRIMINATORS.register("joint_mlp", joint=True)
class JointMLPDiscriminator(nn.Module):
    """{"x", "z"} -> concat(flatten(x), z) -> `MLPDiscriminator` -> logit.

    Runs `MLPDiscriminator` (submodule "trunk", unconditional) on the
    concatenation, so its hidden stack, maxout and normalizations are the
    same code. PacGAN's ALI D: hidden (200, 200, 200), maxout_pieces 5.

    Attributes: as `MLPDiscriminator`'s, with its defaults, less the
    conditioning ones.
    """

    hidden: Sequence[int] = (128, 128)
    activation: str = "relu"
    maxout_pieces: int = 1
    batch_norm: bool = False
    spectral_norm: bool = False
    dropout: float = 0.0

    def __post_init__(self):
        activation(self.activation)  # a bad name fails when the model is built
        super().__post_init__()

    @nn.compact
    def __call__(self, inputs: Mapping[str, jax.Array], train: bool) -> jax.Array:
        x, z = joint_inputs(inputs)
        trunk = MLPDiscriminator(
            hidden=self.hidden, activation=self.activation, maxout_pieces=self.maxout_pieces,
            batch_norm=self.batch_norm, spectral_norm=self.spectral_norm, dropout=self.dropout, name="trunk",
        )
        return trunk(jnp.concatenate([_flatten(x), z], axis=-1), train)


@DISCRIMINATORS.register("joint_dcgan28", joint=True)
class JointDCGAN28Discriminator(nn.Module):
    """BiGAN-style D(x, z) for 28x28xC images.

    x -> dcgan28 D's conv trunk (w, 2w channels, LReLU, dropout) -> flatten;
    z -> [Dense -> LReLU -> dropout] per `z_hidden`; both concatenated
      -> [Dense -> LReLU -> dropout] per `hidden` -> Dense 1.
    LReLU slope 0.3 throughout (dcgan28's); dropout after every hidden layer,
    as ALI's D has.

    Attributes:
      width: channels of the first conv.
      z_hidden: widths of the layers that embed z before the join.
      hidden: widths of the layers after the join.
      dropout: dropout rate after every hidden layer (0 = none).
      spectral_norm: spectrally normalize every conv and Dense layer.
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
    """

    width: int = 64
    z_hidden: Sequence[int] = (512,)
    hidden: Sequence[int] = (1024,)
    dropout: float = 0.2
    spectral_norm: bool = False
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, inputs: Mapping[str, jax.Array], train: bool) -> jax.Array:
        x, z = joint_inputs(inputs)
        sn, rate = self.spectral_norm, self.dropout
        fx = _conv_trunk(x, self.width, self.conv_impl, train, spectral_norm=sn, dropout=rate)
        fz = _dense_stack(z, self.z_hidden, train, sn, rate)
        h = _dense_stack(jnp.concatenate([fx, fz], axis=-1), self.hidden, train, sn, rate)
        return maybe_spectral_norm(nn.Dense(1), sn, train)(h)[:, 0]
