"""Generating from a trained generator (eval mode, no collectives), and which parameters predictions use."""

from __future__ import annotations

import functools
from typing import Any, Mapping

import flax.linen as nn
from absl import logging
import jax
import numpy as np

from jaxgan.errors import NotKeptError
from jaxgan.families.common import sample_latents
from jaxgan.models.apply import apply_model
from jax.sharding import Mesh

from jaxgan.parallel import process_mesh, sharded_map
from jaxgan.state import EMA_COLLECTIONS, EXTRA_EMA, extra_ema_key

GRID_COLUMNS = 8
# Latents per chunk: chunk i's latents come from fold_in(key, i).
CHUNK = 10_000


def grid_labels(num: int, num_classes: int) -> np.ndarray | None:
    """Class of each sample in conditional runs: rows of GRID_COLUMNS per class, cycling."""
    return (np.arange(num) // GRID_COLUMNS % num_classes).astype(np.int32) if num_classes else None


@functools.partial(jax.jit, static_argnums=(1, 2))
def latents(key: jax.Array, num: int, latent_dim: int) -> jax.Array:
    """`num` latents of the training prior from `key`."""
    return sample_latents(key, num, latent_dim)


@functools.lru_cache(maxsize=64)
def _apply_fn(model: nn.Module):
    """One function object per model, so `sharded_map` compiles it once per model and mesh."""

    def fn(variables, rows):
        params, collections = variables
        return apply_model(model, params, collections, rows["z"], False, labels=rows.get("labels"))[0]

    return fn


@functools.lru_cache(maxsize=1)
def prediction_mesh() -> Mesh:
    """Where predictions run unless told otherwise: one device per process (`parallel.process_mesh`).

    Every process must make the same prediction calls: in multi-process runs
    each computes its share of the rows and all receive the whole result.
    """
    mesh = process_mesh()
    if jax.process_count() > 1:
        logging.info("Predictions run on %s: process %d computes rows %d/%d of every batch.", mesh.devices.tolist(),
                     jax.process_index(), jax.process_index() + 1, jax.process_count())
    return mesh


def generate(model: nn.Module, params: Any, collections: dict, key: jax.Array, num: int, latent_dim: int,
             num_classes: int = 0, mesh: Mesh | None = None, temperature: float = 1.0) -> np.ndarray:
    """`num` samples of `model(z)` as float32 numpy, z ~ N(0, temperature^2 I) from `key`.

    `temperature` < 1 trades variety for fidelity (the truncation trick's
    simpler cousin); 1 is the training prior.

    Latents for chunk i (of CHUNK) come from `fold_in(key, i)`, so the result
    depends only on (params, key, num). Conditional generators
    (`num_classes > 0`) get the classes of `grid_labels`: one class per grid row.
    By default (`prediction_mesh`) one device per process generates: a single
    device in one-process runs, since splitting rows over devices changes
    XLA's float summation order (2e-7 on 2-D MLPs) and eval samples should
    not depend on how many devices a run had; in multi-process runs each
    process generates an even share of every chunk and all get every sample.
    Pass a `mesh` to spread large sample sets over devices instead.
    """
    mesh = prediction_mesh() if mesh is None else mesh
    labels = grid_labels(num, num_classes)
    out = []
    for i, start in enumerate(range(0, num, CHUNK)):
        n = min(CHUNK, num - start)
        rows = {"z": latents(jax.random.fold_in(key, i), n, latent_dim)}
        if temperature != 1.0:
            rows["z"] = rows["z"] * temperature
        if labels is not None:
            rows["labels"] = labels[start : start + n]
        out.append(sharded_map(_apply_fn(model), (params, collections), rows, batch_size=n, mesh=mesh))
    return np.concatenate(out).astype(np.float32)


def prediction_params(state: Any, use_ema: bool = True) -> dict[str, Any]:
    """Every role's params for predictions: the EMA of the roles that keep one, when `use_ema`."""
    return {**state.params, **state.ema} if use_ema else dict(state.params)


def with_ema_decay(state: Any, ema_config: Any, decay: float | None) -> Any:
    """`state` whose EMA is the one kept at `decay` (`config.ema.decay` or one of `config.ema.extra_decays`).

    None or the main decay: `state` as it is. The other decays' EMAs live in
    `state.extra["ema_extra"]`; scoring each (`jaxgan.evaluate --ema_decay`)
    sweeps the decay over one training.
    """
    if decay is None or decay == ema_config.decay:
        return state
    kept = state.extra.get(EXTRA_EMA, {})
    if extra_ema_key(decay) not in kept:
        raise NotKeptError.ema(decay, ema_config.decay, ema_config.extra_decays)
    return state.replace(ema=kept[extra_ema_key(decay)])


def prediction_collections(state: Any, use_ema: bool = True) -> dict[str, Any]:
    """Every role's collections for predictions: the EMA networks' own (standing statistics,
    `jaxgan.standing_stats`) where the state carries them and `use_ema`, else the training ones."""
    own = state.extra.get(EMA_COLLECTIONS, {}) if use_ema and state.ema else {}
    return {**state.collections, **own}


def uses_ema(state: Any) -> bool:
    return bool(state.ema)


def predictions(family: Any, state: Any, use_ema: bool = True) -> Mapping[str, Any]:
    """The family's prediction functions over the state's networks (EMA ones when kept and `use_ema`), as they
    are at the state's step (`Family.predictions_at`: a phased family's current phase)."""
    return family.predictions_at(prediction_params(state, use_ema), prediction_collections(state, use_ema),
                                 int(state.step))
