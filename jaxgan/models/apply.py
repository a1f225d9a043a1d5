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


def last_dense_input(model: nn.Module, params: Any, collections: dict, x: Any, labels: Any = None
                     ) -> tuple[jax.Array, jax.Array]:
    """D's output in eval mode and the features its last Dense layer reads (flattened, `[B, F]`).

    Those features are what f-AnoGAN's residual (Schlegl et al. 2019) and the
    BiGAN detector's feature loss (Zenati et al. 2018) compare: D's last
    hidden layer, whatever the network, found by intercepting its Dense calls.
    """
    seen = []

    def interceptor(next_fun, args, kwargs, context):
        if isinstance(context.module, nn.Dense) and context.method_name == "__call__":
            seen.append(args[0])
        return next_fun(*args, **kwargs)

    with nn.intercept_methods(interceptor):
        out, _ = apply_model(model, params, collections, x, False, labels=labels)
    if not seen:
        raise ValueError(f"{type(model).__name__} has no Dense layer whose input could serve as D's features.")
    features = seen[-1]
    return out, features.reshape(features.shape[0], -1)
