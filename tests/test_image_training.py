"""Training on image data end to end (tfds mock data): grids of fixed latents, EMA and raw."""

import numpy as np
from PIL import Image

from conftest import tiny_config
from jaxgan import train
from test_image_data import mock_images


def test_image_gan_trains_and_writes_sample_grids(tmp_path):
    config = tiny_config(total_steps=4, **{"ema.decay": 0.9, "eval.num_samples": 16})
    config.data.name = "fashion_mnist"
    config.model.latent_dim = 8
    config.model.g.output_activation = "tanh"
    with mock_images(num_examples=40):
        results = train.train_and_evaluate(config, str(tmp_path))
    assert results["num_samples"] == 16 and results["non_finite_samples"] == 0
    assert "no sample-quality metric" in results["protocol"]
    ema = np.asarray(Image.open(tmp_path / "samples" / "step_00000004.png"))
    raw = np.asarray(Image.open(tmp_path / "samples" / "step_00000004_raw.png"))
    assert ema.shape == raw.shape == (2 + 2 * 30, 2 + 8 * 30, 3)  # 16 images of 28x28 in 8 columns
    assert not np.array_equal(ema, raw)
