"""Stride-1 2-D convolution whose forward and gradients stay on XLA:CPU's fast paths.

On XLA:CPU (measured on 2 cores, see benchmarks/README.md) a convolution
runs at matmul speed only with many output channels per input channel: a 3x3
convolution from 64 to 3 channels runs at about 1 GFLOP/s, and the kernel
gradient that autodiff emits (a convolution with the output gradient as its
"kernel") at 3-9 GFLOP/s, against 30-45 for a matmul. `conv_stride1` computes
the same convolution, forward and backward, as whichever of these equivalent
forms suits the shapes (k = kh*kw taps):

- output, and input gradient (a convolution of the output gradient with the
  flipped kernel): on maps of at most `SMALL_OUTPUT` output pixels, one
  matmul of the im2col windows with the kernel; else XLA's convolution; or, when `k*out <= 2*in`, one matmul of
  the input with all taps at once (`[in, k*out]`) and a sum of the k shifted
  tap planes ("taps").
- kernel gradient, `dw[tap] = sum over pixels of x[pixel + tap] (x) g[pixel]`:
  one matmul with the k shifted copies of the output gradient (`k*out <= in`),
  or of the input (`k*in <= out`), or else k matmuls, one per tap.

All are exact rewrites; results differ from `lax.conv_general_dilated` only by
float summation order. Reverse-mode derivatives of any order work; forward
mode (`jax.jvp`) does not go through the custom VJP.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

Padding = tuple[tuple[int, int], tuple[int, int]]
# Outputs of at most this many pixels per image are computed by im2col (one matmul):
# XLA:CPU's convolution runs at ~1 GFLOP/s on 1x1-3x3 maps with hundreds of
# channels (the U-Net's innermost levels), the matmul at 30-90.
SMALL_OUTPUT = 9
_DIMENSION_NUMBERS = ("NHWC", "HWIO", "NHWC")


def _pad(x: jax.Array, padding: Padding) -> jax.Array:
    """Pads (negative: crops) the spatial axes of NHWC `x`."""
    return lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0), (*padding[0], 0), (*padding[1], 0), (0, 0, 0)))


def _matmul(a: jax.Array, b: jax.Array, contract: int, precision: lax.PrecisionLike) -> jax.Array:
    """Contracts axis `contract` of 2-D `a` with axis 0 of 2-D `b`."""
    return lax.dot_general(a, b, (((contract,), (0,)), ((), ())), precision=precision)


def conv_valid(x: jax.Array, w: jax.Array, precision: lax.PrecisionLike = None) -> jax.Array:
    """'VALID' stride-1 convolution of NHWC `x` with HWIO `w`, in its fastest form."""
    kh, kw, c_in, c_out = w.shape
    b, h, wd, _ = x.shape
    ho, wo = h - kh + 1, wd - kw + 1
    if ho * wo <= SMALL_OUTPUT and kh * kw > 1:
        # im2col: every output pixel's window as one row, one matmul with the whole kernel.
        windows = [x[:, i : i + ho, j : j + wo] for i in range(kh) for j in range(kw)]
        rows = jnp.concatenate(windows, -1).reshape(b * ho * wo, kh * kw * c_in)
        return _matmul(rows, w.reshape(kh * kw * c_in, c_out), 1, precision).reshape(b, ho, wo, c_out)
    if kh * kw * c_out > 2 * c_in:
        return lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=_DIMENSION_NUMBERS, precision=precision)
    taps = w.transpose(2, 0, 1, 3).reshape(c_in, kh * kw * c_out)
    planes = _matmul(x.reshape(-1, c_in), taps, 1, precision).reshape(b, h, wd, kh, kw, c_out)
    return sum(planes[:, i : i + ho, j : j + wo, i, j] for i in range(kh) for j in range(kw))


def kernel_grad(x: jax.Array, g: jax.Array, kernel_hw: tuple[int, int], precision: lax.PrecisionLike = None) -> jax.Array:
    """Gradient of `conv_valid(x, w)` w.r.t. `w` `[kh, kw, in, out]`, given the output gradient `g`."""
    kh, kw = kernel_hw
    b, h, wd, c_in = x.shape
    _, ho, wo, c_out = g.shape
    k = kh * kw
    if k * c_out <= c_in:
        # Place each tap's shifted copy of g on the input grid: one matmul with x.
        shifted = [_pad(g, ((i, h - ho - i), (j, wd - wo - j))) for i in range(kh) for j in range(kw)]
        dw = _matmul(x.reshape(-1, c_in), jnp.concatenate(shifted, -1).reshape(-1, k * c_out), 0, precision)
        return dw.reshape(c_in, kh, kw, c_out).transpose(1, 2, 0, 3)
    windows = [x[:, i : i + ho, j : j + wo].reshape(-1, c_in) for i in range(kh) for j in range(kw)]
    g = g.reshape(-1, c_out)
    if k * c_in <= c_out:
        return _matmul(jnp.concatenate(windows, -1), g, 0, precision).reshape(kh, kw, c_in, c_out)
    return jnp.stack([_matmul(win, g, 0, precision) for win in windows]).reshape(kh, kw, c_in, c_out)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def conv_stride1(x: jax.Array, w: jax.Array, padding: Padding, precision: lax.PrecisionLike = None) -> jax.Array:
    """Stride-1 convolution, equal to `lax.conv_general_dilated(x, w, (1, 1), padding)`.

    Args:
      x: `[B, H, W, in]`.
      w: `[kh, kw, in, out]`.
      padding: ((low, high), (low, high)) of x; negative values crop.
      precision: passed to every convolution and matmul.

    Returns:
      `[B, H', W', out]`.
    """
    return conv_valid(_pad(x, padding), w, precision)


def _fwd(x, w, padding, precision):
    return conv_stride1(x, w, padding, precision), (x, w)


def _bwd(padding, precision, residuals, g):
    x, w = residuals
    kh, kw = w.shape[:2]
    # d/dx: g convolved with the flipped, in/out-swapped kernel, padded so
    # that it lands back on x's grid.
    dx_padding = tuple((k - 1 - lo, k - 1 - hi) for k, (lo, hi) in zip((kh, kw), padding))
    dx = conv_valid(_pad(g, dx_padding), w[::-1, ::-1].transpose(0, 1, 3, 2), precision)
    dw = kernel_grad(_pad(x, padding), g, (kh, kw), precision)
    return dx, dw.astype(w.dtype)


conv_stride1.defvjp(_fwd, _bwd)
