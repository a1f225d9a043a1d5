r"""Converts pytorch-fid's FID Inception weights to the `.npz` that `inception_fid` loads. Run once.

    python -m jaxgan.evaluation.convert_inception \
        --pytorch_fid pt_inception-2015-12-05-6726825d.pth --output inception_fid.npz

The input is pytorch-fid's public weights file, the GitHub release asset
https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth
(the TF Inception graph of 2015-12-05 that TTUR uses, ported to PyTorch).
Download it once on a machine that is online; reading it needs PyTorch
(CPU is enough: `pip install torch`),
which training and evaluation do not. Then point `eval.inception_weights`
at the `.npz`; its sha256 is recorded with every result computed from it.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from absl import app, flags
from etils import epath

from jaxgan.evaluation import inception
from jaxgan.evaluation.extractors import file_checksum

FLAGS = flags.FLAGS


TORCH_MISSING = (
    "Reading the pytorch-fid weights needs PyTorch, once, for this conversion only: "
    "pip install torch"
)


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
    flags.DEFINE_string("output", "inception_fid.npz", "Where to write the .npz.")


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not FLAGS.pytorch_fid:
        raise app.UsageError("Usage: python -m jaxgan.evaluation.convert_inception "
                             "--pytorch_fid pt_inception-2015-12-05-6726825d.pth --output inception_fid.npz")
    try:
        checksum = convert(FLAGS.pytorch_fid, FLAGS.output)
    except (ImportError, ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    print(f"Wrote {FLAGS.output} (sha256 {checksum}). Set eval.inception_weights={FLAGS.output}.")


if __name__ == "__main__":
    define_flags()
    app.run(main)
