"""The linear probe: separable classes, chance on random labels, determinism, and a float64 SciPy reference."""

from __future__ import annotations

import jax
import numpy as np
import pytest
import scipy.optimize
import scipy.special

from jaxgan.evaluation import linear_probe


def _gaussian_classes(seed: int, n: int, d: int, k: int, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of `k` Gaussian classes in `d` dims, unit noise around centres of scale `spread`."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d)) * spread
    labels = rng.integers(0, k, n)
    return centres[labels] + rng.normal(size=(n, d)), labels


def test_well_separated_gaussian_classes_are_classified_on_held_out_data():
    x, y = _gaussian_classes(0, 800, 16, 4, spread=4.0)
    x = x * np.linspace(0.01, 100.0, 16) + 50.0  # standardisation must undo arbitrary scales and offsets
    assert linear_probe.probe_accuracy(x[:400], y[:400], x[400:], y[400:], 4) >= 0.99


def test_random_labels_stay_near_chance_on_held_out_data():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2400, 16)), rng.integers(0, 4, 2400)
    probe = linear_probe.fit(x[:400], y[:400], 4)
    assert probe.accuracy(x[:400], y[:400]) > 0.3  # it fits some noise on the train split...
    assert abs(probe.accuracy(x[400:], y[400:]) - 0.25) < 0.05  # ...which does not carry over


def test_same_inputs_give_the_same_bits():
    x, y = _gaussian_classes(2, 300, 8, 3, spread=1.0)
    first = linear_probe.fit(x, y, 3)
    jax.clear_caches()  # a fresh compilation too
    second = linear_probe.fit(x, y, 3)
    for a, b in ((first.weights, second.weights), (first.bias, second.bias), (first.mean, second.mean)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert first.loss == second.loss and first.iterations == second.iterations


def _scipy_reference(x: np.ndarray, y: np.ndarray, k: int, l2: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The same objective minimised in float64 by SciPy's L-BFGS-B: (loss, weights, bias)."""
    n, d = x.shape
    xs = (x - x.mean(0)) / x.std(0)
    onehot = np.eye(k)[y]

    def loss_and_grad(theta):
        w, b = theta[: d * k].reshape(d, k), theta[d * k :]
        z = xs @ w + b
        loss = np.mean(scipy.special.logsumexp(z, axis=1) - z[np.arange(n), y]) + 0.5 * l2 * np.sum(w**2)
        g = (scipy.special.softmax(z, axis=1) - onehot) / n
        return loss, np.concatenate([(xs.T @ g + l2 * w).ravel(), g.sum(0)])

    r = scipy.optimize.minimize(loss_and_grad, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
                                options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000})
    assert r.success, r.message
    return float(r.fun), r.x[: d * k].reshape(d, k), r.x[d * k :]


def test_matches_a_float64_scipy_solution_of_the_same_objective():
    x, y = _gaussian_classes(3, 300, 6, 3, spread=1.0)  # overlapping classes: a finite optimum
    x = x * np.linspace(0.5, 5.0, 6) + 3.0
    loss, w, b = _scipy_reference(x, y, 3, l2=1e-2)
    probe = linear_probe.fit(x, y, 3, l2=1e-2)
    assert probe.loss == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(np.asarray(probe.weights), w, atol=1e-5)
    # The bias is defined up to a constant added to every class: compare centred biases.
    np.testing.assert_allclose(np.asarray(probe.bias) - np.mean(probe.bias), b - b.mean(), atol=1e-5)


def test_constant_features_are_harmless_and_bad_inputs_are_refused():
    x, y = _gaussian_classes(4, 200, 4, 2, spread=3.0)
    x[:, 0] = 7.0
    probe = linear_probe.fit(x, y, 2)
    assert np.all(np.isfinite(np.asarray(probe.weights))) and probe.accuracy(x, y) > 0.9
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        linear_probe.fit(x, y + 1, 2)
    with pytest.raises(ValueError, match=r"features must be \[n, d\]"):
        linear_probe.fit(x[:, 0], y, 2)
    with pytest.raises(ValueError, match="labels must be integers"):
        linear_probe.fit(x, y.astype(np.float32), 2)
