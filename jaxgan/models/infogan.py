"""The InfoGAN-style G and D of Lucic et al. 2018 ("Are GANs Created Equal?", compare_gan v1).

Shapes follow compare_gan's `AbstractGAN.generator` / `.discriminator` (its
first public commit, `compare_gan/src/gans/abstract_gan.py` and `ops.py`):

  G: z -> fc 1024, BN, LReLU -> fc 7*7*128, BN, LReLU -> deconv 64 4x4 s2, BN, LReLU
       -> deconv C 4x4 s2 -> sigmoid
  D: x -> conv 64 4x4 s2, LReLU -> conv 128 4x4 s2, [BN], LReLU -> fc 1024, [BN], LReLU -> fc 1

- compare_gan's code uses LReLU (slope 0.2) in G as well; the InfoGAN paper
  (and the issue's summary) say ReLU. `g_activation` picks; the default is
  the code's, which produced the published FIDs.
- BatchNorm as `tf.contrib.layers.batch_norm(decay=0.999, epsilon=0.001,
  scale=True)`; D's BNs are switched by `batch_norm` (the study's
  "discriminator_batchnorm" hyperparameter).
- Weights are drawn from N(0, 0.02) (truncated for D's convs), biases are 0,
  as in compare_gan's `ops.py`.
- compare_gan's images live in [0, 1]; jaxgan's in [-1, 1]. G's sigmoid
  output is mapped affinely, 2 * sigmoid(x) - 1 (= tanh(x / 2)), so G is the
  same function up to that fixed map.
"""

from __future__ import annotations

from typing import Sequence

import flax.linen as nn
import jax

from jaxgan.models.conv import Conv, ConvTranspose, resolve_impl
from jaxgan.models.layers import activation, maybe_spectral_norm
from jaxgan.models.registry import DISCRIMINATORS, GENERATORS
from jaxgan.parallel import DATA_AXIS

_INIT = nn.initializers.normal(0.02)
_TRUNCATED_INIT = nn.initializers.truncated_normal(0.02)
_LEAKY_SLOPE = 0.2  # compare_gan's ops.lrelu


def _lrelu(x: jax.Array) -> jax.Array:
    return nn.leaky_relu(x, _LEAKY_SLOPE)


def _check_width(width: int) -> None:
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"infogan: width is a channel multiplier, an integer >= 1 (1 is compare_gan's); got {width!r}.")


def _bn(train: bool) -> nn.BatchNorm:
    """tf.contrib.layers.batch_norm(decay=0.999, epsilon=1e-3, scale=True), statistics across devices."""
    return nn.BatchNorm(use_running_average=not train, momentum=0.999, epsilon=1e-3, axis_name=DATA_AXIS)


@GENERATORS.register("infogan")
class InfoGANGenerator(nn.Module):
    """compare_gan's InfoGAN-style G for 28x28 (any H, W divisible by 4).

    Attributes:
      out_shape: (H, W, C).
      g_activation: "leaky_relu" (slope 0.2, compare_gan's code) or any name in
        `layers.ACTIVATIONS` ("relu": the InfoGAN paper).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
      width: multiplies the channels of the 7x7 map and of the first deconv (128, 64);
        1 is compare_gan's G. The fc 1024 stays.
    """

    out_shape: Sequence[int]
    g_activation: str = "leaky_relu"
    conv_impl: str = "auto"
    width: int = 1

    def __post_init__(self):
        h, w = self.out_shape[:2]
        if len(self.out_shape) != 3 or h % 4 or w % 4:
            raise ValueError(f"infogan needs out_shape (H, W, C) with H and W divisible by 4, got {tuple(self.out_shape)}.")
        _check_width(self.width)
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, z: jax.Array, train: bool) -> jax.Array:
        h, w, c = self.out_shape
        act = _lrelu if self.g_activation == "leaky_relu" else activation(self.g_activation)
        x = act(_bn(train)(nn.Dense(1024, kernel_init=_INIT)(z)))
        x = act(_bn(train)(nn.Dense(128 * self.width * (h // 4) * (w // 4), kernel_init=_INIT)(x)))
        x = x.reshape(z.shape[0], h // 4, w // 4, 128 * self.width)
        x = ConvTranspose(64 * self.width, (4, 4), (2, 2), "SAME", kernel_init=_INIT, impl=self.conv_impl)(x)
        x = act(_bn(train)(x))
        x = ConvTranspose(c, (4, 4), (2, 2), "SAME", kernel_init=_INIT, impl=self.conv_impl)(x)
        return 2.0 * nn.sigmoid(x) - 1.0


@DISCRIMINATORS.register("infogan")
class InfoGANDiscriminator(nn.Module):
    """compare_gan's InfoGAN-style D: one logit per image.

    Attributes:
      batch_norm: BN after the second conv and the fc 1024 (the study's
        "discriminator_batchnorm"; off for WGAN-GP, whose penalty is per example).
      spectral_norm: spectrally normalize all four layers (Miyato et al. 2018;
        the study's "spectral_norm" option); usually with `batch_norm` off.
      conv_impl: "auto", "subpixel", "xla" or "mixed".
      width: multiplies the channels of the two convs (64, 128); 1 is compare_gan's D.
    """

    batch_norm: bool = True
    spectral_norm: bool = False
    conv_impl: str = "auto"
    width: int = 1

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        _check_width(self.width)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        norm = (lambda y: _bn(train)(y)) if self.batch_norm else (lambda y: y)  # a new layer per call
        sn = lambda layer: maybe_spectral_norm(layer, self.spectral_norm, train)  # noqa: E731
        conv = lambda features: sn(Conv(features, (4, 4), (2, 2), "SAME", kernel_init=_TRUNCATED_INIT,  # noqa: E731
                                        impl=self.conv_impl))
        x = _lrelu(conv(64 * self.width)(x))
        x = conv(128 * self.width)(x)
        x = _lrelu(norm(x)).reshape(x.shape[0], -1)
        x = _lrelu(norm(sn(nn.Dense(1024, kernel_init=_INIT))(x)))
        return sn(nn.Dense(1, kernel_init=_INIT))(x)[:, 0]
