"""Calling a network with its mutable collections: the one way families, sampling and evaluators do it."""

from __future__ import annotations

from typing import Any

import flax
import flax.linen as nn
import jax


def apply_model(
    model: nn.Module,
    params: Any,
    collections: dict,
    x: Any,
    train: bool,
    rng: jax.Array | None = None,
    labels: jax.Array | None = None,
) -> tuple[Any, dict]:
    """Applies `model` to `x` (and to `labels` in conditional runs).

    Returns its output and its collections: updated when training (BatchNorm
    statistics, spectral-norm vectors), else unchanged. `rng` feeds dropout.
    """
    variables = {"params": params, **collections}
    kwargs = {"rngs": {"dropout": rng} if rng is not None else None}
    if labels is not None:
        kwargs["labels"] = labels
    if train and collections:
        out, new = model.apply(variables, x, train=True, mutable=list(collections), **kwargs)
        return out, flax.core.unfreeze(new)
    return model.apply(variables, x, train=train, **kwargs), collections


def split_variables(variables: Any) -> tuple[Any, dict]:
    """`init`'s variables as (params, the other collections as a plain dict)."""
    variables = flax.core.unfreeze(variables)
    params = variables.pop("params")
    return params, variables
