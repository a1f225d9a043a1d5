"""The network registries and building a registered network from its config options.

Members (`mlp.py`, `dcgan.py`, ...) import their registry from here; the
package's `__init__` imports the members, so nothing imports back up.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

import flax.linen as nn

from jaxgan.registry import Registry

GENERATORS = Registry("generator")
DISCRIMINATORS = Registry("discriminator")
# x -> features [batch, out_dim]; ALI/BiGAN's E(x), which the family reads as a code.
ENCODERS = Registry("encoder")


def _build(registry: Registry, name: str, kwargs: Mapping[str, Any], num_classes: int, **fixed: Any) -> nn.Module:
    cls = registry.get(name)
    fields = {f.name for f in dataclasses.fields(cls) if f.init} - {"parent", "name"}
    if num_classes:
        conditional = [n for n in registry.names() if "num_classes" in {f.name for f in dataclasses.fields(registry.get(n))}]
        if "num_classes" not in fields:
            raise ValueError(
                f"{registry.kind} {name!r} is unconditional, but data.use_labels=True. "
                f"Conditional {registry.kind}s: {', '.join(conditional) or 'none'}."
            )
        fixed["num_classes"] = num_classes
    unknown = sorted(set(kwargs) - fields)
    if unknown:
        raise ValueError(
            f"Unknown option(s) {unknown} for {registry.kind} {name!r}. "
            f"Valid options: {', '.join(sorted(fields - set(fixed)))}."
        )
    return cls(**fixed, **dict(kwargs))


def build_generator(
    name: str, kwargs: Mapping[str, Any], out_shape: Sequence[int], num_classes: int = 0
) -> nn.Module:
    """Builds the registered generator `name` producing samples of `out_shape`.

    With `num_classes > 0` the network must be conditional (have a
    `num_classes` field and take `labels=`).
    """
    return _build(GENERATORS, name, kwargs, num_classes, out_shape=tuple(out_shape))


def build_discriminator(name: str, kwargs: Mapping[str, Any], num_classes: int = 0) -> nn.Module:
    """Builds the registered discriminator `name` (conditional if `num_classes > 0`)."""
    return _build(DISCRIMINATORS, name, kwargs, num_classes)


def joint_discriminators() -> list[str]:
    """Discriminators of (x, z) pairs (registered with `joint=True`), for ALI/BiGAN."""
    return [n for n in DISCRIMINATORS.names() if DISCRIMINATORS.meta(n).get("joint")]


def check_discriminator_kind(name: str, joint: bool, family: str) -> None:
    """ValueError unless discriminator `name` takes (x, z) pairs exactly when `joint`."""
    if bool(DISCRIMINATORS.meta(name).get("joint")) != joint:
        pairs = joint_discriminators()
        plain = [n for n in DISCRIMINATORS.names() if n not in pairs]
        raise ValueError(f"Family {family!r} needs a discriminator of {'(x, z) pairs' if joint else 'x alone'}; "
                         f"{name!r} is not one. Choices: {', '.join(pairs if joint else plain)}.")


def generator_input(name: str) -> str:
    """What generator `name` maps from: "latent" (z, the default) or "image" (registered with `input="image"`)."""
    return GENERATORS.meta(name).get("input", "latent")


def check_generator_input(name: str, kind: str, family: str) -> None:
    """ValueError unless generator `name` takes `kind` inputs ("latent" or "image"), listing those that do."""
    if generator_input(name) != kind:
        fitting = [n for n in GENERATORS.names() if generator_input(n) == kind]
        what = "images" if kind == "image" else "latent codes z"
        raise ValueError(f"Family {family!r} needs a generator of {what}; {name!r} is not one. "
                         f"Choices: {', '.join(fitting)}.")


def build_encoder(name: str, kwargs: Mapping[str, Any], out_dim: int) -> nn.Module:
    """Builds the registered encoder `name` with `out_dim` outputs per example."""
    return _build(ENCODERS, name, kwargs, 0, out_dim=out_dim)
