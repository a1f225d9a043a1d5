"""Convolutional G and D for images: the seeds' 28x28 DCGAN and the 32x32 standard CNN.

Generators map `z [B, latent]` to `[B, *out_shape]` in [-1, 1] (tanh);
discriminators map `[B, H, W, C]` to one logit per example. Convolutions are
`jaxgan.models.conv.Conv` / `ConvTranspose`, whose implementation the
`conv_impl` field picks ("auto": the dense sub-pixel forms on CPU, XLA's own
elsewhere; see `conv.AUTO_IMPL`). Parameters are the same whichever runs.

Conditional runs (`num_classes > 0`, set from `data.use_labels`): G's
BatchNorms become class-conditional (`layers.ConditionalBatchNorm`), and D
either projects the label onto its last features or grows an ACGAN auxiliary
classifier (`conditioning`, see `layers.conditional_output`).
"""

from __future__ import annotations

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.registry import DISCRIMINATORS, GENERATORS
from jaxgan.models.conv import Conv, ConvTranspose, resolve_impl
from jaxgan.models.layers import check_conditioning, conditional_output, norm_fn

# Keras' LeakyReLU default slope, which the TensorFlow DCGAN tutorial keeps.
_KERAS_LEAKY_SLOPE = 0.3
# SNGAN (Miyato et al. 2018, Appendix B): "the slopes of all lReLU functions ... are set to 0.1".
_SNGAN_LEAKY_SLOPE = 0.1


def _start_size(out_shape: Sequence[int], upsampling: int, name: str) -> tuple[int, int]:
    """The spatial size G starts from, so that `upsampling` reaches `out_shape`."""
    h, w = out_shape[:2]
    if len(out_shape) != 3 or h % upsampling or w % upsampling:
        raise ValueError(f"{name} needs out_shape (H, W, C) with H and W divisible by {upsampling}, got {tuple(out_shape)}.")
    return h // upsampling, w // upsampling


@GENERATORS.register("dcgan28")
class DCGAN28Generator(nn.Module):
    """The TensorFlow DCGAN tutorial's G (seed 000), for 28x28 images.

    z -> Dense 7*7*4w (no bias) -> BN -> LReLU -> reshape
      -> ConvT 2w 5x5 s1 -> BN -> LReLU -> ConvT w 5x5 s2 -> BN -> LReLU
      -> ConvT C 5x5 s2 -> tanh; no biases ('SAME' padding, LReLU slope 0.3).

    Attributes:
      out_shape: (H, W, C), H and W divisible by 4 (7x7 start for 28x28).
      width: channels of the last hidden layer (64 in the tutorial: 256/128/64).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
      num_classes: > 0: class-conditional BatchNorms, and `labels` are required.
    """

    out_shape: Sequence[int]
    width: int = 64
    conv_impl: str = "auto"
    num_classes: int = 0

    def __post_init__(self):
        _start_size(self.out_shape, 4, "dcgan28")
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, z: jax.Array, train: bool, labels: jax.Array | None = None) -> jax.Array:
        h, w = _start_size(self.out_shape, 4, "dcgan28")
        act = lambda x: nn.leaky_relu(x, _KERAS_LEAKY_SLOPE)  # noqa: E731
        norm = norm_fn(train, self.num_classes, labels)
        x = nn.Dense(h * w * 4 * self.width, use_bias=False)(z)
        x = act(norm(x)).reshape(z.shape[0], h, w, 4 * self.width)
        for features, stride in ((2 * self.width, 1), (self.width, 2)):
            x = ConvTranspose(features, (5, 5), (stride, stride), "SAME", use_bias=False, impl=self.conv_impl)(x)
            x = act(norm(x))
        x = ConvTranspose(self.out_shape[-1], (5, 5), (2, 2), "SAME", use_bias=False, impl=self.conv_impl)(x)
        return jnp.tanh(x)


