"""pix2pix's networks (Isola et al. 2017): the U-Net generator and the PatchGAN discriminator.

Layer for layer as the authors' PyTorch code (`pytorch-CycleGAN-and-pix2pix`,
`networks.py`: `UnetGenerator`, `NLayerDiscriminator`), so parameter counts
match its printouts at full size (tests/test_image2image_models.py): the
256x256 U-Net (`depth=8`, 3 -> 3 channels) has 54,413,955 parameters
("54.414 M"), the 70x70 PatchGAN on 6-channel pairs 2,768,705 ("2.769 M")
and with instance norm on 3 channels (CycleGAN's D) 2,764,737 ("2.765 M").
Convolutions are `jaxgan.models.conv`'s (fast on CPU with
`conv_impl="auto"`).

Normalization (`norm`): "batch" (pix2pix; cross-device statistics, running
averages at eval), "instance" (CycleGAN; no affine parameters, as PyTorch's
default `InstanceNorm2d`) or "none". As in the reference, convolutions
followed by BatchNorm have no bias; with instance or no norm they have one.
"""

from __future__ import annotations

from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.conv import Conv, ConvTranspose, resolve_impl
from jaxgan.models.layers import batch_norm
from jaxgan.models.registry import DISCRIMINATORS, GENERATORS

NORMS = ("batch", "instance", "none")
_LEAKY_SLOPE = 0.2


def check_norm(norm: str) -> None:
    if norm not in NORMS:
        raise ValueError(f"Unknown norm {norm!r}. Choices: {', '.join(NORMS)}.")


def instance_norm(x: jax.Array, eps: float = 1e-5) -> jax.Array:
    """Per-example, per-channel normalization over H and W, without parameters (PyTorch's `InstanceNorm2d`)."""
    mean = jnp.mean(x, axis=(1, 2), keepdims=True)
    var = jnp.var(x, axis=(1, 2), keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + eps)


def norm_layer(norm: str, train: bool) -> Callable[[jax.Array], jax.Array]:
    """A fresh normalization of kind `norm` (call it inside a compact module)."""
    if norm == "batch":
        return batch_norm(train)
    if norm == "instance":
        return instance_norm
    return lambda x: x


@GENERATORS.register("unet", input="image")
class UNetGenerator(nn.Module):
    """pix2pix's U-Net: `depth` stride-2 4x4 convolutions down to 1x1, mirrored up, with skips.

    Down level i (0-based) has `width * min(2**i, 8)` channels: LReLU(0.2) ->
    conv -> norm (no activation before level 0, no norm at levels 0 and
    depth-1). Up level i takes [skip of level i, up output of level i+1]
    (level depth-1: the innermost code alone): ReLU -> transposed conv ->
    norm -> dropout 0.5 (the `dropout_levels` levels just outside the
    innermost), and at level 0 the transposed conv (with bias) -> tanh.

    Attributes:
      out_shape: (H, W, C) of the output; H and W must be divisible by 2**depth.
      width: channels of the first level (64 in the paper).
      depth: number of down levels (8 for 256x256: down to 1x1; 5 for 32x32).
      dropout_levels: levels with dropout, counted outward from the innermost
        (3 in the paper, the only noise pix2pix's G gets).
      norm: "batch", "instance" or "none".
      conv_impl: "auto", "subpixel", "xla" or "mixed" (see `jaxgan.models.conv`).
    """

    out_shape: Sequence[int]
    width: int = 64
    depth: int = 8
    dropout_levels: int = 3
    norm: str = "batch"
    conv_impl: str = "auto"

    def __post_init__(self):
        check_norm(self.norm)
        resolve_impl(self.conv_impl)
        if not 0 <= self.dropout_levels <= max(self.depth - 2, 0):
            raise ValueError(f"unet: dropout_levels must be in [0, depth - 2 = {self.depth - 2}], "
                             f"got {self.dropout_levels}.")
        side = 2**self.depth
        if self.out_shape[0] % side or self.out_shape[1] % side:
            raise ValueError(f"unet of depth {self.depth} halves its input {self.depth} times; image side "
                             f"{tuple(self.out_shape[:2])} is not divisible by {side}. Set data.image_size or "
                             f"model.g.depth.")
        super().__post_init__()

    def channels(self, level: int) -> int:
        return self.width * min(2**level, 8)

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        """Images `[B, H, W, C_in]` in [-1, 1] -> images `[B, H, W, out_shape[-1]]` in [-1, 1]."""
        bias = self.norm != "batch"
        skips = []
        for level in range(self.depth):
            if level:
                x = nn.leaky_relu(x, _LEAKY_SLOPE)
            x = Conv(self.channels(level), (4, 4), (2, 2), 1, use_bias=bias, impl=self.conv_impl,
                     name=f"down{level}")(x)
            if 0 < level < self.depth - 1:
                x = norm_layer(self.norm, train)(x)
            skips.append(x)
        first_dropout = self.depth - 1 - self.dropout_levels
        for level in reversed(range(self.depth)):
            if level < self.depth - 1:
                x = jnp.concatenate([skips[level], x], axis=-1)
            x = nn.relu(x)
            if level == 0:
                x = ConvTranspose(self.out_shape[-1], (4, 4), (2, 2), "SAME", impl=self.conv_impl, name="up0")(x)
                return jnp.tanh(x)
            x = ConvTranspose(self.channels(level - 1), (4, 4), (2, 2), "SAME", use_bias=bias, impl=self.conv_impl,
                              name=f"up{level}")(x)
            x = norm_layer(self.norm, train)(x)
            if first_dropout <= level < self.depth - 1:
                x = nn.Dropout(0.5, deterministic=not train)(x)
        raise AssertionError("unreachable")


