"""StarGAN's networks (Choi et al. 2018, appendix Table 4 and the authors' PyTorch `model.py`).

`stargan` generator: input = the image with the target domain vector tiled
over H and W on the channels (the family stacks them); conv 7x7 w -> IN ->
ReLU; two stride-2 4x4 convs (2w, 4w) -> IN -> ReLU; `num_blocks` residual
blocks (3x3 conv, IN, ReLU, 3x3 conv, IN, plus the input); two stride-2 4x4
transposed convs (2w, w) -> IN -> ReLU; conv 7x7 -> tanh. Zero padding,
convs without bias, instance norm with a learned scale and offset
(`affine=True`). The authors' IN also tracks running statistics, which their
test code never switches to; here IN always uses the image's own statistics.

`stargan` discriminator (PatchGAN): `num_layers` stride-2 4x4 convs with
LeakyReLU(0.01), widths w, 2w, ..., no norm; then two heads on the last map:
D_src, a 3x3 conv to one logit per patch, and D_cls, a conv as large as the
map to `num_classes` domain logits. At 128x128 the paper uses 6 layers
(a 2x2 map); `num_layers` scales it to other sizes (4 at 32x32).
Returns `(src_logits [B, h, w], cls_logits [B, num_classes])`.
"""

from __future__ import annotations

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.conv import Conv, ConvTranspose, resolve_impl
from jaxgan.models.registry import DISCRIMINATORS, GENERATORS


class InstanceNorm(nn.Module):
    """Per-image, per-channel normalisation over H and W with a learned scale and offset (`affine=True`)."""

    eps: float = 1e-5

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return nn.GroupNorm(num_groups=None, group_size=1, epsilon=self.eps)(x)


@GENERATORS.register("stargan", input="image")
class StarGANGenerator(nn.Module):
    """StarGAN's G; see the module docstring. `out_shape`: (H, W, C), H and W divisible by 4."""

    out_shape: Sequence[int]
    width: int = 64
    num_blocks: int = 6
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        if self.out_shape[0] % 4 or self.out_shape[1] % 4:
            raise ValueError(f"stargan halves its input twice; image side {tuple(self.out_shape[:2])} is not "
                             "divisible by 4.")
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        """`[B, H, W, C + domain dims]` in [-1, 1] -> `[B, H, W, out_shape[-1]]` in [-1, 1]."""
        w, impl = self.width, self.conv_impl

        def conv(features, kernel, stride=1, padding=0):
            return Conv(features, (kernel, kernel), (stride, stride), padding, use_bias=False, impl=impl)

        def in_relu(h):
            return nn.relu(InstanceNorm()(h))

        x = in_relu(conv(w, 7, padding=3)(x))
        for features in (2 * w, 4 * w):
            x = in_relu(conv(features, 4, 2, 1)(x))
        for _ in range(self.num_blocks):
            h = in_relu(conv(4 * w, 3, padding=1)(x))
            x = x + InstanceNorm()(conv(4 * w, 3, padding=1)(h))
        for features in (2 * w, w):
            x = in_relu(ConvTranspose(features, (4, 4), (2, 2), "SAME", use_bias=False, impl=impl)(x))
        return jnp.tanh(conv(self.out_shape[-1], 7, padding=3)(x))


@DISCRIMINATORS.register("stargan")
class StarGANDiscriminator(nn.Module):
    """StarGAN's D with its source and domain heads; see the module docstring."""

    num_classes: int = 0
    width: int = 64
    num_layers: int = 6
    conv_impl: str = "auto"

    def __post_init__(self):
        resolve_impl(self.conv_impl)
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> tuple[jax.Array, jax.Array]:
        del train  # no dropout, no norm
        if not self.num_classes:
            raise ValueError("The stargan discriminator needs num_classes > 0 (its domain head); the stargan family "
                             "sets it from the dataset's domains.")
        if x.shape[1] % 2**self.num_layers or x.shape[2] % 2**self.num_layers:
            raise ValueError(f"The stargan discriminator halves its input {self.num_layers} times (model.d.num_layers);"
                             f" image side {x.shape[1:3]} is not divisible by {2**self.num_layers}.")
        for i in range(self.num_layers):
            x = nn.leaky_relu(Conv(self.width * 2**i, (4, 4), (2, 2), 1, impl=self.conv_impl)(x), 0.01)
        src = Conv(1, (3, 3), (1, 1), 1, use_bias=False, impl=self.conv_impl, name="src")(x)[..., 0]
        cls = Conv(self.num_classes, x.shape[1:3], (1, 1), 0, use_bias=False, impl=self.conv_impl, name="cls")(x)
        return src, cls[:, 0, 0, :]