@DISCRIMINATORS.register("dcgan28")
class DCGAN28Discriminator(nn.Module):
    """The TensorFlow DCGAN tutorial's D (seed 000).

    x -> Conv w 5x5 s2 -> LReLU -> Dropout -> Conv 2w 5x5 s2 -> LReLU
      -> Dropout -> flatten -> Dense 1 ('SAME' padding, LReLU slope 0.3).

    Attributes:
      width: channels of the first conv (64 in the tutorial).
      dropout: dropout rate after each conv (0.3 in the tutorial).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
      num_classes: > 0 makes D conditional, as `conditioning` says.
      conditioning: "projection" or "acgan" (see `layers.conditional_output`).
    """

    width: int = 64
    dropout: float = 0.3
    conv_impl: str = "auto"
    num_classes: int = 0
    conditioning: str = "projection"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        check_conditioning(self.conditioning)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool, labels: jax.Array | None = None):
        for features in (self.width, 2 * self.width):
            x = Conv(features, (5, 5), (2, 2), "SAME", impl=self.conv_impl)(x)
            x = nn.leaky_relu(x, _KERAS_LEAKY_SLOPE)
            x = nn.Dropout(self.dropout, deterministic=not train)(x)
        features = x.reshape(x.shape[0], -1)
        return conditional_output(nn.Dense(1)(features)[:, 0], features, labels, self.num_classes, self.conditioning)


@GENERATORS.register("dcgan32")
class DCGAN32Generator(nn.Module):
    """The "standard CNN" G of SNGAN (Miyato et al. 2018, Table 3a), for 32x32.

    z (128) -> Dense 4*4*8w -> BN -> ReLU -> reshape
      -> [ConvT 4x4 s2 -> BN -> ReLU] with 4w, 2w, w channels
      -> Conv C 3x3 s1 -> tanh.
    Layers have biases, as in the authors' Chainer code and StudioGAN; BN
    after the dense layer follows the Chainer code (StudioGAN omits it).

    Attributes:
      out_shape: (H, W, C), H and W divisible by 8 (4x4 start for 32x32).
      width: channels of the last hidden layer (64: 512/256/128/64).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
      num_classes: > 0: class-conditional BatchNorms (SNGAN's conditional G),
        and `labels` are required.
    """

    out_shape: Sequence[int]
    width: int = 64
    conv_impl: str = "auto"
    num_classes: int = 0

    def __post_init__(self):
        _start_size(self.out_shape, 8, "dcgan32")
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, z: jax.Array, train: bool, labels: jax.Array | None = None) -> jax.Array:
        h, w = _start_size(self.out_shape, 8, "dcgan32")
        norm = norm_fn(train, self.num_classes, labels)
        x = nn.Dense(h * w * 8 * self.width)(z)
        x = nn.relu(norm(x)).reshape(z.shape[0], h, w, 8 * self.width)
        for features in (4 * self.width, 2 * self.width, self.width):
            x = ConvTranspose(features, (4, 4), (2, 2), "SAME", impl=self.conv_impl)(x)
            x = nn.relu(norm(x))
        x = Conv(self.out_shape[-1], (3, 3), (1, 1), "SAME", impl=self.conv_impl)(x)
        return jnp.tanh(x)


@DISCRIMINATORS.register("dcgan32")
class DCGAN32Discriminator(nn.Module):
    """The "standard CNN" D of SNGAN (Miyato et al. 2018, Table 3b).

    x -> [Conv 3x3 s1 -> LReLU -> Conv 4x4 s2 -> LReLU] with w, 2w, 4w
      channels -> Conv 8w 3x3 s1 -> LReLU -> flatten -> Dense 1
    (LReLU slope 0.1; padding 1, i.e. 'SAME', as in the reference code). No
    normalization: the paper compares weight normalizations on this D.

    Attributes:
      width: channels of the first conv (64: 64/64/128/128/256/256/512).
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
      num_classes: > 0 makes D conditional, as `conditioning` says.
      conditioning: "projection" or "acgan" (see `layers.conditional_output`).
    """

    width: int = 64
    conv_impl: str = "auto"
    num_classes: int = 0
    conditioning: str = "projection"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        check_conditioning(self.conditioning)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool, labels: jax.Array | None = None):
        act = lambda y: nn.leaky_relu(y, _SNGAN_LEAKY_SLOPE)  # noqa: E731
        for features in (self.width, 2 * self.width, 4 * self.width):
            x = act(Conv(features, (3, 3), (1, 1), 1, impl=self.conv_impl)(x))
            x = act(Conv(features, (4, 4), (2, 2), 1, impl=self.conv_impl)(x))
        x = act(Conv(8 * self.width, (3, 3), (1, 1), 1, impl=self.conv_impl)(x))
        features = x.reshape(x.shape[0], -1)
        return conditional_output(nn.Dense(1)(features)[:, 0], features, labels, self.num_classes, self.conditioning)
