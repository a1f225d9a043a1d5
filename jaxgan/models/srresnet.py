"""SRGAN's networks (Ledig et al. 2017, Fig. 4): the SRResNet generator and the SRGAN discriminator.

Generator (`srresnet`): conv 9x9 64 -> PReLU; B residual blocks (conv 3x3 ->
BN -> PReLU -> conv 3x3 -> BN, plus the block's input); conv 3x3 -> BN, plus
the first conv's output; log2(factor) sub-pixel upsampling blocks (conv 3x3
to 4x64 channels -> pixel shuffle x2 -> PReLU); conv 9x9 to the image's
channels -> tanh (images in [-1, 1]). The factor is the target side over the
input side, from the data.

Discriminator (`srgan`): conv 3x3 64 -> LReLU(0.2); then conv 3x3 blocks
(-> BN -> LReLU) of 64 (stride 2), 128, 128 (s2), 256, 256 (s2), 512, 512
(s2); dense 1024 -> LReLU; dense 1. At 96x96 (the paper) that ends on 6x6
maps; at 32x32 on 2x2.

Full-size parameter counts are in tests/test_image2image.py.
"""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.conv import Conv, depth_to_space, resolve_impl
from jaxgan.models.layers import batch_norm
from jaxgan.models.registry import DISCRIMINATORS, GENERATORS

_LEAKY_SLOPE = 0.2


def _prelu() -> nn.PReLU:
    return nn.PReLU(negative_slope_init=0.25)  # PyTorch's nn.PReLU() default, one slope per layer


@GENERATORS.register("srresnet", input="image")
class SRResNetGenerator(nn.Module):
    """SRResNet; see the module docstring.

    Attributes:
      out_shape: (H, W, C) of the high-resolution output.
      factor: upscaling factor, a power of 2 (H / input height); 0 = infer from the input.
      width: channels (64).
      num_blocks: residual blocks B (16 in the paper).
      conv_impl: "auto", "subpixel", "xla" or "mixed".
    """

    out_shape: Sequence[int]
    factor: int = 0
    width: int = 64
    num_blocks: int = 16
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        if self.factor and (self.factor & (self.factor - 1)):
            raise ValueError(f"srresnet: factor must be a power of 2, got {self.factor}.")
        super().__post_init__()

    def _conv(self, features: int, kernel: int) -> Conv:
        return Conv(features, (kernel, kernel), (1, 1), "SAME", impl=self.conv_impl)

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        """Low-resolution images `[B, h, w, C]` in [-1, 1] -> `[B, H, W, out_shape[-1]]` in [-1, 1]."""
        factor = self.factor or self.out_shape[0] // x.shape[1]
        if factor < 1 or factor & (factor - 1) or x.shape[1] * factor != self.out_shape[0]:
            raise ValueError(f"srresnet: input side {x.shape[1]} does not upscale to {self.out_shape[0]} by a power of 2.")
        skip = h = _prelu()(self._conv(self.width, 9)(x))
        for _ in range(self.num_blocks):
            r = _prelu()(batch_norm(train)(self._conv(self.width, 3)(h)))
            h = h + batch_norm(train)(self._conv(self.width, 3)(r))
        h = skip + batch_norm(train)(self._conv(self.width, 3)(h))
        for _ in range(int(math.log2(factor))):
            h = _prelu()(depth_to_space(self._conv(4 * self.width, 3)(h), (2, 2)))
        return jnp.tanh(self._conv(self.out_shape[-1], 9)(h))


@DISCRIMINATORS.register("srgan")
class SRGANDiscriminator(nn.Module):
    """SRGAN's D; see the module docstring.

    Attributes:
      width: channels of the first convs (64).
      dense: units of the hidden dense layer (1024).
      conv_impl: "auto", "subpixel", "xla" or "mixed".
    """

    width: int = 64
    dense: int = 1024
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        act = lambda y: nn.leaky_relu(y, _LEAKY_SLOPE)  # noqa: E731
        x = act(Conv(self.width, (3, 3), (1, 1), 1, impl=self.conv_impl)(x))
        w = self.width
        for features, stride in ((w, 2), (2 * w, 1), (2 * w, 2), (4 * w, 1), (4 * w, 2), (8 * w, 1), (8 * w, 2)):
            x = Conv(features, (3, 3), (stride, stride), 1, use_bias=False, impl=self.conv_impl)(x)
            x = act(batch_norm(train)(x))
        x = act(nn.Dense(self.dense)(x.reshape(x.shape[0], -1)))
        return nn.Dense(1)(x)[:, 0]
