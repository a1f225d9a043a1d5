"""MNIST (prepare online): dcgan28 G and D, non-saturating loss.

Prepare the data once:
  python -m jaxgan.data.prepare mnist   # online: pip install -e ".[prepare]" first
Command:
  python -m jaxgan.main --config experiments/dcgan_mnist.py --workdir runs/dcgan_mnist

Batch 128, Adam (lr 2e-4, b1 0.5) for both networks (Radford et al. 2016),
EMA of G for the sample grids, 5_000 steps.

Expected result: not measured yet. There is no image metric until the
evaluation work lands, so judge the grids in runs/dcgan_mnist/samples.
"""

from jaxgan.config import base_config


def get_config(arg: str | None = None):
    c = base_config()
    c.data.name = "mnist"
    c.total_steps = 5_000
    c.batch_size = 128
    c.loss = "non_saturating"
    c.model.generator = c.model.discriminator = "dcgan28"
    c.model.latent_dim = 100
    for net in (c.optimizer.g, c.optimizer.d):
        net.lr, net.b1, net.b2 = 2e-4, 0.5, 0.999
    c.ema.decay = 0.999
    c.log_every_steps = 100
    c.eval_every_steps = c.checkpoint_every_steps = 1000
    c.eval.num_samples = 64  # one 8x8 grid
    if arg == "smoke":  # seconds: a few steps at a small batch
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
    return c
