"""Mixed precision for every network: compute in `config.model.dtype`, keep everything stored in float32.

The Flax/big_vision convention: parameters, optimizer states, the EMA and the
losses stay float32; a network's matmuls and activations run in bfloat16.
`with_dtype(module, "bfloat16")` wraps any registered network (no change to
its code or its parameter tree): on each call it casts the float32 params and
the floating inputs to the compute dtype, and the outputs back to float32.
Gradients flow through the casts to the float32 params. Mutable collections
(BatchNorm statistics, spectral-norm vectors) are not cast: they stay float32,
and Flax's BatchNorm reduces in float32 whatever the input dtype.

bfloat16 pays on GPUs and TPUs; XLA:CPU emulates it and runs slower than
float32, so the default is float32.
"""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}


def _cast(tree: Any, dtype: Any) -> Any:
    """Floating leaves of `tree` as `dtype`; integer leaves (labels, keys) untouched."""
    return jax.tree.map(lambda x: x.astype(dtype) if jnp.issubdtype(jnp.result_type(x), jnp.floating) else x, tree)


class MixedPrecision:
    """A network that computes in `dtype` and stores (and returns) float32; otherwise it is `module`."""

    def __init__(self, module: nn.Module, dtype: str):
        self.module, self.dtype = module, dtype

    def init(self, *args, **kwargs):
        return self.module.init(*args, **kwargs)  # float32 params, like the plain module's

    def apply(self, variables: dict, x: Any, *args, **kwargs):
        compute = DTYPES[self.dtype]
        variables = {**variables, "params": _cast(variables["params"], compute)}
        out = self.module.apply(variables, _cast(x, compute), *args, **kwargs)
        if kwargs.get("mutable"):
            out, updated = out
            return _cast(out, jnp.float32), updated
        return _cast(out, jnp.float32)

    def __getattr__(self, name: str) -> Any:  # fields such as num_classes, conditioning, out_shape
        return getattr(self.module, name)

    def __hash__(self) -> int:
        return hash((self.module, self.dtype))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedPrecision) and (self.module, self.dtype) == (other.module, other.dtype)


def with_dtype(module: nn.Module, dtype: str) -> nn.Module | MixedPrecision:
    """`module` computing in `dtype` ("float32": the module itself, unchanged)."""
    if dtype not in DTYPES:
        raise ValueError(f"Unknown model.dtype {dtype!r}. Choices: {', '.join(DTYPES)}.")
    return module if dtype == "float32" else MixedPrecision(module, dtype)
