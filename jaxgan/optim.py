"""Optax optimizers for G and D, built from `config.optimizer.g` / `.d`.

Each network's block sets its own optimizer, learning rate and betas (TTUR),
schedule, L1/L2 weight regularization and, for the WGAN critic, weight
clipping. All of these are Optax transforms, so they run inside the compiled
step.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgan.registry import Registry

OPTIMIZERS = Registry("optimizer")
OPTIMIZERS.register("adam")(lambda c, lr: optax.adam(lr, b1=c.b1, b2=c.b2, eps=c.eps))
OPTIMIZERS.register("adamw")(
    lambda c, lr: optax.adamw(lr, b1=c.b1, b2=c.b2, eps=c.eps, weight_decay=c.weight_decay)
)
OPTIMIZERS.register("rmsprop")(lambda c, lr: optax.rmsprop(lr, eps=c.eps))
OPTIMIZERS.register("sgd")(lambda c, lr: optax.sgd(lr))

# What follows the warm-up: (peak lr, decay steps) -> schedule.
SCHEDULES = Registry("schedule")
SCHEDULES.register("constant")(lambda lr, decay_steps: optax.constant_schedule(lr))
SCHEDULES.register("linear")(lambda lr, decay_steps: optax.linear_schedule(lr, 0.0, decay_steps))
SCHEDULES.register("cosine")(lambda lr, decay_steps: optax.cosine_decay_schedule(lr, decay_steps))
# CycleGAN's and pix2pix's: constant for the first half, then linear to 0 over the second half.
SCHEDULES.register("linear_second_half")(lambda lr, decay_steps: optax.join_schedules(
    [optax.constant_schedule(lr), optax.linear_schedule(lr, 0.0, decay_steps - decay_steps // 2)], [decay_steps // 2]))


def learning_rate(cfg: ml_collections.ConfigDict, total_updates: int) -> optax.Schedule:
    """Linear warm-up over `warmup_steps`, then constant, linear decay to 0, or cosine decay.

    Steps count this network's optimizer updates.
    """
    after = SCHEDULES.get(cfg.schedule)(cfg.lr, max(1, total_updates - cfg.warmup_steps))
    if cfg.warmup_steps <= 0:
        return after
    return optax.join_schedules([optax.linear_schedule(0.0, cfg.lr, cfg.warmup_steps), after], [cfg.warmup_steps])


def add_l1(strength: float) -> optax.GradientTransformation:
    """Adds the gradient of strength * ||w||_1 (sign(w) * strength) to the updates."""

    def update(updates, state, params):
        return jax.tree.map(lambda u, p: u + strength * jnp.sign(p), updates, params), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


def clip_weights(bound: float) -> optax.GradientTransformation:
    """Turns updates into ones that leave every weight in [-bound, bound] (original WGAN).

    Must be the last transform of a chain: it sees the final updates.
    """

    def update(updates, state, params):
        return jax.tree.map(lambda u, p: jnp.clip(p + u, -bound, bound) - p, updates, params), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


def _one_optimizer(cfg: ml_collections.ConfigDict, total_updates: int, lr_scale: float = 1.0
                   ) -> optax.GradientTransformation:
    build = OPTIMIZERS.get(cfg.name)
    chain: list[optax.GradientTransformation] = []
    if cfg.l1 > 0:
        chain.append(add_l1(cfg.l1))
    if cfg.l2 > 0:  # the gradient of l2/2 * ||w||^2
        chain.append(optax.add_decayed_weights(cfg.l2))
    schedule = learning_rate(cfg, total_updates)
    chain.append(build(cfg, schedule if lr_scale == 1.0 else (lambda step: lr_scale * schedule(step))))
    if cfg.clip_weights > 0:
        chain.append(clip_weights(cfg.clip_weights))
    return optax.chain(*chain)


def make_optimizer(cfg: ml_collections.ConfigDict, total_updates: int) -> optax.GradientTransformation:
    """Builds one group's optimizer from its config block (`optimizer.<group>`).

    The group's params are a dict by role. `lr_multipliers` ({role: m}) gives
    a role its own learning rate, m times the group's (StyleGAN2's mapping
    network at 0.01x), through `optax.multi_transform`; without it the group
    has one plain optimizer.

    Args:
      cfg: has `name` (one of OPTIMIZERS), `lr`, `b1`, `b2`, `eps`,
        `weight_decay`, `schedule`, `warmup_steps`, `l1`, `l2`, `clip_weights`,
        `lr_multipliers`.
      total_updates: how many updates this group gets in the run (for decays).
    """
    multipliers = dict(cfg.lr_multipliers)
    if not multipliers:
        return _one_optimizer(cfg, total_updates)
    transforms = {"group": _one_optimizer(cfg, total_updates)}
    transforms |= {f"role:{role}": _one_optimizer(cfg, total_updates, float(m)) for role, m in multipliers.items()}
    labels = lambda params: {role: jax.tree.map(lambda _: f"role:{role}" if role in multipliers else "group", tree)  # noqa: E731
                             for role, tree in params.items()}
    return optax.multi_transform(transforms, labels)
