"""Linear probe: how linearly separable a set of features is.

A linear probe fits the best linear classifier on frozen features of a train
split and reports its accuracy on a held-out split. Used here to ask whether
a BiGAN encoder's codes E(x) carry the class in a linearly readable form:
compare their probe accuracy with that of the raw pixels and of the codes of
a randomly initialised encoder, on the same splits.

The classifier is multinomial logistic regression (softmax), trained
full-batch on features standardised with the train split's mean and std, to
the minimum of

    mean_i cross_entropy(x_i W + b, y_i) + l2 / 2 * ||W||^2

(the bias is not penalised). With `l2 > 0` this is strictly convex in W, so
there is one answer, whatever the solver; standardising makes `l2` mean the
same for every feature and the problem well conditioned. The solver is
Optax's L-BFGS with its zoom line search, in one compiled `lax.while_loop`
of at most `steps` iterations that stops early once the gradient norm is
below `tol`: no randomness, so the same inputs give the same bits.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

Params = dict[str, jax.Array]  # {"w": [d, num_classes], "b": [num_classes]}

# Features whose train std is below this are constant: they are centred but not scaled.
_MIN_STD = 1e-8


@dataclasses.dataclass(frozen=True)
class Probe:
    """A fitted linear probe.

    Attributes:
      mean, std: `[d]` train-split statistics the features are standardised with.
      weights: `[d, num_classes]`, on standardised features.
      bias: `[num_classes]`.
      loss: the regularised objective at the end of training.
      iterations: L-BFGS iterations run (at most the `steps` asked for).
    """

    mean: jax.Array
    std: jax.Array
    weights: jax.Array
    bias: jax.Array
    loss: float
    iterations: int

    def logits(self, features: jax.Array | np.ndarray) -> jax.Array:
        """Class scores `[n, num_classes]` of raw (unstandardised) `features` `[n, d]`."""
        x = (_as_float(features) - self.mean) / self.std
        return x @ self.weights + self.bias

    def predict(self, features: jax.Array | np.ndarray) -> np.ndarray:
        """The most likely class of each row of `features` (ties: the lowest index)."""
        return np.asarray(jnp.argmax(self.logits(features), axis=-1))

    def accuracy(self, features: jax.Array | np.ndarray, labels: jax.Array | np.ndarray) -> float:
        """Fraction of rows of `features` whose predicted class is `labels`."""
        labels = np.asarray(labels)
        _check(features, labels)
        return float(np.mean(self.predict(features) == labels))


def _as_float(x: jax.Array | np.ndarray) -> jax.Array:
    """`x` in JAX's default float dtype (float32, or float64 with x64 enabled)."""
    return jnp.asarray(x, dtype=jnp.result_type(float))


def _check(features: jax.Array | np.ndarray, labels: np.ndarray, num_classes: int | None = None) -> None:
    if np.ndim(features) != 2:
        raise ValueError(f"features must be [n, d]; got shape {np.shape(features)}.")
    if labels.shape != (np.shape(features)[0],):
        raise ValueError(f"labels must be [n] = [{np.shape(features)[0]}]; got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers; got {labels.dtype}.")
    if num_classes is not None and labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}); got [{labels.min()}, {labels.max()}].")


def standardisation(features: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Per-feature mean and std of `features` `[n, d]`; a constant feature's std is 1."""
    mean = jnp.mean(features, axis=0)
    std = jnp.std(features, axis=0)
    return mean, jnp.where(std < _MIN_STD, 1.0, std)


def objective(params: Params, x: jax.Array, labels: jax.Array, l2: float) -> jax.Array:
    """Mean softmax cross-entropy of `x @ w + b` plus `l2 / 2 * ||w||^2`."""
    logits = x @ params["w"] + params["b"]
    nll = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labels))
    return nll + 0.5 * l2 * jnp.sum(params["w"] ** 2)


@functools.partial(jax.jit, static_argnames=("num_classes", "steps"))
def _minimise(
    x: jax.Array, labels: jax.Array, l2: float, tol: float, num_classes: int, steps: int
) -> tuple[Params, jax.Array, jax.Array]:
    """L-BFGS from zero weights; returns (params, final objective, iterations run)."""
    fun = functools.partial(objective, x=x, labels=labels, l2=l2)
    solver = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(fun)

    def step(carry):
        params, state, i, _ = carry
        value, grad = value_and_grad(params, state=state)
        updates, state = solver.update(grad, state, params, value=value, grad=grad, value_fn=fun)
        return optax.apply_updates(params, updates), state, i + 1, optax.tree.norm(grad)

    def keep_going(carry):
        _, _, i, grad_norm = carry
        return (i < steps) & (grad_norm >= tol)

    params = {"w": jnp.zeros((x.shape[1], num_classes), x.dtype), "b": jnp.zeros((num_classes,), x.dtype)}
    init = (params, solver.init(params), jnp.zeros((), jnp.int32), jnp.asarray(jnp.inf, x.dtype))
    params, _, iterations, _ = jax.lax.while_loop(keep_going, step, init)
    return params, fun(params), iterations


def fit(
    features: jax.Array | np.ndarray,
    labels: jax.Array | np.ndarray,
    num_classes: int,
    l2: float = 1e-4,
    steps: int = 500,
    tol: float = 1e-6,
) -> Probe:
    """Fits a linear softmax probe on `features` `[n, d]` with integer `labels` `[n]`.

    Args:
      features: the train split's features (any float dtype; computed in
        JAX's default float dtype).
      labels: class indices in [0, num_classes).
      num_classes: number of classes (columns of the weights).
      l2: weight of the `l2 / 2 * ||W||^2` penalty on standardised features.
      steps: most L-BFGS iterations.
      tol: stop once the objective's gradient norm is below this.
    """
    labels = np.asarray(labels)
    _check(features, labels, num_classes)
    x = _as_float(features)
    mean, std = standardisation(x)
    params, loss, iterations = _minimise(
        (x - mean) / std, jnp.asarray(labels, jnp.int32), l2, tol, num_classes=num_classes, steps=steps
    )
    return Probe(mean, std, params["w"], params["b"], float(loss), int(iterations))


def probe_accuracy(
    train_x: jax.Array | np.ndarray,
    train_y: jax.Array | np.ndarray,
    test_x: jax.Array | np.ndarray,
    test_y: jax.Array | np.ndarray,
    num_classes: int,
    **kwargs,
) -> float:
    """Test accuracy of a probe fitted on the train split; `kwargs` go to `fit`."""
    return fit(train_x, train_y, num_classes, **kwargs).accuracy(test_x, test_y)
