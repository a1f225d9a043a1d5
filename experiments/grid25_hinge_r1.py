"""Grid of 25 Gaussians: hinge loss plus R1 (0.03) for 60k steps, the best grid recipe of the 2-D table.

Everything else is experiments/grid25.py (= ring8.py's MLPs 3x128, Adam 1e-3,
EMA 0.999, batch 256). The same config as the table's `hinge+r1x0.03+60k` row
(tests/test_sweep_tools.py checks it).

Command:
  python -m jaxgan.main --config experiments/grid25_hinge_r1.py --workdir runs/grid25_hinge_r1

Result as the command runs it (2 CPU cores, 1 device, jax 0.10.2, seeds 0-4
with --config.seed=S; `python -m jaxgan.tools.sweep_2d --out runs/shipped_2core
--workers 1 --datasets grid25 --recipes hinge+r1x0.03+60k`, which gives the
command's bits), on Intel Xeon (CI's machine kind; measured in two sessions
with the same bits): 24.8±0.4 modes (24, 25, 25, 25, 25), 96.5±1.0% HQ
(95.2, 97.2, 95.8, 96.6, 98.0), reverse KL 0.01, about 4 min per run alone.
Seed 0 misses one mode, so the recipe does NOT hold on every seed under its
own command there. On AMD EPYC seed 0 gave 25/25 and 97.3%. Tried for
margin: R1 0.01 for 60k (`hinge+r1x0.01+60k`): seed 3 keeps 23/25 (24.6±0.8,
96.7±1.4%); R1 0.1 for 60k (`hinge+r1+60k`, AMD): seed 0 at 94.3% HQ. A
recipe with margin is still to be found.

Measured on pinned runs (seeds 0-4, jax 0.10.2, 1 CPU device, each run
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
    if arg != "smoke":
        c.total_steps = 60_000
        c.eval_every_steps = c.checkpoint_every_steps = 10_000
    return c
