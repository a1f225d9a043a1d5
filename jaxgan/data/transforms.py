"""Deterministic image transforms that make paired tasks from plain images: edges, down- and resizing.

All take and return uint8 `[N, H, W, C]` arrays (numpy, on the host), so a
derived dataset is a pure function of its base images: the same garment gives
the same edge map and the same low-resolution input on every machine.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# Sobel kernels (x: left-to-right gradient); the magnitude of a unit step edge is 4.
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
SOBEL_Y = SOBEL_X.T
# An edge pixel has a Sobel magnitude of at least this, on intensities in [0, 1]:
# a step of 0.25 of the full range (a unit step gives 4, so 1.0 = a quarter step).
EDGE_THRESHOLD = 1.0


def _resize(images: np.ndarray, size: tuple[int, int], resample: Image.Resampling) -> np.ndarray:
    """Each uint8 image `[H, W, C]` resized by PIL to `size` = (height, width)."""
    images = np.asarray(images, np.uint8)
    out = np.empty((len(images), *size, images.shape[-1]), np.uint8)
    for i, image in enumerate(images):
        for c in range(image.shape[-1]):
            pil = Image.fromarray(image[..., c]).resize((size[1], size[0]), resample)
            out[i, ..., c] = np.asarray(pil)
    return out


def resize_bilinear(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 `[N, H, W, C]` -> `[N, size, size, C]`, PIL bilinear (how `jaxgan.data.images` resizes)."""
    return _resize(images, (size, size), Image.Resampling.BILINEAR)


def downsample_bicubic(images: np.ndarray, factor: int) -> np.ndarray:
    """uint8 `[N, H, W, C]` -> `[N, H / factor, W / factor, C]` by bicubic downsampling.

    SRGAN's low-resolution inputs (Ledig et al. 2017: "bicubic kernel with
    downsampling factor r"): PIL's bicubic resize, which widens the kernel by
    the factor when shrinking (antialiased, like MATLAB's `imresize`).
    """
    images = np.asarray(images, np.uint8)
    height, width = images.shape[1:3]
    if height % factor or width % factor:
        raise ValueError(f"Cannot downsample {height}x{width} images by {factor}: not a divisor of both sides.")
    return _resize(images, (height // factor, width // factor), Image.Resampling.BICUBIC)


def upsample_bicubic(images: np.ndarray, factor: int) -> np.ndarray:
    """uint8 `[N, h, w, C]` -> `[N, h * factor, w * factor, C]`: the bicubic baseline of super-resolution."""
    images = np.asarray(images, np.uint8)
    return _resize(images, (images.shape[1] * factor, images.shape[2] * factor), Image.Resampling.BICUBIC)


def sobel_magnitude(images: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude `[N, H, W, C]` (float32) of uint8 images read as [0, 1] intensities.

    Borders are replicated, so a uniform image has magnitude 0 everywhere.
    """
    x = np.asarray(images).astype(np.int32)  # integer sums: exact, so flat regions give exactly 0
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    height, width = x.shape[1:3]
    gx, gy = np.zeros_like(x), np.zeros_like(x)
    for dy in range(3):
        for dx in range(3):
            window = padded[:, dy : dy + height, dx : dx + width]
            gx += int(SOBEL_X[dy, dx]) * window
            gy += int(SOBEL_Y[dy, dx]) * window
    return (np.sqrt((gx * gx + gy * gy).astype(np.float64)) / 255.0).astype(np.float32)


def dilate(images: np.ndarray, radius: int = 1) -> np.ndarray:
    """Grey dilation of `[..., S, S, C]` images: the max over each pixel's (2r+1)x(2r+1) neighbourhood, the borders
    padded by repetition (so a border pixel's window holds only real pixels). Works on booleans too."""
    pad = [(0, 0)] * (images.ndim - 3) + [(radius, radius), (radius, radius), (0, 0)]
    p = np.pad(images, pad, mode="edge")
    h, w = images.shape[-3:-1]
    k = 2 * radius + 1
    return np.max([p[..., i : i + h, j : j + w, :] for i in range(k) for j in range(k)], axis=0)


def edge_map(images: np.ndarray, threshold: float = EDGE_THRESHOLD) -> np.ndarray:
    """Binary edges of uint8 images: 255 where the Sobel magnitude is >= `threshold`, else 0 (uint8).

    The garment's outline and its strong inner seams; flat regions (the
    background and uniform fabric) are 0. The map is thresholded, like the
    binarised HED edges of pix2pix's edges2shoes, so it carries shape, not
    shading: the generator has to invent the fill.
    """
    return np.where(sobel_magnitude(images) >= threshold, 255, 0).astype(np.uint8)
