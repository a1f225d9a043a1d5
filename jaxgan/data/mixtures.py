"""2-D Gaussian mixtures for mode-collapse benchmarks (protocol: ../shared/targets.md).

ring8: 8 modes at (cos 2*pi*i/8, sin 2*pi*i/8), i = 0..7, sigma = 0.01 (eight
distinct modes, unlike code that uses linspace(0, 2*pi, 8)).
grid25: 25 modes at {-4, -2, 0, 2, 4}^2, sigma = 0.05.
"""

from __future__ import annotations

import dataclasses

import ml_collections
import numpy as np

from jaxgan.data.registry import DATASETS

# Sub-stream of the seed for training data, apart from any other numpy use.
_TRAIN_STREAM = 0
# Seed of held-out points for evaluators (reconstruction, probes): apart from training data.
_REFERENCE_STREAM = 1_000_003


def ring_means(num_modes: int = 8, radius: float = 1.0) -> np.ndarray:
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_means(values: tuple[float, ...] = (-4.0, -2.0, 0.0, 2.0, 4.0)) -> np.ndarray:
    return np.array([(x, y) for x in values for y in values], dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class GaussianMixture:
    """An infinite, seeded stream of samples from an isotropic Gaussian mixture.

    Components are equally likely. The global batch of step t is drawn from
    numpy's generator seeded with (seed, stream, t), so the sequence is a pure
    function of (seed, step); each process keeps its own rows of it.
    """

    name: str
    means: np.ndarray
    std: float
    seed: int = 0
    num_classes = 0  # no labels (a class attribute, not a field)

    @property
    def element_shape(self) -> tuple[int, ...]:
        return (self.means.shape[1],)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draws `n` samples as float32 `[n, dim]`."""
        component = rng.integers(len(self.means), size=n)
        noise = rng.standard_normal((n, self.means.shape[1]))
        return (self.means[component] + self.std * noise).astype(np.float32)

    def reference_examples(self, split: str, num: int) -> tuple[np.ndarray, np.ndarray]:
        """`num` held-out points and the mode each came from, fixed by (split, num), not by the run's seed."""
        rng = np.random.default_rng([_REFERENCE_STREAM, sum(map(ord, split)), num])
        component = rng.integers(len(self.means), size=num)
        noise = rng.standard_normal((num, self.means.shape[1]))
        return (self.means[component] + self.std * noise).astype(np.float32), component.astype(np.int32)

    def local_batch(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> dict[str, np.ndarray]:
        """This process's rows of the batch for `step`: `{"x": [num_batches, B / P, dim]}`."""
        rng = np.random.default_rng([self.seed, _TRAIN_STREAM, step])
        x = self.sample(rng, num_batches * global_batch).reshape(num_batches, global_batch, -1)
        per_process = global_batch // process_count
        start = process_index * per_process
        return {"x": x[:, start : start + per_process]}


@DATASETS.register("ring8")
def ring8(config: ml_collections.ConfigDict) -> GaussianMixture:
    return GaussianMixture("ring8", ring_means(8), std=0.01, seed=config.seed)


@DATASETS.register("grid25")
def grid25(config: ml_collections.ConfigDict) -> GaussianMixture:
    return GaussianMixture("grid25", grid_means(), std=0.05, seed=config.seed)
