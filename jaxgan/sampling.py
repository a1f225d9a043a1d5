"""Drawing samples from a trained generator (eval mode, no collectives)."""

from __future__ import annotations

import functools
from typing import Any

import flax.linen as nn
import jax
import numpy as np

from jaxgan.state import GANState, sampling_params
from jaxgan.step import apply_model, sample_latents


@functools.partial(jax.jit, static_argnums=(0, 4, 5))
def _generate(g_model: nn.Module, params: Any, collections: dict, key: jax.Array, num: int, latent_dim: int):
    z = sample_latents(key, num, latent_dim)
    return apply_model(g_model, params, collections, z, train=False)[0]


def sample(
    g_model: nn.Module,
    state: GANState,
    key: jax.Array,
    num: int,
    latent_dim: int,
    chunk: int = 10_000,
    use_ema: bool = True,
) -> np.ndarray:
    """Generates `num` samples as a float32 numpy array.

    Uses the EMA generator when the state keeps one and `use_ema`. Latents for
    chunk i come from `fold_in(key, i)`, so the result depends only on
    (params, key, num, chunk).
    """
    params = sampling_params(state) if use_ema else state.g_params
    out = []
    for i, start in enumerate(range(0, num, chunk)):
        n = min(chunk, num - start)
        out.append(np.asarray(_generate(g_model, params, state.g_state, jax.random.fold_in(key, i), n, latent_dim)))
    return np.concatenate(out).astype(np.float32)
