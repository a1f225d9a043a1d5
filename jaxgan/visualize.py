"""Pictures of samples: a scatter over the true modes for 2-D data."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def scatter_png(samples: np.ndarray, means: np.ndarray | None = None, title: str = "") -> bytes:
    """A PNG scatter of 2-D `samples` over the mixture `means` (red circles)."""
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, c="tab:blue", label="samples", zorder=2)
    if means is not None:
        ax.scatter(means[:, 0], means[:, 1], s=80, facecolors="none", edgecolors="red", label="modes", zorder=1)
        lim = np.abs(means).max() * 1.5
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def png_to_array(png: bytes) -> np.ndarray:
    """Decodes PNG bytes to an HWC uint8 RGB array (for TensorBoard)."""
    image = plt.imread(io.BytesIO(png), format="png")
    return (image[..., :3] * 255).astype(np.uint8)


def samples_png(samples: np.ndarray, dataset, title: str = "") -> bytes:
    """The picture that fits the data: a scatter over the modes for 2-D mixtures."""
    if samples.ndim == 2 and samples.shape[1] == 2:
        return scatter_png(samples, getattr(dataset, "means", None), title)
    raise NotImplementedError(f"No picture for samples of shape {samples.shape[1:]}.")
