"""Sample-quality metrics on extracted features: FID, KID, IS, precision/recall, density/coverage.

Pure numpy functions of feature (or class-probability) arrays, computed in
float64 so results match the published reference implementations:

- FID: Heusel et al. 2017, the TTUR / pytorch-fid / TF-GAN formula.
- KID: Bińkowski et al. 2018, unbiased MMD² with a cubic polynomial kernel.
- IS: Salimans et al. 2016, exp E[KL(p(y|x) || p(y))] per split.
- Precision/recall: Kynkäänniemi et al. 2019, k-NN radius manifolds.
- Density/coverage: Naeem et al. 2020.

The k-NN metrics compute pairwise distances in row chunks so 10k x 10k
feature sets fit in bounded memory.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import scipy.linalg
import scipy.special
from etils import epath

# pytorch-fid's offset added to both covariances when sqrtm(S1 S2) is not finite.
FID_EPS = 1e-6
# pytorch-fid's tolerance on the imaginary part of sqrtm's diagonal.
FID_IMAG_ATOL = 1e-3
# Rows per distance chunk: CHUNK x N float64 distances (80 MB at N = 10k).
CHUNK = 1024


class GaussianStats:
    """Streaming mean and covariance of features, accumulated in float64.

    Keeps n, the sum and the sum of outer products of `features - shift`,
    where `shift` is the first batch's mean: centring near the mean avoids the
    cancellation that raw sums of outer products suffer when |mean| >> std.
    The covariance is unbiased (divides by n - 1), like `np.cov`.
    """

    def __init__(self) -> None:
        self.n = 0
        self.shift: np.ndarray | None = None
        self.sum: np.ndarray | None = None
        self.outer: np.ndarray | None = None

    def update(self, features: np.ndarray) -> "GaussianStats":
        """Adds a batch `[B, D]` (or `[B, ...]`, flattened) of features; returns self."""
        x = np.asarray(features, np.float64).reshape(len(features), -1)
        if len(x) == 0:
            return self
        if self.shift is None:
            dim = x.shape[1]
            self.shift = x.mean(axis=0)
            self.sum = np.zeros(dim)
            self.outer = np.zeros((dim, dim))
        if x.shape[1] != len(self.shift):
            raise ValueError(f"Feature size {x.shape[1]} != accumulated size {len(self.shift)}.")
        x = x - self.shift
        self.n += len(x)
        self.sum += x.sum(axis=0)
        self.outer += x.T @ x
        return self

    @property
    def mean(self) -> np.ndarray:
        """Mean `[D]` of all features seen."""
        self._check(1)
        return self.shift + self.sum / self.n

    @property
    def cov(self) -> np.ndarray:
        """Unbiased covariance `[D, D]` of all features seen (needs n >= 2)."""
        self._check(2)
        centred_mean = self.sum / self.n
        return (self.outer - self.n * np.outer(centred_mean, centred_mean)) / (self.n - 1)

    def _check(self, min_n: int) -> None:
        if self.n < min_n:
            raise ValueError(f"GaussianStats needs at least {min_n} features; has {self.n}.")

    def to_dict(self) -> dict[str, np.ndarray]:
        """The accumulator's state as arrays (so more batches can be added after loading)."""
        self._check(1)
        return {"n": np.asarray(self.n, np.int64), "shift": self.shift, "sum": self.sum,
                "outer": self.outer}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> "GaussianStats":
        """Inverse of `to_dict`."""
        stats = cls()
        stats.n = int(state["n"])
        stats.shift = np.asarray(state["shift"], np.float64)
        stats.sum = np.asarray(state["sum"], np.float64)
        stats.outer = np.asarray(state["outer"], np.float64)
        return stats

    def save(self, path: str | epath.Path) -> None:
        """Writes the state to an `.npz` file."""
        with epath.Path(path).open("wb") as f:
            np.savez(f, **self.to_dict())

    @classmethod
    def load(cls, path: str | epath.Path) -> "GaussianStats":
        """Reads a state written by `save`."""
        with epath.Path(path).open("rb") as f:
            with np.load(f) as data:
                return cls.from_dict({k: data[k] for k in data.files})


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> float:
    """Fréchet distance between Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    d² = ||mu1 - mu2||² + Tr(S1 + S2 - 2 sqrtm(S1 S2)), as in TTUR, pytorch-fid
    and TF-GAN. The square root is taken in float64 by `scipy.linalg.sqrtm`;
    if it is not finite (singular product), it is retried with `FID_EPS` added
    to both diagonals (pytorch-fid's fallback). A negligible imaginary part
    from numerical error is dropped.

    Args:
      mu1, mu2: means `[D]`.
      sigma1, sigma2: covariances `[D, D]`.

    Returns:
      The distance (a Python float).

    Raises:
      ValueError: on mismatched shapes, or if sqrtm's diagonal has an
        imaginary part above `FID_IMAG_ATOL` (the covariances are not valid).
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise ValueError(f"Mismatched shapes: mu {mu1.shape}, {mu2.shape}; "
                         f"sigma {sigma1.shape}, {sigma2.shape}.")
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(sigma1)) * FID_EPS
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=FID_IMAG_ATOL):
            raise ValueError(f"sqrtm(S1 S2) has imaginary component {np.abs(covmean.imag).max():g}; "
                             "the covariances are not valid (positive semi-definite).")
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def kid(real_feats: np.ndarray, fake_feats: np.ndarray, num_subsets: int = 100,
        subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """Kernel Inception Distance: unbiased MMD² with k(x, y) = (x·y / d + 1)³ over random subsets.

    Each subset draws `m = min(subset_size, n_real, n_fake)` rows from each set
    without replacement (Bińkowski et al. 2018; the clean-fid /
    torch-fidelity computation).

    Args:
      real_feats, fake_feats: features `[N, D]` and `[M, D]`.
      num_subsets: number of subset pairs.
      subset_size: rows per subset, capped by the sample counts (needs m >= 2).
      seed: seeds the subset draws, so results are deterministic.

    Returns:
      (mean, std) of the per-subset MMD² estimates (std with ddof=0).
    """
    x_all = np.asarray(real_feats, np.float64).reshape(len(real_feats), -1)
    y_all = np.asarray(fake_feats, np.float64).reshape(len(fake_feats), -1)
    m = min(subset_size, len(x_all), len(y_all))
    if m < 2:
        raise ValueError(f"KID needs at least 2 samples per set; subset size is {m}.")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        x = x_all[rng.choice(len(x_all), m, replace=False)]
        y = y_all[rng.choice(len(y_all), m, replace=False)]
        values.append(_mmd2_unbiased(x, y))
    return float(np.mean(values)), float(np.std(values))


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² of equal-size sets under the cubic polynomial kernel."""
    m, d = x.shape
    k_xx = (x @ x.T / d + 1) ** 3
    k_yy = (y @ y.T / d + 1) ** 3
    k_xy = (x @ y.T / d + 1) ** 3
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2 * k_xy.sum() / (m * m))


