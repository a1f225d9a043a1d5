"""VGG19 content features (SRGAN's VGG54): torchvision's layout, the conversion checked against a torch forward,
and the srgan family's `vgg19_54` content with a clear error when the weights are missing.

No real weights are needed (they cannot be had offline): random ones with torchvision's names and shapes
check the conversion and the forward. The torch cross-check needs torch, which CI installs (`inception` extra).
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import build, mock_images, random_vgg19_state_dict, require, run_steps, write_random_vgg19
from jaxgan.config import load_experiment
from jaxgan.evaluation import vgg19


def test_the_layers_are_torchvisions_vgg19_features():
    indices = {name: index for name, index, *_ in vgg19.LAYERS}
    # torchvision vgg19().features: conv at these indices, ReLU after each, max pools at 4, 9, 18, 27, 36.
    assert list(indices.values()) == [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
    assert indices["conv5_4"] == 34 and len(vgg19.LAYERS) == 16
    params = sum(9 * c_in * c_out + c_out for _, _, c_in, c_out in vgg19.LAYERS)
    assert params == 20_024_384  # torchvision's vgg19 (143,667,240) minus its classifier (123,642,856)


def test_conversion_refuses_a_state_dict_that_is_not_vgg19():
    state = random_vgg19_state_dict()
    state["features.34.weight"] = state["features.34.weight"][:, :, :1]
    del state["features.0.bias"]
    with pytest.raises(ValueError, match=r"features.0.weight/bias \(conv1_1\) missing.*features.34 \(conv5_4\) has "
                                         r"shape \(512, 512, 1, 3\)"):
        vgg19.convert_state_dict(state)


def test_flax_features_equal_a_torch_forward_of_the_same_file(tmp_path, caplog):
    try:
        import torch
    except ImportError:
        require(False, "torch is not installed: pip install torch (or the `inception` extra)")
    state = random_vgg19_state_dict()
    layers, channels = [], 3
    for item in vgg19.CONFIG_E:
        if item == "M":
            layers.append(torch.nn.MaxPool2d(2, 2))
        else:
            layers += [torch.nn.Conv2d(channels, item, 3, padding=1), torch.nn.ReLU()]
            channels = item
    features = torch.nn.Sequential(*layers)
    features.load_state_dict({k.removeprefix("features."): torch.from_numpy(v) for k, v in state.items()})
    torch.save({k: torch.from_numpy(v) for k, v in state.items()}, tmp_path / "vgg19-random.pth")
    out = vgg19.convert(tmp_path / "vgg19-random.pth", tmp_path / "vgg19.npz")
    assert "not torchvision's vgg19-dcbb9e9d" in caplog.text  # our random file: converted, with the warning

    images = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype(np.float32)
    ours = np.asarray(vgg19.VGG19Features("conv5_4").apply(vgg19.load(out), images))
    normalised = ((images + 1) / 2 - vgg19.IMAGENET_MEAN) / vgg19.IMAGENET_STD
    with torch.no_grad():
        theirs = features[:36](torch.from_numpy(normalised.transpose(0, 3, 1, 2))).numpy().transpose(0, 2, 3, 1)
    assert ours.shape == theirs.shape == (2, 4, 4, 512)
    assert np.abs(theirs).max() > 0.1
    np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-3 * np.abs(theirs).max())


def test_grayscale_is_tiled_and_an_unknown_layer_lists_the_choices(tmp_path):
    variables = vgg19.load(write_random_vgg19(tmp_path) / vgg19.WEIGHTS_FILE)
    gray = jnp.asarray(np.random.default_rng(2).uniform(-1, 1, (1, 16, 16, 1)), jnp.float32)
    net = vgg19.VGG19Features("conv2_2")
    np.testing.assert_allclose(net.apply(variables, gray), net.apply(variables, jnp.repeat(gray, 3, -1)), rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown VGG19 layer 'conv6_1'. Choices: conv1_1, conv1_2"):
        vgg19.VGG19Features("conv6_1").apply(variables, gray)


def srgan_vgg_config(cache):
    c = load_experiment("srgan_fashion_mnist_x4", "smoke")
    c.family.content, c.family.content_scale = "vgg19_54", 1 / 12.75**2
    c.data.image_size = 16  # conv5_4 on a 1x1 map: the cheapest size VGG19 takes
    c.eval.cache_dir = str(cache)
    return c


def test_a_missing_vgg19_file_says_how_to_get_it(tmp_path):
    with mock_images(16):
        with pytest.raises(ValueError, match=re.escape("family.content='vgg19_54': No VGG19 weights at ") +
                           ".*download.pytorch.org/models/vgg19-dcbb9e9d.pth.*python -m jaxgan.evaluation.vgg19 --torch"):
            build(srgan_vgg_config(tmp_path / "empty"))


@pytest.mark.slow  # CI's 15-minute budget: compiling VGG19's backward pass takes a minute on 2 cores
def test_srgan_with_vgg54_content_trains(tmp_path):
    with mock_images(16):
        state = run_steps(build(srgan_vgg_config(write_random_vgg19(tmp_path / "cache"))), 1)
    assert int(state.step) == 1
    assert all(np.isfinite(x).all() for x in jax.tree.leaves(jax.device_get(state.params)))
