"""The train state: one immutable pytree holding everything a step changes, for any set of networks.

Networks are keyed by *role* (`generator`, `encoder`, `discriminator`, ...),
optimizers by *group* (the roles one optimizer updates together, `d`, `g`);
see `jaxgan.families.base`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import struct

from jaxgan.models.apply import split_variables

# Fixed sub-streams of the run's base key, so that adding a new consumer of
# randomness never shifts the draws of an existing one.
INIT_STREAM = 0
EVAL_STREAM = 1
STANDING_STREAM = 2  # latents of the standing statistics (jaxgan.standing_stats)
# `GANState.extra` key of the EMAs kept at `config.ema.extra_decays` (decay key -> role -> params).
EXTRA_EMA = "ema_extra"
# `GANState.extra` key of collections the EMA networks use instead of `collections` (standing BatchNorm
# statistics, `jaxgan.standing_stats`); set on states being evaluated, never in training.
EMA_COLLECTIONS = "ema_collections"
# The checkpoint layout this code writes (1: before the family seam, g_*/d_* fields).
FORMAT_VERSION = 2


@struct.dataclass
class GANState:
    """Everything needed to continue training exactly.

    Attributes:
      step: number of completed train steps.
      params: role -> network parameters.
      collections: role -> the network's mutable collections (e.g.
        batch_stats) as a plain dict; empty when it has none.
      opt_state: group -> its Optax state.
      ema: role -> exponential moving average of its params, for the
        family's `ema_roles` when `config.ema.decay > 0`; else empty.
      extra: other state by name: `penalties` (group -> penalty -> state,
        e.g. LeCam's anchors), `ema_extra` (the EMAs at
        `config.ema.extra_decays`: `extra_ema_key(decay)` -> role -> params)
        and whatever the family keeps (`init_extra`).
      rng: the run's base PRNG key (typed). Steps derive their keys with
        `fold_in(rng, step)`, so the key never needs to advance.
      txs: (group, Optax transformation) pairs (static, not saved).
    """

    step: jax.Array
    params: dict[str, Any]
    collections: dict[str, dict]
    opt_state: dict[str, Any]
    ema: dict[str, Any]
    extra: dict[str, Any]
    rng: jax.Array
    txs: tuple[tuple[str, optax.GradientTransformation], ...] = struct.field(pytree_node=False)

    def tx(self, group: str) -> optax.GradientTransformation:
        return dict(self.txs)[group]

    def group_params(self, roles: tuple[str, ...]) -> dict[str, Any]:
        return {role: self.params[role] for role in roles}


def create_state(
    nets: Mapping[str, Any],
    init_inputs: Mapping[str, tuple[tuple, dict]],
    groups: Mapping[str, tuple[str, ...]],
    txs: Mapping[str, optax.GradientTransformation],
    *,
    rng: jax.Array,
    ema_roles: tuple[str, ...],
    extra: dict[str, Any],
    extra_ema_decays: tuple[float, ...] = (),
) -> GANState:
    """Initializes every role (one key each, split in the order of `nets`) and every group's optimizer.

    Each EMA (the main one, and one per `extra_ema_decays`) starts as a copy of its role's params.
    """
    keys = jax.random.split(jax.random.fold_in(rng, INIT_STREAM), len(nets))
    params, collections = {}, {}
    for key, (role, net) in zip(keys, nets.items()):
        args, kwargs = init_inputs[role]
        params[role], collections[role] = split_variables(net.init(key, *args, **kwargs))
    opt_state = {group: txs[group].init({r: params[r] for r in roles}) for group, roles in groups.items()}
    ema = {role: jax.tree.map(jnp.copy, params[role]) for role in ema_roles}
    if extra_ema_decays:
        extra = {**extra, EXTRA_EMA: {extra_ema_key(d): jax.tree.map(jnp.copy, ema) for d in extra_ema_decays}}
    return GANState(
        step=jnp.zeros((), jnp.int32),
        params=params,
        collections=collections,
        opt_state=opt_state,
        ema=ema,
        extra=extra,
        rng=rng,
        txs=tuple(txs.items()),
    )


def extra_ema_key(decay: float) -> str:
    """The key of the EMA at `decay` in `extra["ema_extra"]` ("0_9995": no dot, which Orbax reads as a path)."""
    return repr(float(decay)).replace(".", "_")


def fingerprint(state: GANState) -> str:
    """A short hash of this process's copy of the replicated state (params, collections, EMA, optimizer states, extra).

    Logged by every process at the end of a run: equal fingerprints show
    that all processes of a multi-process run hold the same state.
    """
    digest = hashlib.sha256()
    tree = (state.step, state.params, state.collections, state.ema, state.opt_state, state.extra)
    for leaf in jax.tree.leaves(tree):
        local = leaf.addressable_data(0) if isinstance(leaf, jax.Array) else leaf
        digest.update(np.asarray(local).tobytes())
    return digest.hexdigest()[:16]