@DISCRIMINATORS.register("patchgan")
class PatchGANDiscriminator(nn.Module):
    """PatchGAN (pix2pix's `NLayerDiscriminator`): one logit per overlapping patch.

    Conv w 4x4 s2 (bias) -> LReLU; for n in 1..n_layers-1: conv
    w*min(2**n, 8) 4x4 s2 -> norm -> LReLU; conv w*min(2**n_layers, 8) 4x4
    s1 -> norm -> LReLU; conv 1 4x4 s1 (bias). Padding 1 throughout.
    n_layers=3 sees 70x70 patches (the paper's default); 1 sees 16x16, 2 sees 34x34.

    Attributes:
      width: channels of the first conv (64).
      n_layers: stride-2 convolutions (3 in the paper).
      norm: "batch", "instance" or "none".
      conv_impl: "auto", "subpixel", "xla" or "mixed".

    Returns logits `[B, h, w]` (one per patch); losses average over them.
    """

    width: int = 64
    n_layers: int = 3
    norm: str = "batch"
    conv_impl: str = "auto"

    def __post_init__(self):
        check_norm(self.norm)
        resolve_impl(self.conv_impl)
        if self.n_layers < 1:
            raise ValueError(f"patchgan: n_layers must be >= 1, got {self.n_layers}.")
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array, train: bool) -> jax.Array:
        bias = self.norm != "batch"
        act = lambda y: nn.leaky_relu(y, _LEAKY_SLOPE)  # noqa: E731
        x = act(Conv(self.width, (4, 4), (2, 2), 1, impl=self.conv_impl)(x))
        for n in range(1, self.n_layers + 1):
            stride = 2 if n < self.n_layers else 1
            x = Conv(self.width * min(2**n, 8), (4, 4), (stride, stride), 1, use_bias=bias, impl=self.conv_impl)(x)
            x = act(norm_layer(self.norm, train)(x))
        return Conv(1, (4, 4), (1, 1), 1, impl=self.conv_impl)(x)[..., 0]


def receptive_field(n_layers: int) -> int:
    """Side of the input patch one PatchGAN logit sees (70 for n_layers=3)."""
    field = 4  # the output conv
    for stride in [1] + [2] * n_layers:  # inward: the s1 conv, then the s2 convs
        field = (field - 1) * stride + 4
    return field
