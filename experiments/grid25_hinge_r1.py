"""Grid of 25 Gaussians: hinge loss plus R1 (0.03) for 60k steps with linear lr decay, the best grid recipe.

Everything else is experiments/grid25.py (= ring8.py's MLPs 3x128, Adam 1e-3,
EMA 0.999, batch 256); both learning rates decay linearly to 0 over the run
(so total_steps cannot change on resume). The same config as the
`hinge+r1x0.03+60k+decay` row of the shipped recipes' 2-core table in
experiments/README.md (tests/test_sweep_tools.py checks it).

Command:
  python -m jaxgan.main --config experiments/grid25_hinge_r1.py --workdir runs/grid25_hinge_r1

Expected result as the command runs it (2 CPU cores, Intel Xeon (CI's machine
kind), 1 device, jax 0.10.2, seeds 0-4 with --config.seed=S; `python -m
jaxgan.tools.sweep_2d --out runs/shipped_2core --workers 1 --datasets grid25
--recipes hinge+r1x0.03+60k+decay`, which gives the command's bits):
  25/25 modes on every seed, 97.8±0.4% high-quality samples (97.96, 97.80,
  97.24, 97.52, 98.32), reverse KL 0.005; every seed above the 95% target.
  3 min per run alone. PacGAN Table 1: GAN 17.3±0.8 modes, 94.8±0.7% HQ;
  PacGAN4 24.8±0.2, 93.6±0.6%.
Why the decay: without it (`hinge+r1x0.03+60k`, this file until 2026-12-03)
the same command gave 24.8±0.4 modes on Intel Xeon, seed 0 at 24/25 and
95.2% (25/25, 97.3% on AMD EPYC: XLA:CPU's bits follow the CPU model), so
it had no margin. R1 0.01 for 60k (`hinge+r1x0.01+60k`): seed 3 at 23/25.
The decayed recipe was not re-measured on AMD.
The undecayed recipe, measured on pinned runs (seeds 0-4, jax 0.10.2, 1 CPU device, each run
pinned to one of 2 cores beside another run; `python -m jaxgan.tools.sweep_2d
--out runs/table2d --workers 2 --datasets grid25 --recipes hinge+r1x0.03+60k`):
  25/25 modes on every seed, 96.5±1.5% high-quality samples (96.9, 97.0,
  97.4, 93.6, 97.5), reverse KL 0.006, 6.5 min per run. The issue's target
  is 25/25 with >= 95% HQ: met by the mean, by 4 of 5 seeds alone (seed 3:
  93.6%). The same recipe for 20k steps, seed 0: 94.7%; 40k: 96.7%. A 2-core
  run (the command above) gives other bits than a pinned one. PacGAN Table 1:
  GAN 17.3±0.8 modes, 94.8±0.7% HQ; PacGAN4 24.8±0.2, 93.6±0.6%. The table
  and the recipes tried: experiments/README.md.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("grid25", arg)
    c.loss = "hinge"
    c.penalties = {"r1": {"weight": 0.03}}
    c.optimizer.g.schedule = c.optimizer.d.schedule = "linear"
    if arg != "smoke":
        c.total_steps = 60_000
        c.eval_every_steps = c.checkpoint_every_steps = 10_000
    return c
