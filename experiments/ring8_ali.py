"""Ring of 8 Gaussians with ALI/BiGAN: G(z), an encoder E(x) and a joint D(x, z).

experiments/ring8.py's setup (MLPs 3x128, Adam 1e-3, EMA 0.999 of G and E,
batch 256, 15k steps) with the `ali` family: an MLP encoder 3x128 and a
joint MLP D 3x128 on (x, z).

Command:
  python -m jaxgan.main --config experiments/ring8_ali.py --workdir runs/ring8_ali

Expected result: not yet measured (see experiments/README.md for the ALI table).
"""

from jaxgan.config import load_experiment
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    c = load_experiment("ring8", arg)
    c.family = family_config("ali", e={"hidden": tuple(c.model.d.hidden), "activation": "relu"})
    c.model.discriminator = "joint_mlp"
    return c