def confident_fraction(probs: np.ndarray, threshold: float) -> float:
    """Fraction of samples whose most likely class has probability >= `threshold`.

    A recognisability check: a classifier trained on real images is confident
    about most real ones and about few smeared or in-between samples.
    """
    probs = np.asarray(probs)
    if probs.ndim != 2 or not len(probs):
        raise ValueError(f"confident_fraction needs class probabilities [N, K], got shape {probs.shape}.")
    return float((probs.max(axis=1) >= threshold).mean())


def inception_score(probs: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """Inception Score exp(E_x KL(p(y|x) || p(y))) over `splits` consecutive splits.

    The Salimans et al. / TTUR computation: p(y) is each split's mean
    prediction; 0 log 0 counts as 0.

    Args:
      probs: class probabilities `[N, K]` (rows sum to 1).
      splits: number of equal consecutive splits (needs N >= splits).

    Returns:
      (mean, std) of the per-split scores (std with ddof=0).
    """
    probs = np.asarray(probs, np.float64)
    if len(probs) < splits:
        raise ValueError(f"Inception Score needs at least {splits} samples; got {len(probs)}.")
    n = len(probs)
    scores = []
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        # xlogy(p, p) - xlogy(p, q): zero where p = 0, as the KL definition requires.
        kl = scipy.special.xlogy(part, part) - scipy.special.xlogy(part, marginal)
        scores.append(np.exp(kl.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def precision_recall(real_feats: np.ndarray, fake_feats: np.ndarray, k: int = 3) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Each set's manifold is the union of balls around its points, each with
    radius the distance to the point's k-th nearest other point. Precision:
    fraction of fakes inside the real manifold; recall: fraction of reals
    inside the fake manifold. Boundaries count as inside (`<=`, as the
    authors' code).

    Args:
      real_feats, fake_feats: features `[N, D]` and `[M, D]` (each needs more than k rows).
      k: the neighbour defining the radii.

    Returns:
      {"precision": float, "recall": float}.
    """
    real, fake = _as_2d(real_feats), _as_2d(fake_feats)
    real_r2, fake_r2 = kth_nn_sq_radii(real, k), kth_nn_sq_radii(fake, k)
    precision = np.concatenate([(d2 <= real_r2[None]).any(axis=1) for d2 in _sq_dist_chunks(fake, real)])
    recall = np.concatenate([(d2 <= fake_r2[None]).any(axis=1) for d2 in _sq_dist_chunks(real, fake)])
    return {"precision": float(precision.mean()), "recall": float(recall.mean())}


def density_coverage(real_feats: np.ndarray, fake_feats: np.ndarray, k: int = 5) -> dict[str, float]:
    """Density and coverage (Naeem et al. 2020).

    With r_i the distance from real i to its k-th nearest other real:
    density = sum over fakes of the number of real balls containing it, / (k M);
    coverage = fraction of reals whose ball contains at least one fake.
    Balls are open (`<`), as the authors' `prdc` code.

    Args:
      real_feats, fake_feats: features `[N, D]` and `[M, D]` (real needs more than k rows).
      k: the neighbour defining the radii.

    Returns:
      {"density": float, "coverage": float}.
    """
    real, fake = _as_2d(real_feats), _as_2d(fake_feats)
    real_r2 = kth_nn_sq_radii(real, k)
    inside = sum(int((d2 < real_r2[None]).sum()) for d2 in _sq_dist_chunks(fake, real))
    covered = np.concatenate([(d2.min(axis=1) < r2) for d2, r2 in
                              zip(_sq_dist_chunks(real, fake), _chunks(real_r2))])
    return {"density": inside / (k * len(fake)), "coverage": float(covered.mean())}


def kth_nn_sq_radii(feats: np.ndarray, k: int) -> np.ndarray:
    """Squared distance from each row of `feats` `[N, D]` to its k-th nearest other row.

    The point itself is excluded (exact duplicates of it still count as neighbours).
    """
    feats = _as_2d(feats)
    if not 1 <= k < len(feats):
        raise ValueError(f"k-NN radii need 1 <= k < number of samples; k={k}, n={len(feats)}.")
    radii = []
    for start, d2 in zip(range(0, len(feats), CHUNK), _sq_dist_chunks(feats, feats)):
        rows = np.arange(len(d2))
        d2[rows, start + rows] = -1.0  # sorts the point itself first, at index 0
        radii.append(np.partition(d2, k, axis=1)[:, k])
    return np.concatenate(radii)


def _sq_dist_chunks(a: np.ndarray, b: np.ndarray) -> Iterator[np.ndarray]:
    """Squared Euclidean distances `[<=CHUNK, len(b)]` from chunks of `a`'s rows to all of `b`."""
    b_sq = (b * b).sum(axis=1)
    for a_chunk in _chunks(a):
        d2 = (a_chunk * a_chunk).sum(axis=1)[:, None] + b_sq[None] - 2 * a_chunk @ b.T
        yield np.maximum(d2, 0.0)  # rounding can make ||a||² + ||b||² - 2a·b slightly negative


def _chunks(x: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(x), CHUNK):
        yield x[start : start + CHUNK]


def _as_2d(feats: np.ndarray) -> np.ndarray:
    return np.asarray(feats, np.float64).reshape(len(feats), -1)
