"""Convolutions with strides, as XLA's own ops or rewritten as dense stride-1 convolutions.

XLA:CPU runs a transposed convolution, and a strided convolution's input
gradient, as convolutions over zero-dilated tensors, and kernel gradients as
convolutions with the output gradient as "kernel", all far off its fast paths:
the backward of a 4x4 stride-2 transposed convolution takes seconds where the
same useful work as dense convolutions and matmuls takes a fraction of one.

The "subpixel" implementation computes exactly the same functions with dense
stride-1 convolutions only:

- Transposed convolution (sub-pixel form). Output pixel `o = q*s + r - shift`
  (phase r in [0, s)) only meets kernel taps t with
  `(r - shift + t - pad_lo) % s == 0`, at input pixel
  `q + (r - shift + t - pad_lo) // s`. So each phase is a stride-1
  convolution of the undilated input with a sub-kernel of taps, and all s*s
  phases together are ONE stride-1 convolution to `s*s*features` channels
  followed by depth-to-space. The sub-kernel is a gather of the layer's own
  kernel (each tap lands in exactly one place). `shift` is chosen per axis to
  make the sub-kernel smallest: 4x4 stride 2 'SAME' becomes 2x2 to 4x the
  channels, 5x5 stride 2 becomes 3x3.
- Strided convolution (space-to-depth form). With `t = a*s + b`,
  `y[o] = sum_t x[o*s + t] w[t]` is a stride-1 convolution of
  space-to-depth(x) (s*s*in channels) with the kernel zero-padded to a
  multiple of s and rearranged the same way: 4x4 stride 2 becomes 2x2.
- Every stride-1 convolution is `dense_conv.conv_stride1`, whose forward
  and gradients use the forms (convolution or matmuls) that XLA:CPU runs fast.

Parameters, outputs and gradients equal those of `flax.linen.Conv` /
`ConvTranspose` up to float summation order. Reverse-mode derivatives of any
order work; forward mode (`jax.jvp`) does not (see `dense_conv`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Callable, Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from flax.linen.linear import PaddingLike, canonicalize_padding, default_kernel_init
from jax import lax

from jaxgan.models.dense_conv import conv_stride1
from jaxgan.registry import Registry

# What "auto" runs on each backend. CPU: measured (see benchmarks/README.md);
# "subpixel" is many times faster there. GPU and TPU: not measured here; cuDNN
# and the TPU compiler run strided and dilated convolutions natively, so XLA's
# own lowering is kept until a measurement says otherwise.
AUTO_IMPL = {"cpu": "subpixel"}
_AUTO_DEFAULT = "xla"
_DIMENSION_NUMBERS = ("NHWC", "HWIO", "NHWC")


@dataclasses.dataclass(frozen=True)
class ConvFunctions:
    """One implementation's strided convolution and transposed convolution.

    Both take `(x, kernel, strides, padding, precision)` (NHWC, HWIO), with
    `padding` as `flax.linen.linear.canonicalize_padding` returns it.
    """

    conv: Callable[..., jax.Array]
    conv_transpose: Callable[..., jax.Array]


# Implementation name -> its ConvFunctions; "auto" -> None, resolved per
# backend by `resolve_impl` (AUTO_IMPL). Entries are registered below, after
# the functions they name.
CONV_IMPLS = Registry("convolution implementation")
CONV_IMPLS.register("auto")(None)


def resolve_impl(impl: str, backend: str | None = None) -> str:
    """Returns the concrete implementation ("subpixel", "xla" or "mixed") for `impl`.

    Args:
      impl: "auto", "subpixel", "xla" or "mixed" (a name in CONV_IMPLS).
      backend: the JAX backend "auto" decides for (default: the default backend).
    """
    CONV_IMPLS.get(impl)  # raises listing the choices
    if impl != "auto":
        return impl
    return AUTO_IMPL.get(backend or jax.default_backend(), _AUTO_DEFAULT)


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def space_to_depth(x: jax.Array, block: tuple[int, int]) -> jax.Array:
    """`[B, H*bh, W*bw, C]` -> `[B, H, W, bh*bw*C]` (block-position-major channels)."""
    b, h, w, c = x.shape
    bh, bw = block
    x = x.reshape(b, h // bh, bh, w // bw, bw, c)
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, h // bh, w // bw, bh * bw * c)


def depth_to_space(x: jax.Array, block: tuple[int, int]) -> jax.Array:
    """`[B, H, W, bh*bw*C]` -> `[B, H*bh, W*bw, C]`; the inverse of `space_to_depth`."""
    b, h, w, c = x.shape
    bh, bw = block
    x = x.reshape(b, h, w, bh, bw, c // (bh * bw))
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, h * bh, w * bw, c // (bh * bw))


# ----------------------------------------------------------------------------
# Strided convolution, space-to-depth form.


def conv_padding(in_size: int, kernel_size: int, stride: int, padding: str | tuple[int, int]) -> tuple[int, int]:
    """(low, high) padding of `lax.conv_general_dilated` on one axis ('SAME', 'VALID' or a pair)."""
    if padding == "SAME":
        total = max((-(-in_size // stride) - 1) * stride + kernel_size - in_size, 0)
        return total // 2, total - total // 2
    if padding == "VALID":
        return 0, 0
    return tuple(padding)


def conv_space_to_depth(
    x: jax.Array,
    kernel: jax.Array,
    strides: Sequence[int],
    padding: str | Sequence[tuple[int, int]],
    precision: lax.PrecisionLike = None,
) -> jax.Array:
    """Equals `lax.conv_general_dilated(x, kernel, strides, padding)` (NHWC, HWIO)."""
    strides = _pair(strides)
    pads = [padding] * 2 if isinstance(padding, str) else list(padding)
    pads = [conv_padding(n, k, s, p) for n, k, s, p in zip(x.shape[1:3], kernel.shape[:2], strides, pads)]
    if strides == (1, 1):
        return conv_stride1(x, kernel, tuple(pads), precision)
    # Pad (or crop) each axis to exactly the s-blocks the output reads, and the
    # kernel with zeros to whole s-blocks.
    blocks = [-(-k // s) for k, s in zip(kernel.shape[:2], strides)]
    outs = [(n + lo + hi - k) // s + 1 for n, k, s, (lo, hi) in zip(x.shape[1:3], kernel.shape[:2], strides, pads)]
    x_pads = [(lo, (o + a - 1) * s - n - lo) for n, s, o, a, (lo, _) in zip(x.shape[1:3], strides, outs, blocks, pads)]
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0), (*x_pads[0], 0), (*x_pads[1], 0), (0, 0, 0)))
    kernel = jnp.pad(kernel, [(0, a * s - k) for a, s, k in zip(blocks, strides, kernel.shape[:2])] + [(0, 0)] * 2)
    ah, aw = blocks
    c_in, c_out = kernel.shape[2:]
    kernel = kernel.reshape(ah, strides[0], aw, strides[1], c_in, c_out).transpose(0, 2, 1, 3, 4, 5)
    kernel = kernel.reshape(ah, aw, strides[0] * strides[1] * c_in, c_out)
    return conv_stride1(space_to_depth(x, strides), kernel, ((0, 0), (0, 0)), precision)


# ----------------------------------------------------------------------------
# Transposed convolution, sub-pixel form.


def transpose_padding(kernel_size: int, stride: int, padding: str | tuple[int, int]) -> tuple[int, int]:
    """Padding of the dilated input that `lax.conv_transpose` uses on one axis.

    'SAME' and 'VALID' name the forward convolution whose transpose this is
    (the rule of `lax.conv_transpose`, which matches Keras' Conv2DTranspose
    output sizes); an explicit (low, high) pair is used as is.
    """
    if padding == "SAME":
        total = kernel_size + stride - 2
        low = kernel_size - 1 if stride > kernel_size - 1 else math.ceil(total / 2)
        return low, total - low
    if padding == "VALID":
        return kernel_size - 1, stride - 1 + max(kernel_size - stride, 0)
    return tuple(padding)


@dataclasses.dataclass(frozen=True)
class AxisPlan:
    """The sub-pixel form of a transposed convolution along one spatial axis.

    Attributes:
      taps: `[sub_kernel, stride]` kernel index used by sub-kernel position j
        for phase r, or -1 where that phase has no tap.
      input_padding: (low, high) padding of the undilated input for the
        stride-1 convolution (negative values crop).
      shift: output pixels dropped at the start after depth-to-space.
      out_size: the transposed convolution's output size.
    """

    taps: np.ndarray
    input_padding: tuple[int, int]
    shift: int
    out_size: int


@functools.lru_cache(maxsize=None)
def axis_plan(in_size: int, kernel_size: int, stride: int, padding: tuple[int, int]) -> AxisPlan:
    """Plans one axis: the shift with the smallest sub-kernel x output length.

    Args:
      in_size: input length on this axis.
      kernel_size, stride: of the transposed convolution on this axis.
      padding: (low, high) padding of the dilated input (`transpose_padding`).
    """
    pad_lo, pad_hi = padding
    out_size = (in_size - 1) * stride + 1 + pad_lo + pad_hi - kernel_size + 1
    if out_size < 1:
        raise ValueError(f"Transposed convolution of size {in_size} gives an empty output ({out_size}).")
    best = None
    for shift in range(stride):
        # Input offset of every (phase, tap) pair that meets a real pixel.
        offsets = [
            (r - shift + t - pad_lo) // stride
            for r in range(stride)
            for t in range(kernel_size)
            if (r - shift + t - pad_lo) % stride == 0
        ]
        low, high = min(offsets), max(offsets)
        num_blocks = -(-(out_size + shift) // stride)
        cost = (high - low + 1) * num_blocks
        if best is None or cost < best[0]:
            best = (cost, shift, low, high, num_blocks)
    _, shift, low, high, num_blocks = best
    j = np.arange(high - low + 1)[:, None]
    r = np.arange(stride)[None, :]
    taps = stride * (j + low) + pad_lo + shift - r
    taps = np.where((taps >= 0) & (taps < kernel_size), taps, -1)
    return AxisPlan(taps, (-low, num_blocks - 1 + high - (in_size - 1)), shift, out_size)


def subpixel_kernel(kernel: jax.Array, plan_h: AxisPlan, plan_w: AxisPlan) -> jax.Array:
    """Gathers `[kh, kw, in, out]` into the stride-1 kernel `[Kh, Kw, in, sh*sw*out]`."""
    th, tw = plan_h.taps, plan_w.taps
    kh, sh = th.shape
    kw, sw = tw.shape
    index_h = np.maximum(th, 0)[:, None, :, None]
    index_w = np.maximum(tw, 0)[None, :, None, :]
    valid = ((th >= 0)[:, None, :, None] & (tw >= 0)[None, :, None, :])[..., None, None]
    sub = jnp.where(valid, kernel[index_h, index_w], 0)  # [Kh, Kw, sh, sw, in, out]
    sub = sub.transpose(0, 1, 4, 2, 3, 5)
    return sub.reshape(kh, kw, kernel.shape[2], sh * sw * kernel.shape[3])


def conv_transpose_subpixel(
    x: jax.Array,
    kernel: jax.Array,
    strides: Sequence[int],
    padding: str | Sequence[tuple[int, int]],
    precision: lax.PrecisionLike = None,
) -> jax.Array:
    """Equals `lax.conv_transpose(x, kernel, strides, padding)` (NHWC, HWIO).

    Args:
      x: `[B, H, W, in]`.
      kernel: `[kh, kw, in, out]`, not flipped (`transpose_kernel=False`).
      strides: (sh, sw).
      padding: 'SAME', 'VALID' or ((low, high), (low, high)) of the dilated
        input, as `lax.conv_transpose` reads them.
      precision: passed to the convolution.

    Returns:
      `[B, H', W', out]`, the transposed convolution.
    """
    strides = _pair(strides)
    pads = [padding] * 2 if isinstance(padding, str) else list(padding)
    plans = [
        axis_plan(n, k, s, transpose_padding(k, s, p))
        for n, k, s, p in zip(x.shape[1:3], kernel.shape[:2], strides, pads)
    ]
    input_padding = tuple(p.input_padding for p in plans)
    if strides == (1, 1):  # the sub-kernel is the kernel itself
        return conv_stride1(x, kernel, input_padding, precision)
    y = depth_to_space(conv_stride1(x, subpixel_kernel(kernel, *plans), input_padding, precision), strides)
    (sh, hs), (sw, ws) = ((p.shift, p.out_size) for p in plans)
    return y[:, sh : sh + hs, sw : sw + ws]


# ----------------------------------------------------------------------------
# Modules.


def _matrix_init(init: nn.initializers.Initializer) -> nn.initializers.Initializer:
    """`init` drawn as a `[kh*kw*in, out]` matrix and reshaped to the kernel's shape.

    For Flax's default (LeCun normal, fan-in kh*kw*in either way) this gives
    the very same values as drawing the 4-D kernel, since JAX's default
    threefry is partitionable; XLA:CPU compiles 2-D random bits several times
    faster than 4-D ones (seconds per conv layer otherwise).
    """

    def matrix_init(key, shape, dtype=jnp.float32):
        return init(key, (math.prod(shape[:-1]), shape[-1]), dtype).reshape(shape)

    return matrix_init


class _ConvBase(nn.Module):
    """Fields and parameters shared by `Conv` and `ConvTranspose`.

    Attributes:
      features: output channels.
      kernel_size: (kh, kw), or one int for both.
      strides: (sh, sw), or one int for both.
      padding: 'SAME', 'VALID', an int or ((low, high), (low, high)), as in
        Flax ('CIRCULAR' is not supported).
      use_bias: add a learned bias.
      impl: "auto", "subpixel", "xla" or "mixed".
      precision: convolution precision.
      dtype: computation dtype (default: inferred from inputs and params).
      param_dtype: parameter dtype.
      kernel_init, bias_init: initializers (Flax's defaults, the kernel's drawn
        as a matrix: see `_matrix_init`).
    """

    features: int
    kernel_size: int | Sequence[int]
    strides: int | Sequence[int] = 1
    padding: PaddingLike = "SAME"
    use_bias: bool = True
    impl: str = "auto"
    precision: lax.PrecisionLike = None
    dtype: jnp.dtype | None = None
    param_dtype: jnp.dtype = jnp.float32
    kernel_init: nn.initializers.Initializer = _matrix_init(default_kernel_init)
    bias_init: nn.initializers.Initializer = nn.initializers.zeros_init()

    def _apply(self, inputs: jax.Array, transpose: bool) -> jax.Array:
        if inputs.ndim != 4:
            raise ValueError(f"{type(self).__name__} takes NHWC inputs, got shape {inputs.shape}.")
        padding = canonicalize_padding(self.padding, 2)
        if padding == "CIRCULAR":
            raise ValueError(f"padding='CIRCULAR' is not supported; use flax.linen.{type(self).__name__}.")
        shape = (*_pair(self.kernel_size), inputs.shape[-1], self.features)
        kernel = self.param("kernel", self.kernel_init, shape, self.param_dtype)
        bias = self.param("bias", self.bias_init, (self.features,), self.param_dtype) if self.use_bias else None
        inputs, kernel, bias = nn.dtypes.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        functions = CONV_IMPLS.get(resolve_impl(self.impl))
        fn = functions.conv_transpose if transpose else functions.conv
        y = fn(inputs, kernel, _pair(self.strides), padding, self.precision)
        return y if bias is None else y + bias


def _xla_conv(x, w, strides, padding, precision):
    return lax.conv_general_dilated(x, w, strides, padding, dimension_numbers=_DIMENSION_NUMBERS, precision=precision)


def _xla_conv_transpose(x, w, strides, padding, precision):
    return lax.conv_transpose(x, w, strides, padding, precision=precision)


CONV_IMPLS.register("subpixel")(ConvFunctions(conv_space_to_depth, conv_transpose_subpixel))
CONV_IMPLS.register("xla")(ConvFunctions(_xla_conv, _xla_conv_transpose))
# XLA's own convolutions, sub-pixel transposed ones. On XLA:CPU this is the fastest for the 32x32 CycleGAN and
# StarGAN networks (7x7 convolutions with 3-16 channels, 3x3 stride-2 with padding 1, small maps), whose
# kernel gradients the dense forms split into 49 thin matmuls; XLA's transposed convolution stays far off
# its fast path (benchmarks/README.md, "CycleGAN and StarGAN steps").
CONV_IMPLS.register("mixed")(ConvFunctions(_xla_conv, conv_transpose_subpixel))


class Conv(_ConvBase):
    """2-D convolution interchangeable with `flax.linen.Conv` (NHWC, no dilation or groups).

    Same parameters (`kernel` `[kh, kw, in, features]`, `bias`), initializers
    and outputs as `nn.Conv` with the same arguments. `impl`: "xla"
    (`lax.conv_general_dilated`; also "mixed"), "subpixel" (`conv_space_to_depth`),
    or "auto" (per backend, `AUTO_IMPL`). Fields: see `_ConvBase`.
    """

    @nn.compact
    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Applies the convolution to `[B, H, W, in]` inputs."""
        return self._apply(inputs, transpose=False)


class ConvTranspose(_ConvBase):
    """2-D transposed convolution interchangeable with `flax.linen.ConvTranspose`.

    Same parameters (`kernel` `[kh, kw, in, features]`, `bias`), initializers
    and outputs as `nn.ConvTranspose` with the same arguments and
    `transpose_kernel=False` (NHWC, no dilation). `impl`: "xla"
    (`lax.conv_transpose`), "subpixel" or "mixed" (`conv_transpose_subpixel`), or "auto"
    (per backend, `AUTO_IMPL`). Fields: see `_ConvBase`.
    """

    @nn.compact
    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Applies the transposed convolution to `[B, H, W, in]` inputs."""
        return self._apply(inputs, transpose=True)
