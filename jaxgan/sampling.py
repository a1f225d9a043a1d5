"""Drawing samples from a trained generator (eval mode, no collectives)."""

from __future__ import annotations

import functools
from typing import Any

import flax.linen as nn
import jax
import numpy as np

from jaxgan.state import GANState, sampling_params
from jaxgan.step import apply_model, sample_latents


GRID_COLUMNS = 8


def grid_labels(num: int, num_classes: int) -> np.ndarray | None:
    """Class of each sample in conditional runs: rows of GRID_COLUMNS per class, cycling."""
    return (np.arange(num) // GRID_COLUMNS % num_classes).astype(np.int32) if num_classes else None


@functools.partial(jax.jit, static_argnums=(0, 4, 5))
def _generate(g_model: nn.Module, params: Any, collections: dict, key: jax.Array, num: int, latent_dim: int, labels):
    z = sample_latents(key, num, latent_dim)
    return apply_model(g_model, params, collections, z, train=False, labels=labels)[0]


def sample(
    g_model: nn.Module,
    state: GANState,
    key: jax.Array,
    num: int,
    latent_dim: int,
    chunk: int = 10_000,
    use_ema: bool = True,
    num_classes: int = 0,
) -> np.ndarray:
    """Generates `num` samples as a float32 numpy array.

    Uses the EMA generator when the state keeps one and `use_ema`. Latents for
    chunk i come from `fold_in(key, i)`, so the result depends only on
    (params, key, num, chunk). Conditional runs (`num_classes > 0`) get the
    labels of `grid_labels`: one class per row of a grid of GRID_COLUMNS.
    """
    params = sampling_params(state) if use_ema else state.g_params
    labels = grid_labels(num, num_classes)
    out = []
    for i, start in enumerate(range(0, num, chunk)):
        n = min(chunk, num - start)
        y = None if labels is None else labels[start : start + n]
        out.append(np.asarray(_generate(g_model, params, state.g_state, jax.random.fold_in(key, i), n, latent_dim, y)))
    return np.concatenate(out).astype(np.float32)
