"""Grid of 25 Gaussians (sigma 0.05), non-saturating GAN with MLPs: the plain-GAN baseline.

Command:
  python -m jaxgan.main --config experiments/grid25.py --workdir runs/grid25

Expected result (measured, seed 0, jax 0.10.2 on 2 CPU cores, 1 device):
  17/25 modes, 92.04% high-quality samples, reverse KL 0.61, 20,000 steps in
  3.5 min (209 s, with other jobs sharing the cores). That is PacGAN Table 1's
  GAN row (17.3±0.8 modes, 94.8±0.7% HQ, rKL 0.70): the plain GAN drops modes
  on the grid. Other seeds and losses: experiments/README.md.
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
