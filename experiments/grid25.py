"""Grid of 25 Gaussians (sigma 0.05), non-saturating GAN with MLPs: the plain-GAN baseline.

Command:
  python -m jaxgan.main --config experiments/grid25.py --workdir runs/grid25

Expected result: to be measured.
"""

from jaxgan.config import base_config


def get_config(arg: str | None = None):
    c = base_config()
    c.data.name = "grid25"
    c.seed = 0
    c.total_steps = 20_000
    c.batch_size = 256
    c.loss = "non_saturating"
    c.model.latent_dim = 2
    c.model.g.hidden = (128, 128, 128)
    c.model.d.hidden = (128, 128, 128)
    c.optimizer.g.lr = 1e-3
    c.optimizer.d.lr = 1e-3
    c.ema.decay = 0.999
    c.log_every_steps = 1000
    c.eval_every_steps = 5000
    c.checkpoint_every_steps = 5000
    if arg == "smoke":  # seconds on a laptop: tiny networks, a few steps
        c.model.g.hidden = c.model.d.hidden = (16, 16)
        c.batch_size = 16
        c.total_steps, c.log_every_steps, c.eval_every_steps, c.checkpoint_every_steps = 20, 10, 10, 10
        c.eval.num_samples = 200
    return c
