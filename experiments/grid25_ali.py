"""Grid of 25 Gaussians with ALI: G(z), a noise-input encoder E(x, eps), a joint D(x, z), and R1 on x.

experiments/grid25.py's setup (= ring8.py's MLPs 3x128, non-saturating loss,
Adam 1e-3, EMA 0.999 of G and E, batch 256) with the `ali` family as in
experiments/ring8_ali.py (the implicit posterior E([x, eps])), plus R1 of
weight 0.03 on D's gradient with respect to x only
(`penalties.r1.leaves=("x",)`), for 40k steps. The same config as the ALI
table's `ali+implicit+r1x_x0.03+40k` row (tests/test_sweep_tools.py checks it).

What each piece does (seed 0, runs pinned to one core; the "ALI recipes
tried" table in experiments/README.md): the implicit posterior alone keeps
18/25 modes at 93.1% HQ (BiGAN's deterministic encoder: 21.4±1.7 modes,
85.8±4.1%); R1 on x brings every mode back (25/25, 94.5% at 20k steps)
where R1 on the whole (x, z) pair does not (24/25, 90.9%) and on the ring
costs sharpness; 40k steps sharpen the modes (95.8%).

Command:
  python -m jaxgan.main --config experiments/grid25_ali.py --workdir runs/grid25_ali

Expected result (measured as the command runs it: 2 CPU cores (AMD EPYC),
1 device, jax 0.10.2, seeds 0-4 with --config.seed=S; the ALI table in
experiments/README.md):
  25/25 modes on every seed, 96.8±0.4% high-quality samples (96.88, 97.28,
  96.64, 97.08, 96.24), reverse KL 0.011, reconstructions G(E(x)) in x's
  own mode 100% (seed 3: 96.4%). 7.0 min for seed 3 alone on the 2 cores
  (99 steps/s); 11-19 min for the others, on cores shared with 2-3 other jobs.
  PacGAN Table 1's ALI row: 24.1±0.4 modes, 95.7±0.6% HQ, rKL 0.14.
On Intel Xeon (2 cores; CI's machine kind; other bits), the same command:
  25/25 modes on every seed, 96.4±1.0% HQ (96.32, 95.16, 97.44, 95.40,
  97.52), reverse KL 0.01, 2.9 min per run alone. Above PacGAN's mean, but
  seeds 1 and 3 fall below it: thinner margin than on AMD (`python -m
  jaxgan.tools.sweep_2d --out runs/shipped_2core --workers 1 --datasets grid25
  --recipes ali+implicit+r1x_x0.03+40k`).
"""

from jaxgan.config import load_experiment
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    c = load_experiment("grid25", arg)
    c.family = family_config("ali", e={"hidden": tuple(c.model.d.hidden), "activation": "relu"},
                             posterior="implicit")
    c.model.discriminator = "joint_mlp"
    c.penalties = {"r1": {"weight": 0.03, "leaves": ("x",)}}
    if arg != "smoke":
        c.total_steps = 40_000
        c.eval_every_steps = c.checkpoint_every_steps = 10_000
    return c
