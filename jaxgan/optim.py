"""Optax optimizers for G and D, built from `config.optimizer.g` / `.d`."""

from __future__ import annotations

from typing import Callable

import ml_collections
import optax

OPTIMIZERS: dict[str, Callable[..., optax.GradientTransformation]] = {
    "adam": lambda c: optax.adam(c.lr, b1=c.b1, b2=c.b2, eps=c.eps),
    "adamw": lambda c: optax.adamw(c.lr, b1=c.b1, b2=c.b2, eps=c.eps, weight_decay=c.weight_decay),
    "rmsprop": lambda c: optax.rmsprop(c.lr, eps=c.eps),
    "sgd": lambda c: optax.sgd(c.lr),
}


def make_optimizer(cfg: ml_collections.ConfigDict) -> optax.GradientTransformation:
    """Builds one network's optimizer from its config block.

    Args:
      cfg: has `name` (one of OPTIMIZERS), `lr`, `b1`, `b2`, `eps`,
        `weight_decay`.
    """
    if cfg.name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {cfg.name!r}. Choices: {', '.join(sorted(OPTIMIZERS))}.")
    return OPTIMIZERS[cfg.name](cfg)
