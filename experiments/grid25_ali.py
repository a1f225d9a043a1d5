"""Grid of 25 Gaussians with BiGAN/ALI: G(z), a deterministic encoder E(x) and a joint D(x, z).

experiments/grid25.py's setup (= ring8.py's MLPs 3x128, non-saturating loss,
Adam 1e-3, EMA 0.999 of G and E, batch 256, 20k steps) with the `ali`
family: an MLP encoder 3x128 and a joint MLP D 3x128 on (x, z). The same
config as the ALI table's `ali` row (tests/test_sweep_tools.py checks it).
On the grid the deterministic encoder covers more modes than the Gaussian
one (seed 0: 24 against 13 modes).

Command:
  python -m jaxgan.main --config experiments/grid25_ali.py --workdir runs/grid25_ali

Expected result (measured as the command runs it: 2 CPU cores, 1 device,
jax 0.10.2, seeds 0-4 with --config.seed=S; the ALI table in
experiments/README.md, `ali`):
  21.4±1.7 modes (24, 19, 20, 22, 22), 85.8±4.1% high-quality samples,
  reverse KL 0.28, about 5 min per run on cores shared with other runs
  (seed 0 at 40k steps: 24/25, 84.6%). PacGAN Table 1's ALI row: 24.1±0.4
  modes, 95.7±0.6% HQ, rKL 0.14: not reached yet.
"""

from jaxgan.config import load_experiment
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    c = load_experiment("grid25", arg)
    c.family = family_config("ali", e={"hidden": tuple(c.model.d.hidden), "activation": "relu"})
    c.model.discriminator = "joint_mlp"
    return c
