"""Differentiable image augmentations: DiffAugment and bCR's flip + translate.

Images are NHWC in [-1, 1]. Each function draws its randomness per example
from `key`, so augmentations are deterministic given the step key.
DiffAugment (Zhao et al. 2020) applies the same policy to real and fake inputs
of D, and keeps gradients flowing to G.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jaxgan.registry import Registry


def _uniform(key: jax.Array, x: jax.Array) -> jax.Array:
    return jax.random.uniform(key, (x.shape[0], 1, 1, 1), x.dtype)


def brightness(key: jax.Array, x: jax.Array) -> jax.Array:
    return x + (_uniform(key, x) - 0.5)


def saturation(key: jax.Array, x: jax.Array) -> jax.Array:
    mean = jnp.mean(x, axis=3, keepdims=True)
    return (x - mean) * (_uniform(key, x) * 2.0) + mean


def contrast(key: jax.Array, x: jax.Array) -> jax.Array:
    mean = jnp.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (_uniform(key, x) + 0.5) + mean


def translation(key: jax.Array, x: jax.Array, ratio: float = 0.125) -> jax.Array:
    """Shifts each image by up to ratio * size pixels, filling with zeros."""
    n, h, w, _ = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    kh, kw = jax.random.split(key)
    dy = jax.random.randint(kh, (n,), -sh, sh + 1)
    dx = jax.random.randint(kw, (n,), -sw, sw + 1)
    padded = jnp.pad(x, ((0, 0), (sh, sh), (sw, sw), (0, 0)))
    return jax.vmap(lambda img, y, z: jax.lax.dynamic_slice(img, (sh - y, sw - z, 0), (h, w, x.shape[3])))(
        padded, dy, dx
    )


def cutout(key: jax.Array, x: jax.Array, ratio: float = 0.5) -> jax.Array:
    """Zeros a square of ratio * size at a random centre in each image."""
    n, h, w, _ = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    kh, kw = jax.random.split(key)
    cy = jax.random.randint(kh, (n, 1, 1), 0, h + (1 - ch % 2))
    cx = jax.random.randint(kw, (n, 1, 1), 0, w + (1 - cw % 2))
    ys, xs = jnp.arange(h)[None, :, None], jnp.arange(w)[None, None, :]
    top, left = cy - ch // 2, cx - cw // 2  # the hole may be clipped at the border
    inside = (ys >= top) & (ys < top + ch) & (xs >= left) & (xs < left + cw)
    return x * (~inside)[..., None].astype(x.dtype)


# Policy name -> the augmentations it applies, in order.
POLICIES = Registry("DiffAugment policy")
POLICIES.register("color")((brightness, saturation, contrast))
POLICIES.register("translation")((translation,))
POLICIES.register("cutout")((cutout,))


def parse_policy(policy: str) -> list[str]:
    """Splits "color,translation" into names; raises on the first unknown one, listing the valid ones."""
    names = [p.strip() for p in policy.split(",") if p.strip()]
    for name in names:
        try:
            POLICIES.get(name)
        except ValueError as e:
            raise ValueError(f"{e} Policies are comma-separated, e.g. 'color,translation'.") from None
    return names


def diff_augment(key: jax.Array, x: jax.Array, policy: str) -> jax.Array:
    """Applies the DiffAugment `policy` (e.g. "color,translation,cutout") to images `x`."""
    fns = [fn for name in parse_policy(policy) for fn in POLICIES.get(name)]
    if fns and x.ndim != 4:
        raise ValueError(f"DiffAugment needs images [N, H, W, C]; got shape {x.shape}. Set augment.policy=''.")
    for i, fn in enumerate(fns):
        x = fn(jax.random.fold_in(key, i), x)
    return x


def flip_and_translate(key: jax.Array, x: jax.Array) -> jax.Array:
    """bCR's simple augmentation: random horizontal flip and translation by up to 1/8."""
    if x.ndim != 4:
        raise ValueError(f"bCR needs images [N, H, W, C]; got shape {x.shape}.")
    k_flip, k_shift = jax.random.split(key)
    flip = jax.random.bernoulli(k_flip, 0.5, (x.shape[0], 1, 1, 1))
    return translation(k_shift, jnp.where(flip, x[:, :, ::-1, :], x))
