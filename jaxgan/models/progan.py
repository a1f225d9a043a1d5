"""ProGAN's growing networks (Karras et al. 2018, Table 2 and the authors' TF `networks.py`).

Both networks hold every resolution's layers from the start; a call names
the `resolution` it runs at (static: one compiled step per phase) and the
fade-in `alpha` (traced: computed from the step inside the step).

`progan` generator, from z: pixel norm of z; 4x4: dense to 4x4xC (as the
paper's 4x4 conv on a 1x1 input), conv 3x3; each next resolution: nearest
upsampling x2, two convs 3x3; every conv is followed by LeakyReLU(0.2) and
pixel norm; `to_rgb_<res>` is a 1x1 conv (gain 1) at each resolution.
During a fade-in at resolution r the output is
(1 - alpha) * upsample(to_rgb_{r/2}(features_{r/2})) + alpha * to_rgb_r(features_r).

`progan` discriminator, mirrored: `from_rgb_<res>` (1x1 conv, LeakyReLU) at
each resolution; each block: two convs 3x3 (the second to the next block's
width) with LeakyReLU, then 2x2 average pooling; during a fade-in the input
of the block below is (1 - alpha) * from_rgb_{r/2}(avgpool(x)) + alpha *
block_r(from_rgb_r(x)). The 4x4 block: minibatch stddev (group 4), conv 3x3,
dense to C, dense to 1 (gain 1). No normalisation in D. All layers use the
equalized learning rate (`progan_layers`).

Widths: `min(fmap_base / 2**(log2(res) - 1), fmap_max)` at each resolution
(the paper: fmap_base 8192, fmap_max 512: 512 up to 32x32, then 256, ...).
"""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgan.models.progan_layers import EqualizedConv, EqualizedDense, minibatch_stddev, pixel_norm
from jaxgan.models.registry import DISCRIMINATORS, GENERATORS

START_RESOLUTION = 4


def resolutions(final: int) -> list[int]:
    """4, 8, ..., `final` (a power of two >= 4)."""
    if final < START_RESOLUTION or final & (final - 1):
        raise ValueError(f"ProGAN grows 4 -> 8 -> ... by doubling; the image side {final} is not a power of two >= 4.")
    return [2**k for k in range(2, int(math.log2(final)) + 1)]


def width(res: int, fmap_base: int, fmap_max: int) -> int:
    return min(fmap_base // 2 ** (int(math.log2(res)) - 1), fmap_max)


def upsample(x: jax.Array) -> jax.Array:
    return jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)


def downsample(x: jax.Array) -> jax.Array:
    """2x2 average pooling."""
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def lrelu(x: jax.Array) -> jax.Array:
    return nn.leaky_relu(x, 0.2)


def _check_resolution(resolution: int, final: int) -> None:
    if resolution not in resolutions(final):
        raise ValueError(f"resolution {resolution} is not one of {resolutions(final)}.")


@GENERATORS.register("progan")
class ProGANGenerator(nn.Module):
    """ProGAN's G; see the module docstring. `out_shape`: the final (H, W, C)."""

    out_shape: Sequence[int]
    fmap_base: int = 8192
    fmap_max: int = 512
    # Defaults of the call's `resolution` (0: the final one) and `alpha`, so that a clone draws one phase;
    # `show_full`: outputs upsampled (nearest) to the final size, for metrics and pictures.
    resolution: int = 0
    alpha: float = 1.0
    show_full: bool = False

    def _width(self, res: int) -> int:
        return width(res, self.fmap_base, self.fmap_max)

    @nn.compact
    def __call__(self, z: jax.Array, train: bool = False, resolution: int | None = None,
                 alpha: jax.Array | float | None = None) -> jax.Array:
        """z `[B, latent]` -> images `[B, resolution, resolution, C]` (no tanh: ProGAN's G is linear)."""
        del train
        final = self.out_shape[0]
        resolution = resolution or self.resolution or final
        alpha = self.alpha if alpha is None else alpha
        _check_resolution(resolution, final)
        init = self.is_initializing()  # create every resolution's layers at init, whatever `resolution`
        c = self.out_shape[-1]
        to_rgb = {r: EqualizedConv(c, (1, 1), gain=1.0, name=f"to_rgb_{r}") for r in resolutions(final)}
        x = pixel_norm(z)
        x = EqualizedDense(4 * 4 * self._width(4), gain=math.sqrt(2.0) / 4, name="dense_4")(x)
        x = pixel_norm(lrelu(x.reshape(-1, 4, 4, self._width(4))))
        x = pixel_norm(lrelu(EqualizedConv(self._width(4), name="conv_4")(x)))
        images, previous = None, None
        for r in resolutions(final):
            if r > START_RESOLUTION:
                previous = x
                x = upsample(x)
                x = pixel_norm(lrelu(EqualizedConv(self._width(r), name=f"conv0_{r}")(x)))
                x = pixel_norm(lrelu(EqualizedConv(self._width(r), name=f"conv1_{r}")(x)))
            if r == resolution:
                images = to_rgb[r](x)
                if r > START_RESOLUTION:
                    images = (1.0 - alpha) * upsample(to_rgb[r // 2](previous)) + alpha * images
                if not init:
                    break
            elif init:
                to_rgb[r](x)
        while self.show_full and images.shape[1] < final:
            images = upsample(images)
        return images


@DISCRIMINATORS.register("progan")
class ProGANDiscriminator(nn.Module):
    """ProGAN's D; see the module docstring. Its final resolution is the input's at init."""

    num_classes: int = 0
    fmap_base: int = 8192
    fmap_max: int = 512
    mbstd_group_size: int = 4

    def _width(self, res: int) -> int:
        return width(res, self.fmap_base, self.fmap_max)

    @nn.compact
    def __call__(self, x: jax.Array, train: bool = False, final: int | None = None,
                 alpha: jax.Array | float = 1.0) -> jax.Array:
        """Images `[B, r, r, C]` at any resolution r of the growth to `final` -> logits `[B]`."""
        del train
        if self.num_classes:
            raise ValueError("The progan discriminator is unconditional.")
        resolution = x.shape[1]
        final = final or resolution
        _check_resolution(resolution, final)
        init = self.is_initializing()
        from_rgb = {r: EqualizedConv(self._width(r), (1, 1), name=f"from_rgb_{r}") for r in resolutions(final)}
        blocks = {}
        for r in resolutions(final)[1:]:
            blocks[r] = (EqualizedConv(self._width(r), name=f"conv0_{r}"),
                         EqualizedConv(self._width(r // 2), name=f"conv1_{r}"))
        if init:  # every from_rgb and block exists from the start
            for r in resolutions(final):
                h = lrelu(from_rgb[r](jnp.zeros((1, r, r, x.shape[-1]), x.dtype)))
                if r > START_RESOLUTION:
                    blocks[r][1](lrelu(blocks[r][0](h)))
        h = lrelu(from_rgb[resolution](x))
        for r in reversed(resolutions(resolution)[1:]):
            h = downsample(lrelu(blocks[r][1](lrelu(blocks[r][0](h)))))
            if r == resolution:  # the fade-in of the newest block
                h = (1.0 - alpha) * lrelu(from_rgb[r // 2](downsample(x))) + alpha * h
        h = minibatch_stddev(h, self.mbstd_group_size)
        h = lrelu(EqualizedConv(self._width(4), name="conv_4")(h))
        h = lrelu(EqualizedDense(self._width(4), name="dense0_4")(h.reshape(h.shape[0], -1)))
        return EqualizedDense(1, gain=1.0, name="dense1_4")(h)[:, 0]
