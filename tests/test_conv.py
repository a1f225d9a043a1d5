"""The dense forms of strided and transposed convolutions equal XLA's and Flax's."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from jaxgan.models import conv
from jaxgan.models.dense_conv import conv_stride1

DN = ("NHWC", "HWIO", "NHWC")
# In float64 the rewrites differ from XLA's convolutions only by summation order.
F64_RTOL = 1e-12


def _random(rng, shape, dtype=np.float64):
    return jnp.asarray(rng.standard_normal(shape), dtype)


def _value_and_grads(f, x, w, ct):
    y, vjp = jax.vjp(f, x, w)
    return y, *vjp(ct)


def _assert_same_function(f, g, x, w, rtol):
    """f and g agree on (x, w): outputs, and gradients w.r.t. both for a random cotangent."""
    y_shape = jax.eval_shape(g, x, w)
    assert jax.eval_shape(f, x, w).shape == y_shape.shape
    ct = _random(np.random.default_rng(1), y_shape.shape, y_shape.dtype)
    ours = jax.jit(_value_and_grads, static_argnums=0)(f, x, w, ct)
    reference = jax.jit(_value_and_grads, static_argnums=0)(g, x, w, ct)
    for name, a, b in zip(("output", "d/dx", "d/dw"), ours, reference):
        for a_leaf, b_leaf in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
            scale = float(jnp.max(jnp.abs(b_leaf)))
            np.testing.assert_allclose(a_leaf, b_leaf, rtol=0, atol=rtol * scale, err_msg=name)


# (input H, W), kernel, strides, padding: every case the networks use, and odd ones.
TRANSPOSE_CASES = [
    ((4, 4), (4, 4), (2, 2), "SAME"),  # dcgan32
    ((7, 7), (5, 5), (1, 1), "SAME"),  # dcgan28
    ((7, 7), (5, 5), (2, 2), "SAME"),
    ((8, 8), (3, 3), (1, 1), "VALID"),
    ((5, 5), (4, 4), (2, 2), "VALID"),
    ((5, 6), (5, 3), (3, 2), "VALID"),
    ((5, 5), (1, 1), (2, 2), "SAME"),  # phases without taps
    ((5, 5), (4, 4), (2, 2), ((-1, 2), (3, 0))),
]


@pytest.mark.parametrize("size,kernel,strides,padding", TRANSPOSE_CASES)
def test_subpixel_conv_transpose_equals_lax(size, kernel, strides, padding):
    rng = np.random.default_rng(0)
    with jax.enable_x64(True):
        x = _random(rng, (2, *size, 3))
        w = _random(rng, (*kernel, 3, 4))
        _assert_same_function(
            lambda x, w: conv.conv_transpose_subpixel(x, w, strides, padding),
            lambda x, w: lax.conv_transpose(x, w, strides, padding),
            x, w, F64_RTOL,
        )


CONV_CASES = [
    ((8, 8), (4, 4), (2, 2), ((1, 1), (1, 1))),  # dcgan32 D
    ((14, 14), (5, 5), (2, 2), "SAME"),  # dcgan28 D
    ((7, 9), (5, 3), (2, 3), "SAME"),
    ((9, 8), (1, 1), (2, 2), "VALID"),
    ((9, 9), (3, 3), (2, 2), ((2, -1), (0, 1))),
]


@pytest.mark.parametrize("size,kernel,strides,padding", CONV_CASES)
def test_space_to_depth_conv_equals_lax(size, kernel, strides, padding):
    rng = np.random.default_rng(0)
    with jax.enable_x64(True):
        x = _random(rng, (2, *size, 3))
        w = _random(rng, (*kernel, 3, 4))
        _assert_same_function(
            lambda x, w: conv.conv_space_to_depth(x, w, strides, padding),
            lambda x, w: lax.conv_general_dilated(x, w, strides, padding, dimension_numbers=DN),
            x, w, F64_RTOL,
        )


# Channel counts that reach every form of `dense_conv`: XLA's convolution or
# "taps" for the output and input gradient; the three kernel-gradient matmuls.
@pytest.mark.parametrize(
    "kernel,c_in,c_out,padding",
    [
        ((3, 3), 2, 16, ((1, 1), (1, 1))),  # conv forward, taps d/dx, concatenated-x d/dw
        ((3, 3), 16, 1, ((1, 1), (1, 1))),  # taps forward, concatenated-g d/dw
        ((2, 2), 6, 5, ((1, 0), (-1, 2))),  # per-tap d/dw, negative padding
        ((1, 1), 4, 4, ((0, 0), (0, 0))),
    ],
)
def test_conv_stride1_equals_lax(kernel, c_in, c_out, padding):
    rng = np.random.default_rng(0)
    with jax.enable_x64(True):
        x = _random(rng, (2, 6, 7, c_in))
        w = _random(rng, (*kernel, c_in, c_out))
        _assert_same_function(
            lambda x, w: conv_stride1(x, w, padding),
            lambda x, w: lax.conv_general_dilated(x, w, (1, 1), padding, dimension_numbers=DN),
            x, w, F64_RTOL,
        )


def test_second_order_gradients_match():
    """Gradient penalties (R1, WGAN-GP) differentiate a gradient: that works too."""
    rng = np.random.default_rng(0)
    with jax.enable_x64(True):
        x = _random(rng, (2, 8, 8, 3))
        w = _random(rng, (4, 4, 3, 5))

        def penalty(fn):
            return lambda w: jnp.sum(jax.grad(lambda x: jnp.sum(jnp.tanh(fn(x, w))))(x) ** 2)

        ours = jax.jit(jax.grad(penalty(lambda x, w: conv.conv_space_to_depth(x, w, (2, 2), "SAME"))))(w)
        ref = jax.jit(jax.grad(penalty(lambda x, w: lax.conv_general_dilated(x, w, (2, 2), "SAME", dimension_numbers=DN))))(w)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=F64_RTOL * float(jnp.max(jnp.abs(ref))))


@pytest.mark.parametrize(
    "ours,flax_cls,strides,padding,impl",
    [
        (conv.ConvTranspose, nn.ConvTranspose, (2, 2), "SAME", "subpixel"),
        (conv.ConvTranspose, nn.ConvTranspose, (2, 2), "SAME", "xla"),
        (conv.Conv, nn.Conv, (2, 2), 1, "subpixel"),
        (conv.Conv, nn.Conv, 1, "VALID", "xla"),
        (conv.ConvTranspose, nn.ConvTranspose, (2, 2), "SAME", "mixed"),  # sub-pixel
        (conv.Conv, nn.Conv, (2, 2), 1, "mixed"),  # XLA's
    ],
)
def test_modules_are_interchangeable_with_flax(ours, flax_cls, strides, padding, impl):
    """Same parameter tree, same outputs and gradients for the same parameters (float32)."""
    rng = np.random.default_rng(0)
    x = _random(rng, (2, 6, 6, 3), np.float32)
    module = ours(4, (4, 4), strides, padding, impl=impl)
    reference = flax_cls(4, (4, 4), strides, padding)
    shapes = jax.eval_shape(reference.init, jax.random.key(0), x)
    assert jax.eval_shape(module.init, jax.random.key(0), x) == shapes
    params = jax.tree.map(lambda s: _random(rng, s.shape, s.dtype), shapes)
    _assert_same_function(
        lambda x, p: module.apply(p, x), lambda x, p: reference.apply(p, x), x, params, rtol=1e-5
    )


def test_initial_parameters_equal_flax():
    x = jnp.zeros((1, 3, 3, 2))
    ours = conv.ConvTranspose(3, (4, 4), 2).init(jax.random.key(0), x)
    np.testing.assert_array_equal(ours["params"]["kernel"], nn.ConvTranspose(3, (4, 4), 2).init(jax.random.key(0), x)["params"]["kernel"])


def test_auto_is_subpixel_on_cpu_and_names_are_checked():
    assert conv.resolve_impl("auto", "cpu") == "subpixel"
    assert conv.resolve_impl("auto", "gpu") == "xla"
    assert conv.resolve_impl("xla", "cpu") == "xla"
    assert conv.resolve_impl("mixed", "gpu") == "mixed"
    assert conv.CONV_IMPLS.get("mixed") == conv.ConvFunctions(conv._xla_conv, conv.conv_transpose_subpixel)
    with pytest.raises(ValueError, match="subpixel"):
        conv.resolve_impl("fast")


def test_circular_padding_is_refused():
    with pytest.raises(ValueError, match="CIRCULAR"):
        conv.ConvTranspose(2, (3, 3), 2, "CIRCULAR").init(jax.random.key(0), jnp.zeros((1, 4, 4, 1)))
