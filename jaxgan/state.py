"""The GAN train state: one immutable pytree holding everything a step changes."""

from __future__ import annotations

from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax
from flax import struct

# Fixed sub-streams of the run's base key, so that adding a new consumer of
# randomness never shifts the draws of an existing one.
INIT_STREAM = 0
EVAL_STREAM = 1


@struct.dataclass
class GANState:
    """Everything needed to continue training exactly.

    Attributes:
      step: number of completed train steps (G updates).
      g_params, d_params: network parameters.
      g_state, d_state: each network's mutable collections (e.g. batch_stats),
        as plain dicts; empty when the network has none.
      g_opt_state, d_opt_state: Optax states.
      g_ema_params: exponential moving average of `g_params`, or None.
      penalty_state: per-penalty state (e.g. LeCam's anchors), by name.
      rng: the run's base PRNG key (typed). Steps derive their keys with
        `fold_in(rng, step)`, so the key never needs to advance.
      g_tx, d_tx: the Optax transformations (static, not saved).
    """

    step: jax.Array
    g_params: Any
    d_params: Any
    g_state: Any
    d_state: Any
    g_opt_state: Any
    d_opt_state: Any
    g_ema_params: Any
    penalty_state: Any
    rng: jax.Array
    g_tx: optax.GradientTransformation = struct.field(pytree_node=False)
    d_tx: optax.GradientTransformation = struct.field(pytree_node=False)


def _split_variables(variables: Any) -> tuple[Any, dict]:
    variables = flax.core.unfreeze(variables)
    params = variables.pop("params")
    return params, variables


def create_state(
    g_model: nn.Module,
    d_model: nn.Module,
    g_tx: optax.GradientTransformation,
    d_tx: optax.GradientTransformation,
    *,
    rng: jax.Array,
    latent_dim: int,
    data_shape: tuple[int, ...],
    use_ema: bool,
    penalty_state: dict | None = None,
) -> GANState:
    """Initializes both networks and both optimizers from the base key `rng`."""
    g_key, d_key = jax.random.split(jax.random.fold_in(rng, INIT_STREAM))
    z = jnp.zeros((1, latent_dim), jnp.float32)
    x = jnp.zeros((1, *data_shape), jnp.float32)
    labels = {"labels": jnp.zeros((1,), jnp.int32)} if getattr(g_model, "num_classes", 0) else {}
    g_params, g_state = _split_variables(g_model.init(g_key, z, train=False, **labels))
    d_params, d_state = _split_variables(d_model.init(d_key, x, train=False, **labels))
    return GANState(
        step=jnp.zeros((), jnp.int32),
        g_params=g_params,
        d_params=d_params,
        g_state=g_state,
        d_state=d_state,
        g_opt_state=g_tx.init(g_params),
        d_opt_state=d_tx.init(d_params),
        g_ema_params=jax.tree.map(jnp.copy, g_params) if use_ema else None,
        penalty_state=penalty_state or {},
        rng=rng,
        g_tx=g_tx,
        d_tx=d_tx,
    )


def sampling_params(state: GANState) -> Any:
    """G's parameters to sample and evaluate with: the EMA when kept."""
    return state.g_params if state.g_ema_params is None else state.g_ema_params
