"""ProGAN's layers (Karras et al. 2018, section 4 and the authors' TF `networks.py`).

- Equalized learning rate: weights are drawn from N(0, 1) and scaled at run
  time by He's constant c = gain / sqrt(fan_in) (gain sqrt(2); 1 for the
  output layers), so Adam's per-parameter step is the same for every layer.
  `EqualizedConv` and `EqualizedDense` keep the unscaled `kernel` as their
  parameter; `effective_kernel` is what the layer applies.
- Pixelwise feature normalisation: x / sqrt(mean over channels of x^2 + 1e-8).
- Minibatch standard deviation: the batch is cut into groups of `group_size`
  (element n in group n mod (N / group_size), as the authors' reshape does);
  for each group, the standard deviation of every feature at every pixel over
  the group's members, averaged to one number, is appended to each member as
  one more constant feature map. Under data parallelism the groups are taken
  from each device's rows.
"""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax

HE_GAIN = math.sqrt(2.0)


def he_constant(fan_in: int, gain: float = HE_GAIN) -> float:
    """He's per-layer constant: gain / sqrt(fan_in)."""
    return gain / math.sqrt(fan_in)


class EqualizedDense(nn.Module):
    """A dense layer with the equalized learning rate (weights N(0, 1), scaled by `he_constant` when applied)."""

    features: int
    gain: float = HE_GAIN

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param("kernel", nn.initializers.normal(1.0), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return x @ (kernel * he_constant(x.shape[-1], self.gain)) + bias


class EqualizedConv(nn.Module):
    """A stride-1 'SAME' convolution with the equalized learning rate; see `EqualizedDense`."""

    features: int
    kernel_size: Sequence[int] = (3, 3)
    gain: float = HE_GAIN

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kh, kw = self.kernel_size
        kernel = self.param("kernel", nn.initializers.normal(1.0), (kh, kw, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        w = kernel * he_constant(kh * kw * x.shape[-1], self.gain)
        y = lax.conv_general_dilated(x, w.astype(x.dtype), (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return y + bias


def effective_kernel(params: dict, gain: float = HE_GAIN) -> jax.Array:
    """The kernel an equalized layer applies: its parameter times He's constant for its fan-in."""
    kernel = params["kernel"]
    return kernel * he_constant(math.prod(kernel.shape[:-1]), gain)


def pixel_norm(x: jax.Array, eps: float = 1e-8) -> jax.Array:
    """Normalises each pixel's feature vector to unit average square (ProGAN's PixelNorm)."""
    return x * lax.rsqrt(jnp.mean(jnp.square(x), axis=-1, keepdims=True) + eps)


def minibatch_stddev(x: jax.Array, group_size: int = 4, eps: float = 1e-8) -> jax.Array:
    """`[N, H, W, C]` -> `[N, H, W, C + 1]`: the group's average standard deviation appended; see above.

    The group size is min(`group_size`, N); N must be divisible by it.
    """
    n, h, w, c = x.shape
    g = min(group_size, n)
    if n % g:
        raise ValueError(f"minibatch_stddev: the batch of {n} (per device) is not divisible by the group size {g}.")
    y = x.reshape(g, n // g, h, w, c).astype(jnp.float32)
    y = jnp.sqrt(jnp.mean(jnp.square(y - jnp.mean(y, axis=0)), axis=0) + eps)  # [M, H, W, C]
    y = jnp.mean(y, axis=(1, 2, 3))  # [M]
    y = jnp.tile(y, g)[:, None, None, None]  # member n gets group n mod M
    return jnp.concatenate([x, jnp.broadcast_to(y, (n, h, w, 1)).astype(x.dtype)], axis=-1)
