"""Standing statistics: BatchNorm statistics recomputed for the EMA generator's own weights.

A generator with BatchNorm samples in eval mode with the running means and
variances its layers gathered in training. Those belong to the live weights
(an average over their last ~1/(1 - momentum) batches), not to the EMA of the
weights, whose activations differ, and the more so the longer the EMA's
horizon (`ema.decay` 0.9999 averages 10x more steps than momentum 0.999
gathers). BigGAN's "standing statistics" (Brock et al. 2019; BigGAN-PyTorch's
`accumulate_standing_stats`, 16 batches) and SWA's `bn_update` recompute them
after training: run the averaged G in train mode on fresh latents and average
each layer's per-batch mean and variance. That is what this module does,
without touching the checkpoint: the result goes to
`state.extra["ema_collections"]`, which `jaxgan.sampling.predictions` uses for
the EMA networks only (the live networks keep their own statistics).

Configured by `config.eval.standing_stats` (the number of batches; 0 = off)
and `python -m jaxgan.evaluate --standing_stats N`. Each batch is
`config.batch_size` latents (the batches BatchNorm normalised over in
training), drawn from a fixed stream of the run's seed, so the result is a
pure function of (EMA params, seed, N).
"""

from __future__ import annotations

import functools
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from jaxgan import sampling
from jaxgan.config import ConfigError
from jaxgan.models.apply import apply_model
from jaxgan.parallel import sharded_map
from jaxgan.state import EMA_COLLECTIONS, STANDING_STREAM

ROLE = "generator"


class StandingStatsError(ConfigError):
    """Standing statistics asked of a run whose EMA generator has none to recompute."""


def _batch_statistics(next_fun, args, kwargs, context):
    """Interceptor: BatchNorm in train mode stores this batch's mean and variance, not a running average.

    `momentum` 0 makes Flax's update `0 * old + 1 * batch` exactly; the module
    objects are rebuilt on every `apply`, so the change stays inside this call.
    """
    if isinstance(context.module, nn.BatchNorm) and context.method_name == "__call__":
        object.__setattr__(context.module, "momentum", 0.0)
    return next_fun(*args, **kwargs)


@functools.lru_cache(maxsize=16)
def _stats_fn(model: nn.Module):
    """(variables, rows) -> every BatchNorm layer's statistics of the batch, repeated per row (`sharded_map`
    returns row-wise outputs; all rows hold the same values, pooled over the devices by BatchNorm's pmean)."""

    def fn(variables, rows):
        params, collections = variables
        with nn.intercept_methods(_batch_statistics):
            _, new = apply_model(model, params, collections, rows["z"], True, labels=rows.get("labels"))
        n = rows["z"].shape[0]
        return jax.tree.map(lambda s: jnp.broadcast_to(s, (n, *s.shape)), new["batch_stats"])

    return fn


def standing_batch_stats(model: nn.Module, params: Any, collections: dict, key: jax.Array, num_batches: int,
                         batch_size: int, latent_dim: int, num_classes: int = 0, mesh: Any = None) -> dict:
    """The mean over `num_batches` batches of latents (batch `i` from `fold_in(key, i)`) of each BatchNorm
    layer's batch mean and variance, with `model` in train mode: a `batch_stats` collection.

    Conditional generators get every class in turn (row r has class r mod `num_classes`).
    """
    mesh = sampling.prediction_mesh() if mesh is None else mesh
    total = None
    for i in range(num_batches):
        rows = {"z": sampling.latents(jax.random.fold_in(key, i), batch_size, latent_dim)}
        if num_classes:
            rows["labels"] = (np.arange(batch_size) % num_classes).astype(np.int32)
        stats = jax.tree.map(lambda x: np.asarray(x[0], np.float64),
                             sharded_map(_stats_fn(model), (params, collections), rows, batch_size, mesh))
        total = stats if total is None else jax.tree.map(np.add, total, stats)
    return jax.tree.map(lambda t: (t / num_batches).astype(np.float32), total)


def standing_key(seed: int) -> jax.Array:
    """The latents' key: a stream of the run's seed of its own (not the eval latents')."""
    return jax.random.fold_in(jax.random.key(seed), STANDING_STREAM)


def check(family: Any, state: Any) -> None:
    """StandingStatsError unless `state` has an EMA generator of latents with BatchNorm statistics (training
    calls it on the fresh state, so a config that asks for standing statistics fails before it trains)."""
    name = type(family).__name__
    if ROLE not in state.ema:
        raise StandingStatsError(f"config.eval.standing_stats recomputes the EMA generator's BatchNorm statistics; "
                                 f"this run ({name}) keeps no EMA of a generator. Leave it at 0.")
    if not getattr(family, "latent_dim", 0):
        raise StandingStatsError(f"config.eval.standing_stats needs a generator driven by latents; {name}'s "
                                 "is not. Leave it at 0.")
    if "batch_stats" not in state.collections.get(ROLE, {}):
        raise StandingStatsError(f"config.eval.standing_stats: {name}'s generator has no BatchNorm statistics to "
                                 "recompute. Leave it at 0.")


def for_run(exp: Any, state: Any, num_batches: int | None = None) -> tuple[Any, int]:
    """`with_standing_stats` for the run `exp` (its family, `batch_size` and seed): `num_batches` of them, or the
    run's `config.eval.standing_stats` when None. Returns the state and the number used."""
    c = exp.config
    num = c.eval.get("standing_stats", 0) if num_batches is None else num_batches
    return with_standing_stats(exp.family, state, num, c.batch_size, c.seed), num


def with_standing_stats(family: Any, state: Any, num_batches: int, batch_size: int, seed: int) -> Any:
    """`state` whose EMA generator samples with standing statistics (see the module docstring).

    `num_batches` 0: `state` unchanged. Raises `StandingStatsError` when the
    run keeps no EMA generator, or its generator is not driven by latents or
    has no BatchNorm statistics.
    """
    if num_batches <= 0:
        return state
    check(family, state)
    collections = state.collections[ROLE]
    stats = standing_batch_stats(family.nets[ROLE], state.ema[ROLE], collections, standing_key(seed), num_batches,
                                 batch_size, family.latent_dim, getattr(family, "num_classes", 0))
    kept = dict(state.extra.get(EMA_COLLECTIONS, {}))
    kept[ROLE] = {**collections, "batch_stats": stats}
    return state.replace(extra={**state.extra, EMA_COLLECTIONS: kept})
