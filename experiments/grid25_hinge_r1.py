"""Grid of 25 Gaussians: hinge loss plus R1 (0.03) for 60k steps, the best grid recipe of the 2-D table.

Everything else is experiments/grid25.py (= ring8.py's MLPs 3x128, Adam 1e-3,
EMA 0.999, batch 256). The same config as the table's `hinge+r1x0.03+60k` row
(tests/test_sweep_tools.py checks it).

Command:
  python -m jaxgan.main --config experiments/grid25_hinge_r1.py --workdir runs/grid25_hinge_r1

Expected result (measured, seeds 0-4, jax 0.10.2, 1 CPU device, each run
pinned to one of 2 cores beside another run; `python -m jaxgan.tools.sweep_2d
--out runs/table2d --workers 2 --datasets grid25 --recipes hinge+r1x0.03+60k`):
  RESULT
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
