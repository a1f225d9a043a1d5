"""The generic train step: `(state, batch, rng) -> (state, metrics)`, per device, for any family.

For each `Update` of the family's schedule (`jaxgan.families.base`):
`value_and_grad` of the family's loss for that group over the group's params,
plus the group's configured penalties on the critic the loss exposes; then
`lax.pmean` of the gradients over `DATA_AXIS` and the group's optimizer.
Repeated updates (n_critic) run as one unrolled `lax.scan` inside the one
compiled step. Then the EMA of the family's `ema_roles`, and metrics averaged
over devices. It runs unchanged under `jax.shard_map` (`parallel.shard_step`)
and under `jax.pmap` (`parallel.pmap_step`).

Randomness: the step key is `fold_in(rng, state.step)`; schedule entry u
gets `fold_in(step_key, u)` (split k ways for a loop of k updates), and the
family splits that by purpose.

A batch is a dict of arrays `[batches_per_step, local_batch, ...]`; update
entries that read a new batch take the next index, the others the last one.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Mapping

import jax
import jax.numpy as jnp
import ml_collections
import optax
from jax import lax

from jaxgan import penalties
from jaxgan.families.base import Family, LossContext, Update
from jaxgan.parallel import DATA_AXIS
from jaxgan.state import EXTRA_EMA, GANState, extra_ema_key

Metrics = dict[str, jax.Array]


def step_key(rng: jax.Array, step: jax.Array) -> jax.Array:
    """The key of train step `step`."""
    return jax.random.fold_in(rng, step)


def update_keys(key: jax.Array, index: int, update: Update) -> jax.Array:
    """The key of schedule entry `index` (split `repeats` ways for a loop)."""
    key = jax.random.fold_in(key, index)
    return key if update.repeats is None else jax.random.split(key, update.repeats)


def ema_decay_at(step: jax.Array, decay: float, warmup: bool) -> jax.Array:
    """EMA decay at `step`; with warm-up, min(decay, (1 + step) / (10 + step))."""
    if not warmup:
        return jnp.asarray(decay, jnp.float32)
    t = step.astype(jnp.float32)
    return jnp.minimum(decay, (1.0 + t) / (10.0 + t))


def make_train_step(family: Family, config: ml_collections.ConfigDict, phase: Hashable = None
                    ) -> Callable[[GANState, dict, jax.Array], tuple[GANState, Metrics]]:
    """Builds the per-device train step of `family` under `config` (uses `penalties` and `ema`) for `phase`.

    `phase` is the family's `phase(step)` for the steps this function will
    run (None for families without phases); the losses see it, static.

    Returns:
      `train_step(state, batch, rng) -> (state, metrics)`, where `batch` holds
      this device's `[family.batches_per_step(), local_batch, ...]` rows and
      `rng` is the run's base key. Metrics are global means.
    """
    schedule, groups = tuple(family.schedule_at(phase)), family.groups()
    penalty_configs = penalties.by_group(config.penalties.to_dict(), family.critic_group)
    ema = config.ema

    def one_update(state: GANState, group: str, batch: Mapping[str, jax.Array], key: jax.Array,
                   update_index: jax.Array) -> tuple[GANState, Metrics]:
        roles, configured = groups[group], penalty_configs.get(group, {})
        trainable = state.group_params(roles)

        def objective(group_params):
            ctx = LossContext({**state.params, **group_params}, state.collections, state.extra, update_index,
                              state.step, phase)
            out = family.loss(group, ctx, batch, key)
            total, values, penalty_state = out.loss, {}, {}
            for i, (name, options) in enumerate(configured.items()):
                critic = out.critic._replace(key=jax.random.fold_in(out.critic.key, i))
                term, values[name], penalty_state[name] = penalties.apply_penalty(
                    name, options, critic, state.extra["penalties"][group][name], update_index)
                total = total + term
            return total, (out, values, penalty_state)

        (total, (out, values, penalty_state)), grads = jax.value_and_grad(objective, has_aux=True)(trainable)
        grads = lax.pmean(grads, DATA_AXIS)
        updates, opt_state = state.tx(group).update(grads, state.opt_state[group], trainable)
        # Family state is averaged over devices to stay replicated, except what the family computes
        # identically on every device (e.g. an image pool updated from the global batch).
        extra = {**state.extra, **{k: v if k in family.replicated_extra else lax.pmean(v, DATA_AXIS)
                                   for k, v in out.extra.items()}}
        if configured:  # stateful penalties see this device's batch; averaging keeps them replicated
            extra["penalties"] = {**extra["penalties"], group: lax.pmean(penalty_state, DATA_AXIS)}
        state = state.replace(
            params={**state.params, **optax.apply_updates(trainable, updates)},
            collections={**state.collections, **out.collections},
            opt_state={**state.opt_state, group: opt_state},
            extra=extra,
        )
        return state, {
            **out.metrics,
            f"{group}_total_loss": total,
            f"{group}_grad_norm": optax.global_norm(grads),
            f"{group}_update_norm": optax.global_norm(updates),
            **{f"penalty_{name}": value for name, value in values.items()},
        }

    def averaged(averages: dict[str, Any], params: dict[str, Any], decay: float, step: jax.Array) -> dict[str, Any]:
        d = ema_decay_at(step, decay, ema.warmup)
        return {role: jax.tree.map(lambda e, p: d * e + (1.0 - d) * p, averages[role], params[role])
                for role in averages}

    def update_ema(state: GANState) -> GANState:
        if not state.ema:
            return state
        extra = state.extra
        if ema.extra_decays:
            kept = extra[EXTRA_EMA]
            extra = {**extra, EXTRA_EMA: {extra_ema_key(d): averaged(kept[extra_ema_key(d)], state.params, d, state.step)
                                          for d in ema.extra_decays}}
        return state.replace(ema=averaged(state.ema, state.params, ema.decay, state.step), extra=extra)

    def run_entry(state: GANState, update: Update, rows: dict, keys: jax.Array, first_index: jax.Array
                  ) -> tuple[GANState, Metrics]:
        """One schedule entry: a single update, or a loop of `repeats` (one row of `rows` each when new_batch)."""
        if update.repeats is None:
            return one_update(state, update.group, {k: v[0] for k, v in rows.items()}, keys, first_index)
        shared = {} if update.new_batch else {k: v[0] for k, v in rows.items()}

        def body(s, xs):
            own, key, index = xs
            return one_update(s, update.group, own or shared, key, index)

        xs = (rows if update.new_batch else {}, keys, first_index + jnp.arange(update.repeats))
        # Unrolled: XLA:CPU runs convolution weight gradients inside a rolled
        # loop on a slow path (dcgan32: 0.45 -> 0.55 steps/s unrolled).
        state, metrics = lax.scan(body, state, xs, unroll=True)
        return state, {name: jnp.mean(v) for name, v in metrics.items()}

    def train_step(state: GANState, batch: dict, rng: jax.Array) -> tuple[GANState, Metrics]:
        key, metrics, next_batch = step_key(rng, state.step), {}, 0
        done = {group: 0 for group in groups}  # updates of each group so far in this step
        for index, update in enumerate(schedule):
            n = update.count
            if update.new_batch:
                rows, next_batch = {k: v[next_batch : next_batch + n] for k, v in batch.items()}, next_batch + n
            else:  # the last batch read (the first one if none was read yet)
                last = max(next_batch - 1, 0)
                rows = {k: v[last : last + 1] for k, v in batch.items()}
            first_index = state.step * family.updates_per_step(update.group) + done[update.group]
            state, m = run_entry(state, update, rows, update_keys(key, index, update), first_index)
            done[update.group] += n
            metrics |= m
        state = update_ema(state).replace(step=state.step + 1)
        for group, roles in groups.items():
            metrics[f"{group}_param_norm"] = optax.global_norm(state.group_params(roles))
        return state, lax.pmean(metrics, DATA_AXIS)

    return train_step
