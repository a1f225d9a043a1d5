"""The 2-D sweep's recipes build runnable experiments, and the table tool aggregates result files."""

import json

import pytest

from jaxgan import experiment
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
