"""Ring of 8 Gaussians, hinge loss plus a weak R1 (0.01) for 30k steps: the best ring recipe of the 2-D table.

Everything else is experiments/ring8.py (MLPs 3x128, Adam 1e-3, EMA 0.999,
batch 256). The same config as the `hinge+r1x0.01+30k` row of the shipped
recipes' 2-core table in experiments/README.md (tests/test_sweep_tools.py
checks it).

Command:
  python -m jaxgan.main --config experiments/ring8_hinge_r1.py --workdir runs/ring8_hinge_r1

Expected result as the command runs it (2 CPU cores (AMD EPYC), 1 device,
jax 0.10.2, seeds 0-4 with --config.seed=S; measured with `python -m
jaxgan.tools.sweep_2d --out runs/shipped_2core --workers 1 --datasets ring8
--recipes hinge+r1x0.01+30k`, which gives the command's bits):
  8/8 modes on every seed, 98.3±0.7% high-quality samples (98.64, 98.32,
  99.24, 97.48, 97.60), reverse KL 0.001; every seed above the 97% target.
  6.6-10.9 min per run on cores shared with 2-4 other jobs (ring8.py's
  15k steps take 1.5 min beside one other run).
Why 30k steps: at the table's 15k steps the same recipe gave, as the
command ran it on the previous machine, 8/8 modes and 97.0±1.1% HQ (97.0,
96.9, 97.5, 95.1, 98.4): at the 97% target on the mean, with 2 of 5 seeds
below it. Pinned to one core (the 2-D table, `hinge+r1x0.01`): 97.1±1.1%.
Plain hinge at 15k: 8/8, 96.6±1.4%. PacGAN Table 1's GAN row: 6.3±0.5
modes, 98.2±0.2% HQ.
On Intel Xeon (2 cores; CI's machine kind; other bits) the same command does
NOT hold with margin: 8/8 modes on every seed but 97.9±1.8% HQ (98.84,
98.04, 99.20, 94.32, 98.96): seed 3 is below the 97% target. 1.5 min per run
alone. A recipe that holds on both CPUs is still to be found.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("ring8", arg)
    c.loss = "hinge"
    c.penalties = {"r1": {"weight": 0.01}}
    if arg != "smoke":
        c.total_steps = 30_000
        c.eval_every_steps = c.checkpoint_every_steps = 10_000
    return c
