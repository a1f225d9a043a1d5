"""Mode coverage of a 2-D mixture (PacGAN / VEEGAN protocol, ../shared/targets.md).

- A sample is high quality (HQ) if it lies within 3 sigma (Euclidean) of its
  nearest mode mean.
- Modes captured: components that are the nearest mode of at least one HQ sample.
- % HQ: HQ samples / all samples.
- Reverse KL: KL(q || u), q the histogram of HQ samples over their nearest
  modes, u uniform over all modes; 0 log 0 = 0 and no smoothing. Undefined
  (None) when no sample is HQ.
"""

from __future__ import annotations

from typing import Any

import numpy as np

HQ_SIGMAS = 3.0


def mode_coverage(samples: np.ndarray, means: np.ndarray, std: float) -> dict[str, Any]:
    """Mode-coverage metrics of `samples` `[N, D]` against mixture `means` `[M, D]`.

    Returns:
      dict with `modes` (captured), `num_modes`, `hq_percent`, `reverse_kl`
      (None if no HQ sample), `num_samples` and `protocol`.
    """
    samples = np.asarray(samples, np.float64).reshape(len(samples), -1)
    means = np.asarray(means, np.float64)
    dist = np.sqrt(((samples[:, None, :] - means[None, :, :]) ** 2).sum(-1))
    nearest = dist.argmin(axis=1)
    hq = dist[np.arange(len(samples)), nearest] <= HQ_SIGMAS * std
    counts = np.bincount(nearest[hq], minlength=len(means))
    reverse_kl = None
    if counts.sum() > 0:
        q = counts[counts > 0] / counts.sum()
        reverse_kl = float(np.sum(q * np.log(q * len(means))))
    finite = np.isfinite(samples).all(axis=1)
    return {
        "modes": int((counts > 0).sum()),
        "num_modes": int(len(means)),
        "hq_percent": float(100.0 * hq.mean()),
        "reverse_kl": reverse_kl,
        "num_samples": int(len(samples)),
        "non_finite_samples": int((~finite).sum()),
        "protocol": f"{len(samples)} samples; HQ = within {HQ_SIGMAS:g} sigma of nearest mode; "
        "reverse KL(q || uniform) over HQ samples, no smoothing",
    }
