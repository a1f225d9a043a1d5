import numpy as np

from jaxgan.data.mixtures import GaussianMixture, grid_means, ring_means
from jaxgan.evaluation.mode_coverage import mode_coverage

RING = GaussianMixture("ring8", ring_means(8), std=0.01)
GRID = GaussianMixture("grid25", grid_means(), std=0.05)


def test_ring_means_are_eight_distinct_modes_on_the_unit_circle():
    means = ring_means(8)
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0)
    distances = np.linalg.norm(means[:, None] - means[None], axis=-1) + np.eye(8)
    assert distances.min() > 0.7  # no repeated mode (linspace(0, 2pi, 8) would repeat one)


def test_exact_mixture_samples_cover_all_modes():
    for mixture in (RING, GRID):
        samples = mixture.sample(np.random.default_rng(0), 2500)
        result = mode_coverage(samples, mixture.means, mixture.std)
        assert result["modes"] == len(mixture.means)
        assert result["hq_percent"] > 98.0  # 3 sigma in 2-D keeps 98.9%
        assert result["reverse_kl"] < 0.02


def test_collapsed_generator_has_one_mode():
    samples = RING.means[3] + 0.001 * np.random.default_rng(0).standard_normal((2500, 2))
    result = mode_coverage(samples, RING.means, RING.std)
    assert result["modes"] == 1
    assert result["hq_percent"] == 100.0
    np.testing.assert_allclose(result["reverse_kl"], np.log(8))


def test_uniform_noise_is_almost_never_high_quality():
    samples = np.random.default_rng(0).uniform(-2, 2, size=(2500, 2))
    result = mode_coverage(samples, RING.means, RING.std)
    assert result["hq_percent"] < 1.0


def test_reverse_kl_by_hand():
    # Two HQ samples on mode 0, two on mode 1, one far away: q = (1/2, 1/2).
    samples = np.array([RING.means[0], RING.means[0], RING.means[1], RING.means[1], [5.0, 5.0]])
    result = mode_coverage(samples, RING.means, RING.std)
    assert result["modes"] == 2
    np.testing.assert_allclose(result["hq_percent"], 80.0)
    np.testing.assert_allclose(result["reverse_kl"], np.log(4.0))


def test_no_high_quality_sample_gives_undefined_kl():
    result = mode_coverage(np.full((10, 2), 5.0), RING.means, RING.std)
    assert result["modes"] == 0 and result["reverse_kl"] is None


def test_batches_are_a_function_of_seed_and_step_and_split_by_process():
    a = RING.local_batch(step=7, global_batch=8, num_batches=2)
    b = RING.local_batch(step=7, global_batch=8, num_batches=2)
    c = RING.local_batch(step=8, global_batch=8, num_batches=2)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert not np.array_equal(a["x"], c["x"])
    halves = [RING.local_batch(7, 8, 2, process_index=p, process_count=2)["x"] for p in range(2)]
    np.testing.assert_array_equal(np.concatenate(halves, axis=1), a["x"])
