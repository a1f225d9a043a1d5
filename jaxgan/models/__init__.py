"""Generator and discriminator networks, looked up by name.

A network is a Flax linen module class registered in `GENERATORS` or
`DISCRIMINATORS`. It is built as `cls(out_shape=..., **config.model.g)`
(generators) or `cls(**config.model.d)` (discriminators) and called as
`module(inputs, train=bool)`. Generators return a batch of `out_shape`
samples, discriminators one logit per example. Cross-device BatchNorm uses the
axis name `jaxgan.parallel.DATA_AXIS`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import flax.linen as nn

from jaxgan.registry import Registry

GENERATORS = Registry("generator")
DISCRIMINATORS = Registry("discriminator")

# Importing the modules registers their networks.
from jaxgan.models import dcgan, mlp  # noqa: E402,F401


def _build(registry: Registry, name: str, kwargs: Mapping[str, Any], **fixed: Any) -> nn.Module:
    cls = registry.get(name)
    fields = {f.name for f in dataclasses.fields(cls) if f.init} - {"parent", "name"}
    unknown = sorted(set(kwargs) - fields)
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown} for {registry.kind} {name!r}. "
            f"Valid options: {', '.join(sorted(fields - set(fixed)))}."
        )
    return cls(**fixed, **dict(kwargs))


def build_generator(name: str, kwargs: Mapping[str, Any], out_shape: Sequence[int]) -> nn.Module:
    """Builds the registered generator `name` producing samples of `out_shape`."""
    return _build(GENERATORS, name, kwargs, out_shape=tuple(out_shape))


def build_discriminator(name: str, kwargs: Mapping[str, Any]) -> nn.Module:
    """Builds the registered discriminator `name`."""
    return _build(DISCRIMINATORS, name, kwargs)
