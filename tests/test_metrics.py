"""Feature metrics against closed forms, known extremes and direct numpy/scipy references."""

import numpy as np
import pytest
import scipy.linalg

from jaxgan.evaluation import metrics
from jaxgan.evaluation.metrics import (
    GaussianStats,
    density_coverage,
    frechet_distance,
    inception_score,
    kid,
    precision_recall,
)


def _random_cov(rng, d):
    a = rng.normal(size=(d, 2 * d))
    return a @ a.T / (2 * d)


# --- FID ---------------------------------------------------------------------


def test_fid_identical_gaussians_is_zero():
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=6), _random_cov(rng, 6)
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-8)


def test_fid_shifted_means_is_squared_distance():
    rng = np.random.default_rng(1)
    mu1, mu2, sigma = rng.normal(size=5), rng.normal(size=5), _random_cov(rng, 5)
    assert frechet_distance(mu1, sigma, mu2, sigma) == pytest.approx(np.sum((mu1 - mu2) ** 2), rel=1e-8)


def test_fid_diagonal_covariances_closed_form():
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2))  # = 4 + 1 + 0
    assert expected == pytest.approx(5.0)
    assert frechet_distance(np.zeros(3), np.diag(s1), np.zeros(3), np.diag(s2)) == pytest.approx(expected)


def test_fid_matches_symmetric_sqrt_reference():
    # Tr sqrtm(S1 S2) = Tr sqrtm(S1^½ S2 S1^½), the latter symmetric PSD: an independent route.
    rng = np.random.default_rng(2)
    d = 8
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = _random_cov(rng, d), _random_cov(rng, d)
    r1 = scipy.linalg.sqrtm(s1).real
    eig = np.linalg.eigvalsh(r1 @ s2 @ r1)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(eig, 0, None)).sum()
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-7)


@pytest.mark.filterwarnings("ignore:Matrix is singular")  # scipy's expected warning here
def test_fid_singular_covariances_give_the_exact_value():
    # Rank-1 covariances make S1 S2 singular; the result must still be finite and exact.
    v = np.array([1.0, 2.0, 0.0])
    s = np.outer(v, v)
    value = frechet_distance(np.zeros(3), s, np.ones(3), s)
    assert np.isfinite(value)
    assert value == pytest.approx(3.0, abs=1e-4)


def test_fid_retries_with_offset_when_sqrtm_is_not_finite(monkeypatch):
    calls, real_sqrtm = [], scipy.linalg.sqrtm

    def fake_sqrtm(a):
        calls.append(a)
        return np.full_like(a, np.nan) if len(calls) == 1 else real_sqrtm(a)

    monkeypatch.setattr(metrics.scipy.linalg, "sqrtm", fake_sqrtm)
    s1, s2 = np.diag([1.0, 4.0]), np.diag([4.0, 1.0])
    value = frechet_distance(np.zeros(2), s1, np.zeros(2), s2)
    assert len(calls) == 2
    eps = metrics.FID_EPS
    np.testing.assert_allclose(calls[1], (s1 + eps * np.eye(2)) @ (s2 + eps * np.eye(2)))
    assert value == pytest.approx(2.0, abs=1e-5)  # (1 + 4 - 2*2) * 2


