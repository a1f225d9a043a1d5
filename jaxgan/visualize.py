"""Pictures of samples: a scatter over the true modes for 2-D data."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def pyplot():
    """matplotlib.pyplot on the file-only Agg backend, imported on first use.

    Only 2-D scatters need it; importing it costs every process ~0.5 s (CLIs
    that never plot, image runs), so it is not a module-level import.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def scatter_png(samples: np.ndarray, means: np.ndarray | None = None, title: str = "") -> bytes:
    """A PNG scatter of 2-D `samples` over the mixture `means` (red circles)."""
    plt = pyplot()
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
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def image_grid(images: np.ndarray, columns: int = 8) -> np.ndarray:
    """Tiles `[N, H, W, C]` images in [-1, 1] into one HWC uint8 grid, row-major."""
    n, h, w, c = images.shape
    rows = -(-n // columns)
    grid = np.full((rows * (h + 2) + 2, columns * (w + 2) + 2, c), 255, np.uint8)
    pixels = np.clip((images + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
    for i, image in enumerate(pixels):
        r, col = divmod(i, columns)
        grid[2 + r * (h + 2) : 2 + r * (h + 2) + h, 2 + col * (w + 2) : 2 + col * (w + 2) + w] = image
    return np.repeat(grid, 3, axis=2) if c == 1 else grid


def with_banner(grid: np.ndarray, text: str) -> np.ndarray:
    """`grid` (HWC uint8 RGB) under a white band with `text` in black, wrapped to the grid's width.

    For what the picture's file name cannot say, e.g. ProGAN's resolution and
    fade-in alpha at the step (Pillow's built-in font: no font file needed).
    """
    font = ImageFont.load_default()
    width = grid.shape[1] - 4
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line}  {word}".strip()  # two spaces: the built-in font's one is narrow
        if line and font.getlength(candidate) > width:
            lines.append(line)
            candidate = word
        line = candidate
    lines.append(line)
    top, bottom = font.getbbox("Ag")[1], font.getbbox("Ag")[3]
    step = bottom + 2
    band = Image.new("RGB", (grid.shape[1], step * len(lines) + 4 - top), (255, 255, 255))
    draw = ImageDraw.Draw(band)
    for i, text_line in enumerate(lines):
        draw.text((2, 2 - top + i * step), text_line, fill=(0, 0, 0), font=font)
    return np.concatenate([np.asarray(band), grid])


def png_bytes(image: np.ndarray) -> bytes:
    """Encodes an HWC uint8 RGB image as PNG."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


def samples_png(samples: np.ndarray, dataset, title: str = "", columns: int = 8, banner: bool = False) -> bytes:
    """The picture that fits the data: a scatter over the modes for 2-D points (titled), a grid for images
    (`banner`: with `title` written above it; else the bare grid, whose file name says the step)."""
    if samples.ndim == 2 and samples.shape[1] == 2:
        return scatter_png(samples, getattr(dataset, "means", None), title)
    if samples.ndim == 4:
        grid = image_grid(samples, columns)
        return png_bytes(with_banner(grid, title) if banner and title else grid)
    raise ValueError(f"No picture for samples of shape {samples.shape[1:]}: expected [N, 2] points or [N, H, W, C] images.")
