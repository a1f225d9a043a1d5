r"""VGG19 features for SRGAN's content loss (Ledig et al. 2017: "VGG54"), from torchvision's ImageNet weights.

VGG19's weights cannot be had offline, so nothing here is trained or faked:
the user converts torchvision's file once (online, or from a copy):

    # https://download.pytorch.org/models/vgg19-dcbb9e9d.pth (548 MB)
    python -m jaxgan.evaluation.vgg19 --torch vgg19-dcbb9e9d.pth

which writes `vgg19.npz` to the cache directory ($JAXGAN_CACHE_DIR or
~/.cache/jaxgan; `--output` elsewhere). Reading the `.pth` needs PyTorch,
once (`pip install torch`). The converter checks every layer name and shape
of torchvision's `vgg19().features` and records the file's sha256; a file
whose sha256 does not start with torchvision's `dcbb9e9d` (e.g. a fine-tuned
VGG19) is converted with a warning that says so.

`VGG19Features(layer="conv5_4")` is torchvision's `features` up to that
conv's ReLU (`phi_{5,4}`: the 4th conv of the 5th block, after activation,
before the 5th pooling; 512 channels at 1/16 of the input size), on images
in [-1, 1] with 1 or 3 channels (grayscale tiled), normalised as torchvision's
ImageNet models expect ((x - mean) / std on [0, 1] RGB).
The srgan family's `content="vgg19_54"` uses it (jaxgan/families/srgan.py).
"""

from __future__ import annotations

import hashlib
import sys

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags, logging
from etils import epath

from jaxgan.evaluation.extractors import cache_dir

WEIGHTS_FILE = "vgg19.npz"
TORCHVISION_SHA256_PREFIX = "dcbb9e9d"  # torchvision names its files by their sha256's first 8 hex digits
# torchvision's vgg19 config "E": channels per conv, "M" a 2x2 max pool.
CONFIG_E = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def conv_layers() -> list[tuple[str, int, int, int]]:
    """(name like "conv5_4", index in torchvision's `features`, in channels, out channels) of every conv."""
    layers, index, block, within, channels = [], 0, 1, 0, 3
    for item in CONFIG_E:
        if item == "M":
            index, block, within = index + 1, block + 1, 0
            continue
        within += 1
        layers.append((f"conv{block}_{within}", index, channels, item))
        index, channels = index + 2, item  # conv, ReLU
    return layers


LAYERS = conv_layers()
LAYER_NAMES = tuple(name for name, *_ in LAYERS)


class VGG19Features(nn.Module):
    """torchvision's VGG19 `features` up to `layer`'s ReLU; see the module docstring."""

    layer: str = "conv5_4"

    @nn.compact
    def __call__(self, images: jax.Array) -> jax.Array:
        if self.layer not in LAYER_NAMES:
            raise ValueError(f"Unknown VGG19 layer {self.layer!r}. Choices: {', '.join(LAYER_NAMES)}.")
        x = images if images.shape[-1] == 3 else jnp.repeat(images, 3, axis=-1)
        x = ((x + 1.0) / 2.0 - IMAGENET_MEAN) / IMAGENET_STD
        block = 1
        for name, _, _, out in LAYERS:
            if int(name[4]) != block:  # a new block starts after a pool
                x, block = nn.max_pool(x, (2, 2), (2, 2)), int(name[4])
            x = nn.relu(nn.Conv(out, (3, 3), padding=1, name=name)(x))
            if name == self.layer:
                return x
        raise AssertionError("unreachable")


def load(path: str | epath.Path | None = None, configured_cache: str = "") -> dict:
    """The converted params (`{"params": {conv name: {kernel, bias}}}`); FileNotFoundError says how to make them."""
    path = epath.Path(path) if path else cache_dir(configured_cache) / WEIGHTS_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"No VGG19 weights at {path}. VGG19 cannot be had offline; on a machine with internet download "
            f"torchvision's https://download.pytorch.org/models/vgg19-{TORCHVISION_SHA256_PREFIX}.pth, then "
            f"`pip install torch && python -m jaxgan.evaluation.vgg19 --torch vgg19-{TORCHVISION_SHA256_PREFIX}.pth"
            f"{'' if path.parent == cache_dir(configured_cache) else f' --output {path}'}`.")
    with path.open("rb") as f, np.load(f) as data:
        return {"params": {name: {"kernel": jnp.asarray(data[f"{name}/kernel"]), "bias": jnp.asarray(data[f"{name}/bias"])}
                           for name in LAYER_NAMES}}


def convert_state_dict(state_dict: dict) -> dict[str, np.ndarray]:
    """torchvision `vgg19().state_dict()` (`features.<i>.weight` OIHW, `.bias`) -> `{name/kernel (HWIO), name/bias}`."""
    out, problems = {}, []
    for name, index, c_in, c_out in LAYERS:
        w, b = state_dict.get(f"features.{index}.weight"), state_dict.get(f"features.{index}.bias")
        if w is None or b is None:
            problems.append(f"features.{index}.weight/bias ({name}) missing")
            continue
        w, b = np.asarray(w, np.float32), np.asarray(b, np.float32)
        if w.shape != (c_out, c_in, 3, 3) or b.shape != (c_out,):
            problems.append(f"features.{index} ({name}) has shape {w.shape}/{b.shape}, expected {(c_out, c_in, 3, 3)}")
            continue
        out[f"{name}/kernel"], out[f"{name}/bias"] = w.transpose(2, 3, 1, 0), b
    if problems:
        raise ValueError("Not torchvision's VGG19 `features` state_dict: " + "; ".join(problems) + ".")
    return out


def convert(torch_file: str | epath.Path, output: str | epath.Path | None = None) -> epath.Path:
    """Converts torchvision's VGG19 `.pth` to the `.npz` `load` reads; returns its path."""
    try:
        import torch
    except ImportError:
        raise RuntimeError("Reading torchvision's VGG19 file needs PyTorch, once: pip install torch") from None
    torch_file = epath.Path(torch_file)
    digest = hashlib.sha256(torch_file.read_bytes()).hexdigest()
    if not digest.startswith(TORCHVISION_SHA256_PREFIX):
        logging.warning("%s has sha256 %s..., not torchvision's vgg19-%s: converting it anyway; results computed "
                        "from it are not comparable with the ImageNet VGG19's.", torch_file, digest[:16],
                        TORCHVISION_SHA256_PREFIX)
    state = torch.load(torch_file, map_location="cpu", weights_only=True)
    arrays = convert_state_dict({k: v.numpy() for k, v in state.items()})
    output = epath.Path(output) if output else cache_dir() / WEIGHTS_FILE
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as f:
        np.savez(f, **arrays, source_sha256=np.array(digest))
    return output


def main(argv: list[str]) -> None:
    del argv
    try:
        path = convert(flags.FLAGS.torch, flags.FLAGS.output)
    except (ValueError, RuntimeError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    print(f"Wrote {path}: VGG19 conv1_1..conv5_4 (content features `vgg19_54`).")


if __name__ == "__main__":
    flags.DEFINE_string("torch", None, "torchvision's vgg19-dcbb9e9d.pth.", required=True)
    flags.DEFINE_string("output", None, f"Where to write the .npz (default: <cache dir>/{WEIGHTS_FILE}).")
    app.run(main)
