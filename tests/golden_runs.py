"""Short runs whose samples were recorded before the family seam (tests/goldens/*.npz).

`tests/test_goldens.py` runs each config again through today's trainer and
compares its samples with the recording. The configs use only keys that mean
the same before and after the move, so the recording and the re-run train the
very same GAN. `python tests/goldens/make_goldens.py` re-records them (only
ever do that for a deliberate change of arithmetic, and say so in the commit).
"""

from __future__ import annotations

import contextlib
import json
import pathlib

from conftest import tiny_config
from helpers import machine_fingerprint, mock_images

# The machine kind the goldens and tests/goldens/old_workdir were recorded on (goldens/machine.json).
MACHINE_FILE = pathlib.Path(__file__).parent / "goldens" / "machine.json"
RECORDED_HERE = json.loads(MACHINE_FILE.read_text())["fingerprint"] == machine_fingerprint()
# On another CPU, XLA:CPU's float32 bits differ and 24 training steps amplify them: measured 2e-3
# (ring8) and 9e-3 (r1_ema) between two CPU models on samples of scale ~2 (goldens/machine.json).
# A broken seam (another key, loss or update order) moves samples by O(1).
OTHER_MACHINE_ATOL = 0.05

# Latents of the compared samples: a key of their own, not any run's.
SAMPLE_SEED = 123
NUM_SAMPLES = 64
NUM_IMAGE_SAMPLES = 24  # three classes' rows of 8


def _ring8():
    c = tiny_config(total_steps=24, batch_size=32)
    c.model.g.hidden = c.model.d.hidden = (32, 32)
    c.checkpoint_every_steps = c.eval_every_steps = c.log_every_steps = 12
    return c


def ring8():
    """Plain non-saturating GAN, BatchNorm in G."""
    return _ring8()


def r1_ema():
    """Hinge + lazy R1 (every 2nd D update), LeCam, 2 D steps per G step, EMA of G."""
    c = _ring8()
    c.loss = "hinge"
    c.d_steps_per_g_step = 2
    c.penalties = {"r1": {"weight": 0.1, "every": 2}, "lecam": {"weight": 0.01}}
    c.ema.decay = 0.9
    return c


def _images(conditioning):
    c = tiny_config(total_steps=4, batch_size=8)
    c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
    c.eval.num_samples = 16
    c.data.name, c.data.use_labels = "fashion_mnist", True
    c.model.generator = c.model.discriminator = "dcgan28"
    c.model.g = {"width": 4}
    c.model.d = {"width": 4, "conditioning": conditioning}
    c.model.latent_dim = 8
    c.ema.decay = 0.5
    return c


def projection():
    """Conditional DCGAN on mock Fashion-MNIST: cBN in G, projection D, EMA."""
    return _images("projection")


def acgan():
    """Conditional DCGAN on mock Fashion-MNIST: cBN in G, ACGAN D (auxiliary classifier)."""
    return _images("acgan")


RUNS = {"ring8": ring8, "r1_ema": r1_ema, "projection": projection, "acgan": acgan}
MOCK_EXAMPLES = 40


def num_samples(name: str) -> int:
    return NUM_IMAGE_SAMPLES if name in ("projection", "acgan") else NUM_SAMPLES


def data_context(name: str):
    """Mock tfds images for the image runs; nothing for 2-D ones."""
    return mock_images(MOCK_EXAMPLES) if name in ("projection", "acgan") else contextlib.nullcontext()
