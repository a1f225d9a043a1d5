"""Ring of 8 Gaussians, hinge loss plus a weak R1 (0.01): the best ring recipe of the 2-D table.

Everything else is experiments/ring8.py (MLPs 3x128, Adam 1e-3, EMA 0.999,
15,000 steps, batch 256). The same config as the table's `hinge+r1x0.01`
row (tests/test_sweep_tools.py checks it).

Command:
  python -m jaxgan.main --config experiments/ring8_hinge_r1.py --workdir runs/ring8_hinge_r1

Expected result as the command runs it (2 CPU cores, 1 device, jax 0.10.2,
seeds 0-4 with --config.seed=S; measured with `python -m jaxgan.tools.sweep_2d
--out runs/shipped_2core --workers 1 --datasets ring8 --recipes hinge+r1x0.01`,
which gives the command's bits):
  8/8 modes on every seed, 97.0±1.1% high-quality samples (97.0, 96.9, 97.5,
  95.1, 98.4), reverse KL 0.003. At the issue's 97% target on the mean, with
  no margin: 2 of 5 seeds alone are below it.
The table's runs (seeds 0-4, each pinned to one of 2 cores beside another run;
`python -m jaxgan.tools.sweep_2d --out runs/table2d --workers 2 --datasets ring8 --recipes hinge+r1x0.01`):
  8/8 modes on every seed, 97.1±1.1% high-quality samples (95.2, 97.8, 96.4,
  97.9, 98.3), reverse KL 0.002, 1.7 min per run. The issue's target is 8/8
  with >= 97% HQ: met by the mean, by 3 of 5 seeds alone. Plain hinge:
  8/8, 96.6±1.4%. A 2-core run (the command above) gives other bits than a
  pinned one, so its seed 0 differs from the table's. PacGAN Table 1's GAN
  row: 6.3±0.5 modes, 98.2±0.2% HQ. The table: experiments/README.md.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("ring8", arg)
    c.loss = "hinge"
    c.penalties = {"r1": {"weight": 0.01}}
    return c
