"""CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016): `resnet_translator`.

Layer for layer as the authors' PyTorch `ResnetGenerator`: reflection pad 3,
conv 7x7 w -> norm -> ReLU; two stride-2 3x3 convs (2w, 4w) -> norm ->
ReLU; `num_blocks` residual blocks (reflection pad 1, conv 3x3, norm, ReLU,
reflection pad 1, conv 3x3, norm, plus the input); two stride-2 3x3
transposed convs (2w, w) -> norm -> ReLU; reflection pad 3, conv 7x7 -> tanh.
With instance norm (no affine parameters) every conv has a bias; the
9-block 256x256 network (w = 64, RGB) has 11,378,179 parameters ("11.378 M"
in the PyTorch printout; tests/test_cyclegan.py). The paper uses 6 blocks at
128x128 and 9 at 256x256. Its discriminator is `patchgan` with `norm="instance"`.
"""

from __future__ import annotations

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.conv import Conv, ConvTranspose, resolve_impl
from jaxgan.models.registry import GENERATORS
from jaxgan.models.unet import check_norm, norm_layer


def reflect(x: jax.Array, pad: int) -> jax.Array:
    """Reflection padding of the spatial axes (PyTorch's `ReflectionPad2d`)."""
    return jnp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")


@GENERATORS.register("resnet_translator", input="image")
class ResNetTranslator(nn.Module):
    """CycleGAN's generator; see the module docstring.

    Attributes:
      out_shape: (H, W, C) of the output; H and W divisible by 4.
      width: channels of the first conv (64).
      num_blocks: residual blocks (9 at 256x256, 6 at 128x128).
      norm: "instance" (CycleGAN), "batch" or "none".
      conv_impl: "auto", "subpixel", "xla" or "mixed".
    """

    out_shape: Sequence[int]
    width: int = 64
    num_blocks: int = 9
    norm: str = "instance"
    conv_impl: str = "auto"

    def __post_init__(self):
        check_norm(self.norm)
        resolve_impl(self.conv_impl)
        if self.out_shape[0] % 4 or self.out_shape[1] % 4:
            raise ValueError(f"resnet_translator halves its input twice; image side {tuple(self.out_shape[:2])} "
                             "is not divisible by 4.")
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        """Images `[B, H, W, C_in]` in [-1, 1] -> `[B, H, W, out_shape[-1]]` in [-1, 1]."""
        bias, w = self.norm != "batch", self.width

        def conv(features, kernel, stride=1, padding="VALID"):
            return Conv(features, (kernel, kernel), (stride, stride), padding, use_bias=bias, impl=self.conv_impl)

        def norm_relu(h):
            return nn.relu(norm_layer(self.norm, train)(h))

        x = norm_relu(conv(w, 7)(reflect(x, 3)))
        for features in (2 * w, 4 * w):
            x = norm_relu(conv(features, 3, 2, 1)(x))
        for _ in range(self.num_blocks):
            h = norm_relu(conv(4 * w, 3)(reflect(x, 1)))
            x = x + norm_layer(self.norm, train)(conv(4 * w, 3)(reflect(h, 1)))
        for features in (2 * w, w):
            x = ConvTranspose(features, (3, 3), (2, 2), "SAME", use_bias=bias, impl=self.conv_impl)(x)
            x = norm_relu(x)
        x = Conv(self.out_shape[-1], (7, 7), (1, 1), "VALID", impl=self.conv_impl)(reflect(x, 3))
        return jnp.tanh(x)
