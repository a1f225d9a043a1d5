"""Regularizers added to D's loss, each a pure function in a registry keyed by name.

A penalty is `fn(inputs: PenaltyInputs, state, **options) -> (value, new_state)`
returning an *unweighted* scalar; the step multiplies it by its configured
`weight`. Stateless penalties take and return `state=None`; stateful ones
register an `init_state` and their state lives in `GANState.extra["penalties"]`
(averaged over devices each step, so it stays replicated).

Config: `config.penalties = {"r1": {"weight": 10.0, "every": 16}, ...}`. A
penalty acts on the critic that the family's loss exposes for the group it
regularises: the family's critic group (D), or the one its `group` option
names. The critic's inputs may be pytrees (ALI's D(x, z)); gradient
penalties then take the norm over every leaf, or, for r1/r2 with the option
`leaves`, over the named dict keys only (`{"r1": {"weight": 0.01, "leaves": ("x",)}}`).
`every: k > 1` is lazy regularization (StyleGAN2): the penalty is applied on
every k-th D update only, multiplied by k so its average strength is unchanged.
Other keys are passed to the function as options.

Add your own:

    @PENALTIES.register("my_penalty")
    def my_penalty(inputs, state):
        return jnp.mean(inputs.real_logits ** 2), state
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import jax
import jax.numpy as jnp

from jaxgan import augment
from jaxgan.registry import Registry

PENALTIES = Registry("penalty")


class PenaltyInputs(NamedTuple):
    """What a penalty may look at during one D update.

    Attributes:
      d_fn: `(d_params, x) -> logits`, D in training mode (its collection
        updates are discarded); in conditional runs, conditioned on the real
        labels (interpolates between real and fake count as real).
      d_params: D's parameters (differentiated through).
      real, fake: the inputs D saw in this update (after any augmentation).
      real_logits, fake_logits: D's outputs on them.
      key: a key for the penalty's own randomness.
      d_fake_fn: as `d_fn`, conditioned on the fake labels; None when the run
        is unconditional (then use `d_fn`, see `fake_d_fn`).
    """

    d_fn: Callable[[Any, jax.Array], jax.Array]
    d_params: Any
    real: jax.Array
    fake: jax.Array
    real_logits: jax.Array
    fake_logits: jax.Array
    key: jax.Array
    d_fake_fn: Callable[[Any, jax.Array], jax.Array] | None = None

    @property
    def fake_d_fn(self) -> Callable[[Any, jax.Array], jax.Array]:
        """D as it judges fake inputs."""
        return self.d_fake_fn or self.d_fn


def input_gradient_norms(d_fn: Callable, d_params: Any, x: Any, leaves: Sequence[str] | None = None) -> jax.Array:
    """Per-example L2 norm of dD(x)/dx, shape [batch].

    `x` may be a pytree (ALI's {"x": x, "z": z}): the norm is over every
    leaf's gradient together, as if the leaves were one flat input, or only
    over the dict keys in `leaves` (e.g. `("x",)`: R1 on the data, not the code).
    """
    grads = jax.grad(lambda x: jnp.sum(d_fn(d_params, x)))(x)
    grads = jax.tree.leaves(grads if leaves is None else [grads[k] for k in _check_leaves(x, leaves)])
    squares = [jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1) for g in grads]
    return jnp.sqrt(functools.reduce(jnp.add, squares) + 1e-12)


def _check_leaves(x: Any, leaves: Sequence[str]) -> list[str]:
    """`leaves` as a list, or a clear error if the critic's input is not a dict holding them all."""
    leaves = [leaves] if isinstance(leaves, str) else list(leaves)
    keys = sorted(x) if isinstance(x, Mapping) else []
    if not leaves or not set(leaves) <= set(keys):
        raise ValueError(f"Penalty option leaves={leaves}: the critic's input has dict keys {keys}; "
                         "name some of them, or drop 'leaves' to use the whole input.")
    return leaves


def _per_example(eps: jax.Array, x: jax.Array) -> jax.Array:
    """`eps [batch, 1...]` shaped to broadcast against `x`."""
    return eps.reshape((x.shape[0],) + (1,) * (x.ndim - 1))


def interpolates(key: jax.Array, real: Any, fake: Any) -> Any:
    """eps * real + (1 - eps) * fake, eps ~ U[0, 1] per example (one eps for every leaf of a pytree)."""
    first = jax.tree.leaves(real)[0]
    eps = jax.random.uniform(key, (first.shape[0],) + (1,) * (first.ndim - 1), first.dtype)
    return jax.tree.map(lambda r, f: _per_example(eps, r) * r + (1.0 - _per_example(eps, r)) * f, real, fake)


@PENALTIES.register("wgan_gp")
def wgan_gp(inputs: PenaltyInputs, state: None, target: float = 1.0) -> tuple[jax.Array, None]:
    """Gulrajani et al. 2017: E (||grad D(x_hat)|| - target)^2 / target^2 on real/fake interpolates.

    `target` 1 is the paper's; ProGAN's CIFAR-10 run used 750 (its `iwass_target`), with the
    1 / target^2 scale that keeps the weight comparable.
    """
    if target <= 0:
        raise ValueError(f"penalty wgan_gp: target must be > 0, got {target}.")
    x_hat = interpolates(inputs.key, inputs.real, inputs.fake)
    norms = input_gradient_norms(inputs.d_fn, inputs.d_params, x_hat)
    return jnp.mean((norms - target) ** 2) / (target * target), state


@PENALTIES.register("wgan_gp_one_sided")
def wgan_gp_one_sided(inputs: PenaltyInputs, state: None) -> tuple[jax.Array, None]:
    """One-sided gradient penalty: E max(0, ||grad D(x_hat)|| - 1)^2 (Petzka et al. 2018)."""
    x_hat = interpolates(inputs.key, inputs.real, inputs.fake)
    norms = input_gradient_norms(inputs.d_fn, inputs.d_params, x_hat)
    return jnp.mean(jax.nn.relu(norms - 1.0) ** 2), state


@PENALTIES.register("dragan")
def dragan(inputs: PenaltyInputs, state: None, scale: float = 0.5) -> tuple[jax.Array, None]:
    """Kodali et al. 2017: E (||grad D(x + delta)|| - 1)^2, delta = scale * std(x) * U[0, 1] (per leaf of a pytree)."""
    leaves, treedef = jax.tree.flatten(inputs.real)
    keys = [inputs.key] if len(leaves) == 1 else list(jax.random.split(inputs.key, len(leaves)))
    x_hat = treedef.unflatten(
        [x + scale * jnp.std(x) * jax.random.uniform(k, x.shape, x.dtype) for k, x in zip(keys, leaves)])
    return jnp.mean((input_gradient_norms(inputs.d_fn, inputs.d_params, x_hat) - 1.0) ** 2), state


@PENALTIES.register("r1")
def r1(inputs: PenaltyInputs, state: None, leaves: Sequence[str] | None = None) -> tuple[jax.Array, None]:
    """Mescheder et al. 2018: 1/2 E ||grad D(x_real)||^2, so `weight` is their gamma.

    `leaves`: for a dict input, the keys whose gradient counts (default: all).
    """
    norms = input_gradient_norms(inputs.d_fn, inputs.d_params, inputs.real, leaves)
    return 0.5 * jnp.mean(norms ** 2), state


@PENALTIES.register("r2")
def r2(inputs: PenaltyInputs, state: None, leaves: Sequence[str] | None = None) -> tuple[jax.Array, None]:
    """Mescheder et al. 2018: 1/2 E ||grad D(x_fake)||^2 (`leaves` as in `r1`)."""
    norms = input_gradient_norms(inputs.fake_d_fn, inputs.d_params, inputs.fake, leaves)
    return 0.5 * jnp.mean(norms ** 2), state


@PENALTIES.register("bcr")
def bcr(inputs: PenaltyInputs, state: None) -> tuple[jax.Array, None]:
    """Balanced consistency regularization (Zhao et al. 2021), images only.

    E (D(x) - D(T(x)))^2 + E (D(G(z)) - D(T(G(z))))^2 with T a random flip and
    translation; D's outputs on the un-augmented inputs are the targets.
    """
    if not isinstance(inputs.real, jax.Array) or inputs.real.ndim != 4:
        raise ValueError("Penalty 'bcr' augments images [B, H, W, C]; this critic's input is not one. "
                         "Use r1, r2, wgan_gp or dragan instead.")
    k_real, k_fake = jax.random.split(inputs.key)
    real_t = inputs.d_fn(inputs.d_params, augment.flip_and_translate(k_real, inputs.real))
    fake_t = inputs.fake_d_fn(inputs.d_params, augment.flip_and_translate(k_fake, inputs.fake))
    value = jnp.mean((inputs.real_logits - real_t) ** 2) + jnp.mean((inputs.fake_logits - fake_t) ** 2)
    return value, state


def _lecam_init() -> dict[str, jax.Array]:
    return {"real_ema": jnp.zeros((), jnp.float32), "fake_ema": jnp.zeros((), jnp.float32)}


@PENALTIES.register("lecam", init_state=_lecam_init)
def lecam(inputs: PenaltyInputs, state: dict, decay: float = 0.99) -> tuple[jax.Array, dict]:
    """LeCam regularization (Tseng et al. 2021).

    E relu(D(x) - a_F)^2 + E relu(a_R - D(G(z)))^2, where a_R and a_F are EMAs
    of D's mean output on real and fake data (the anchors carry no gradient).
    """
    value = jnp.mean(jax.nn.relu(inputs.real_logits - state["fake_ema"]) ** 2) + jnp.mean(
        jax.nn.relu(state["real_ema"] - inputs.fake_logits) ** 2
    )
    new_state = {
        "real_ema": decay * state["real_ema"] + (1 - decay) * jax.lax.stop_gradient(jnp.mean(inputs.real_logits)),
        "fake_ema": decay * state["fake_ema"] + (1 - decay) * jax.lax.stop_gradient(jnp.mean(inputs.fake_logits)),
    }
    return value, new_state


def by_group(penalty_configs: dict[str, dict], default_group: str | None) -> dict[str, dict[str, dict]]:
    """`config.penalties` as group -> {name: options}; a penalty's optional `group` option picks its group.

    Without one, a penalty regularises the family's critic group (`d` for GANs).
    """
    grouped: dict[str, dict[str, dict]] = {}
    for name, options in penalty_configs.items():
        options = dict(options)
        group = options.pop("group", default_group)
        if group is None:
            raise ValueError(f"config.penalties.{name}: this family has no critic group; name one with 'group'.")
        grouped.setdefault(group, {})[name] = options
    return grouped


def init_states(grouped: dict[str, dict[str, dict]]) -> dict[str, dict[str, Any]]:
    """The initial state of each configured penalty by group (None for stateless ones)."""
    states: dict[str, dict[str, Any]] = {}
    for group, configs in grouped.items():
        states[group] = {}
        for name in configs:
            init = PENALTIES.meta(name).get("init_state")
            states[group][name] = init() if init else None
    return states


def apply_penalty(
    name: str, options: dict, inputs: PenaltyInputs, state: Any, d_update_index: jax.Array
) -> tuple[jax.Array, jax.Array, Any]:
    """Runs one configured penalty, lazily if `every > 1`.

    Returns:
      (weighted term to add to D's loss, unweighted value for logging, new state).
    """
    options = dict(options)
    weight, every = options.pop("weight"), options.pop("every", 1)
    fn = PENALTIES.get(name)
    if every <= 1:
        value, new_state = fn(inputs, state, **options)
        return weight * value, value, new_state
    value, new_state = jax.lax.cond(
        d_update_index % every == 0,
        lambda: fn(inputs, state, **options),
        lambda: (jnp.zeros((), jnp.float32), state),
    )
    return every * weight * value, value, new_state