def test_fid_raises_on_large_imaginary_part():
    with pytest.raises(ValueError, match="imaginary"):
        frechet_distance(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


def test_fid_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="Mismatched"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


def test_gaussian_stats_streaming_matches_numpy(tmp_path):
    rng = np.random.default_rng(3)
    # A large offset: naive sums of outer products would lose precision here.
    feats = rng.normal(size=(101, 7)) * 0.5 + 1000.0
    stats = GaussianStats()
    for start in range(0, len(feats), 17):
        stats.update(feats[start : start + 17])
    assert stats.n == 101
    np.testing.assert_allclose(stats.mean, feats.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.cov, np.cov(feats, rowvar=False), rtol=1e-9, atol=1e-12)
    stats.save(tmp_path / "stats.npz")
    loaded = GaussianStats.load(tmp_path / "stats.npz")
    np.testing.assert_array_equal(loaded.cov, stats.cov)
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    loaded.update(feats[:5])  # a loaded accumulator keeps accumulating
    np.testing.assert_allclose(loaded.mean, np.concatenate([feats, feats[:5]]).mean(axis=0), rtol=1e-12)


def test_gaussian_stats_needs_two_samples_for_cov():
    stats = GaussianStats().update(np.ones((1, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        _ = stats.cov


# --- KID ---------------------------------------------------------------------


def _kid_reference(x_all, y_all, num_subsets, subset_size, seed):
    """Element-wise double sums over i != j, with the same subset draws as `kid`."""
    d = x_all.shape[1]
    m = min(subset_size, len(x_all), len(y_all))
    kern = lambda a, b: (np.dot(a, b) / d + 1) ** 3  # noqa: E731
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        x = x_all[rng.choice(len(x_all), m, replace=False)]
        y = y_all[rng.choice(len(y_all), m, replace=False)]
        xx = sum(kern(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
        yy = sum(kern(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
        xy = sum(kern(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
        values.append(xx + yy - 2 * xy)
    return np.mean(values), np.std(values)


def test_kid_matches_reference_and_caps_subset_size():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(12, 5)), rng.normal(size=(9, 5)) + 0.5
    got = kid(x, y, num_subsets=4, subset_size=1000, seed=7)  # capped to 9
    np.testing.assert_allclose(got, _kid_reference(x, y, 4, 1000, 7), rtol=1e-10)
    assert got == kid(x, y, num_subsets=4, subset_size=1000, seed=7)  # deterministic
    assert got != kid(x, y, num_subsets=4, subset_size=1000, seed=8)


def test_kid_near_zero_for_same_distribution_and_positive_for_shift():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    same, _ = kid(x, y, num_subsets=20, subset_size=100)
    shifted, _ = kid(x, y + 2.0, num_subsets=20, subset_size=100)
    assert abs(same) < 0.05
    assert shifted > 1.0


# --- Inception Score -----------------------------------------------------------


def test_inception_score_extremes():
    classes = 7
    confident = np.eye(classes)[np.arange(70) % classes]  # each split holds every class equally
    np.testing.assert_allclose(inception_score(confident, splits=10), (classes, 0.0), atol=1e-9)
    constant = np.tile(np.full(classes, 1 / classes), (30, 1))
    np.testing.assert_allclose(inception_score(constant, splits=3), (1.0, 0.0), atol=1e-12)
    one_class = np.eye(classes)[np.zeros(30, int)]
    np.testing.assert_allclose(inception_score(one_class, splits=3), (1.0, 0.0), atol=1e-12)


def test_confident_fraction_counts_top_probabilities_at_the_threshold():
    from jaxgan.evaluation.metrics import confident_fraction

    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.5, 0.5], [0.02, 0.98]])
    assert confident_fraction(probs, 0.9) == 3 / 5  # 0.95, 0.9 (inclusive) and 0.98
    assert confident_fraction(probs, 0.99) == 0.0
    with pytest.raises(ValueError, match=r"class probabilities \[N, K\]"):
        confident_fraction(np.ones(3), 0.9)


def test_inception_score_matches_reference():
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(40, 5)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    scores = []
    for part in np.split(probs, 4):
        py = part.mean(axis=0)
        scores.append(np.exp(np.mean([np.sum(p * (np.log(p) - np.log(py))) for p in part])))
    np.testing.assert_allclose(inception_score(probs, splits=4), (np.mean(scores), np.std(scores)), rtol=1e-12)


# --- precision / recall, density / coverage ---------------------------------------


def _brute_radii(a, k):
    d = np.linalg.norm(a[:, None] - a[None], axis=-1)
    return np.sort(d, axis=1)[:, k]  # index 0 is the point itself


def _brute_prdc(real, fake, k_pr, k_dc):
    d_rf = np.linalg.norm(real[:, None] - fake[None], axis=-1)  # [N, M]
    r_real, r_fake = _brute_radii(real, k_pr), _brute_radii(fake, k_pr)
    precision = np.mean([any(d_rf[i, j] <= r_real[i] for i in range(len(real))) for j in range(len(fake))])
    recall = np.mean([any(d_rf[i, j] <= r_fake[j] for j in range(len(fake))) for i in range(len(real))])
    r_dc = _brute_radii(real, k_dc)
    density = (d_rf < r_dc[:, None]).sum() / (k_dc * len(fake))
    coverage = np.mean([d_rf[i].min() < r_dc[i] for i in range(len(real))])
    return precision, recall, density, coverage


@pytest.mark.parametrize("chunk", [metrics.CHUNK, 7])
def test_prdc_match_brute_force(monkeypatch, chunk):
    monkeypatch.setattr(metrics, "CHUNK", chunk)  # 7 exercises the chunked paths
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) * 1.3 + 0.4
    p, r, dens, cov = _brute_prdc(real, fake, 3, 5)
    pr = precision_recall(real, fake, k=3)
    dc = density_coverage(real, fake, k=5)
    assert 0 < p < 1 and 0 < r < 1 and 0 < cov < 1  # a case where the comparison is informative
    assert pr["precision"] == pytest.approx(p) and pr["recall"] == pytest.approx(r)
    assert dc["density"] == pytest.approx(dens) and dc["coverage"] == pytest.approx(cov)


def test_prdc_extremes():
    rng = np.random.default_rng(8)
    real = rng.normal(size=(50, 4))
    assert precision_recall(real, real.copy()) == {"precision": 1.0, "recall": 1.0}
    same = density_coverage(real, real.copy())
    assert same["coverage"] == 1.0
    assert same["density"] >= 1.0  # each fake lies in its own twin's ball and usually a few more
    far = real + 1e3
    assert precision_recall(real, far) == {"precision": 0.0, "recall": 0.0}
    assert density_coverage(real, far) == {"density": 0.0, "coverage": 0.0}


def test_kth_nn_radii_exclude_the_point_itself():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(metrics.kth_nn_sq_radii(points, 1), [1.0, 1.0, 4.0, 16.0])
    np.testing.assert_allclose(metrics.kth_nn_sq_radii(points, 2), [9.0, 4.0, 9.0, 36.0])
    with pytest.raises(ValueError, match="k-NN"):
        metrics.kth_nn_sq_radii(points, 4)
