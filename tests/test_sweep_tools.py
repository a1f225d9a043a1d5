"""The 2-D sweep's recipes build runnable experiments, and the table tool aggregates result files."""

import json
import os
import subprocess
import sys

import pytest

from jaxgan import experiment
from jaxgan.config import load_experiment
from jaxgan.tools import results_table, sweep_2d


@pytest.mark.parametrize("recipe", list(sweep_2d.RECIPES))
def test_every_recipe_builds_an_experiment(recipe):
    for dataset in sweep_2d.DATASETS:
        config = sweep_2d.recipe_config(dataset, recipe, seed=3, steps=0)
        exp = experiment.build(config)  # validates keys and builds both networks
        assert exp.config.seed == 3 and exp.config.data.name == dataset
        assert config.eval_every_steps == config.checkpoint_every_steps == config.total_steps


def test_recipe_changes_and_step_budget():
    config = sweep_2d.recipe_config("grid25", "pacgan_gan", seed=0, steps=0)
    assert config.model.d.maxout_pieces == 5 and tuple(config.model.g.hidden) == (400,) * 4
    assert config.batch_size == 100 and config.optimizer.g.b1 == 0.8 and config.ema.decay == 0.0
    base = sweep_2d.recipe_config("grid25", "non_saturating", seed=0, steps=0)
    assert base.total_steps == 20_000 and base.loss == "non_saturating"
    # A recipe may set its own length; --steps overrides every recipe's budget.
    assert sweep_2d.recipe_config("grid25", "hinge+r1+lr3e-4x2", seed=0, steps=0).total_steps == 40_000
    assert sweep_2d.recipe_config("grid25", "hinge+r1+lr3e-4x2", seed=0, steps=123).total_steps == 123


def test_table_is_mean_and_std_over_seeds(tmp_path):
    for seed, (modes, hq) in enumerate([(24, 90.0), (25, 94.0)]):
        run = tmp_path / "grid25" / "hinge" / f"seed{seed}"
        run.mkdir(parents=True)
        record = {"dataset": "grid25", "recipe": "hinge", "seed": seed, "steps": 100, "wall_s": 60.0 * (seed + 1),
                  "modes": modes, "hq_percent": hq, "reverse_kl": 0.1}
        (run / "result.json").write_text(json.dumps(record))
    text = results_table.table(results_table.load(tmp_path))
    row = next(line for line in text.splitlines() if line.startswith("| hinge |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:5] == ["n/a"] * 4  # no ring runs
    assert cells[5:9] == ["24.5±0.5", "92.0±2.0", "0.10±0.00", "1.5±0.5"]
    assert cells[9:] == ["0/2", "-/100"]
    assert "PacGAN Table 1" in text  # the published rows follow
    assert "PacGAN" not in results_table.table(results_table.load(tmp_path), published=False)
    grid_only = results_table.table(results_table.load(tmp_path), datasets=("grid25",)).splitlines()
    assert grid_only[0].startswith("| recipe (jaxgan) | grid modes |") and "ring" not in grid_only[0]
    assert grid_only[2] == "| hinge | 24.5±0.5 | 92.0±2.0 | 0.10±0.00 | 1.5±0.5 | 2 | 100 |"


def test_jobs_are_seed_major():
    todo = sweep_2d.jobs([0, 1], ["ring8", "grid25"], ["hinge", "minimax"])
    assert todo[:4] == [(0, "ring8", "hinge"), (0, "ring8", "minimax"), (0, "grid25", "hinge"), (0, "grid25", "minimax")]
    assert len(set(todo)) == 8


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPU cores to pin 2 workers")
def test_two_pinned_workers_share_the_runs(tmp_path):
    cmd = [sys.executable, "-m", "jaxgan.tools.sweep_2d", f"--out={tmp_path}", "--seeds=0", "--datasets=ring8",
           "--recipes=hinge,minimax", "--steps=20", "--workers=2"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    records = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("ring8/*/seed0/result.json"))]
    assert [r["recipe"] for r in records] == ["hinge", "minimax"]
    assert all(r["steps"] == 20 and r["cpu_cores"] == 1 and r["num_samples"] == 2500 for r in records)


def test_cli_modules_import_together():
    # Each CLI defines its flags only when run as a program, so importing several in one process works.
    import importlib

    for name in ("jaxgan.evaluate", "jaxgan.sample", "jaxgan.evaluation.convert_inception",
                 "jaxgan.evaluation.check_inception", "jaxgan.tools.sanity_fid",
                 "jaxgan.tools.image_table", "jaxgan.tools.results_table", "jaxgan.tools.sweep_2d"):
        assert callable(importlib.import_module(name).main)


@pytest.mark.parametrize("experiment_name, dataset, recipe", [
    ("ring8", "ring8", "non_saturating"),
    ("grid25", "grid25", "non_saturating"),
    ("ring8_hinge_r1", "ring8", "hinge+r1x0.03+30k"),
    ("grid25_hinge_r1", "grid25", "hinge+r1x0.03+60k+decay"),
    ("ring8_ali", "ring8", "ali+implicit"),
    ("grid25_ali", "grid25", "ali+implicit+r1x_x0.03+40k"),
])
def test_shipped_experiments_are_the_table_rows_they_quote(experiment_name, dataset, recipe):
    # The docstrings quote the table's rows; only how often a run evaluates and checkpoints may differ.
    ours = load_experiment(experiment_name).to_dict()
    row = sweep_2d.recipe_config(dataset, recipe, seed=0, steps=0).to_dict()
    for cadence in ("eval_every_steps", "checkpoint_every_steps"):
        ours.pop(cadence), row.pop(cadence)
    assert ours == row
