"""Run every loss / penalty recipe on ring8 and grid25 over several seeds.

  python -m jaxgan.tools.sweep_2d --out runs/table2d --seeds 0,1,2 [--steps 10000] [--recipes a,b]
  python -m jaxgan.tools.results_table runs/table2d

Each run starts from the shipped experiment config (`experiments/ring8.py`,
`experiments/grid25.py`) with the recipe's changes, all with the same step
budget. Each run writes `<out>/<dataset>/<recipe>/seed<k>/result.json`.
Finished runs are skipped, so an interrupted sweep continues where it stopped.
Runs go seed-major, so a partial sweep still covers every recipe.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from absl import app, flags, logging
from etils import epath

from jaxgan import train, writers
from jaxgan.config import load_experiment

# recipe name -> config changes on top of the experiment's config.
RECIPES: dict[str, dict[str, Any]] = {
    "non_saturating": {"loss": "non_saturating"},  # the shipped experiments as they are
    "minimax": {"loss": "minimax"},
    "hinge": {"loss": "hinge"},
    "least_squares": {"loss": "least_squares"},
    "rsgan": {"loss": "rsgan"},
    "ragan": {"loss": "ragan"},
    "wgan_gp": {"loss": "wasserstein", "penalties": {"wgan_gp": {"weight": 10.0}}},
    "non_saturating+r1": {"loss": "non_saturating", "penalties": {"r1": {"weight": 0.1}}},
    "hinge+r1": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}},
    # Learning rates decaying linearly to 0 over the run: late steps refine the modes.
    "non_saturating+r1+decay": {"loss": "non_saturating", "penalties": {"r1": {"weight": 0.1}},
                                "optimizer.g.schedule": "linear", "optimizer.d.schedule": "linear"},
    "hinge+r1+decay": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}},
                       "optimizer.g.schedule": "linear", "optimizer.d.schedule": "linear"},
    "hinge+r1+2d": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "d_steps_per_g_step": 2},
    "hinge+r1+ema0.9999": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "ema.decay": 0.9999},
    "hinge+r1x1": {"loss": "hinge", "penalties": {"r1": {"weight": 1.0}}},
    "hinge+r1+batch512": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "batch_size": 512},
    "hinge+r1x0.03": {"loss": "hinge", "penalties": {"r1": {"weight": 0.03}}},
    "hinge+r1+wide": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}},
                      "model.g.hidden": (256, 256, 256), "model.d.hidden": (256, 256, 256)},
    "hinge+r1+deep": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}},
                      "model.g.hidden": (256, 256, 256, 256), "model.d.hidden": (256, 256, 256)},
    "hinge+r1+lr3e-4x2": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "total_steps": 40_000,
                          "optimizer.g.lr": 3e-4, "optimizer.d.lr": 3e-4},
    "hinge+r1+ttur": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "optimizer.g.lr": 3e-4},
    "hinge+r1+gbn": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "model.g.batch_norm": True},
    # PacGAN Table 1's GAN setup (Lin et al. 2018, Appendix): G 4x400 with BN, maxout D 3x200x5, batch 100,
    # Adam lr 1e-4 beta1 0.8, no EMA; at this sweep's step budget, not their 400k iterations.
    "pacgan_gan": {"loss": "non_saturating", "model.g.hidden": (400,) * 4, "model.g.batch_norm": True,
                   "model.d.hidden": (200,) * 3, "model.d.maxout_pieces": 5, "batch_size": 100,
                   "optimizer.g.lr": 1e-4, "optimizer.d.lr": 1e-4, "optimizer.g.b1": 0.8, "optimizer.d.b1": 0.8,
                   "ema.decay": 0.0},
    "hinge+r1+z16": {"loss": "hinge", "penalties": {"r1": {"weight": 0.1}}, "model.latent_dim": 16},
}
DATASETS = ("ring8", "grid25")

_OUT = flags.DEFINE_string("out", "runs/table2d", "Directory for the runs and their result.json files.")
_SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds to run.")
_STEPS = flags.DEFINE_integer("steps", 0, "Train steps per run, the same for every recipe (0: the experiment's own).")
_RECIPES = flags.DEFINE_list("recipes", list(RECIPES), "Recipes to run.")
_DATASETS = flags.DEFINE_list("datasets", list(DATASETS), "Datasets to run.")


def recipe_config(dataset: str, recipe: str, seed: int, steps: int):
    config = load_experiment(dataset)
    config.seed = seed
    for key, value in RECIPES[recipe].items():
        node, *path = key.split(".")
        if path:  # a dotted key: one nested value
            target = config[node]
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        else:
            config[key] = value
    config.total_steps = steps or config.total_steps  # --steps: one budget for every recipe
    config.eval_every_steps = config.checkpoint_every_steps = config.total_steps
    return config


def run_one(out: epath.Path, dataset: str, recipe: str, seed: int, steps: int) -> dict:
    workdir = out / dataset / recipe / f"seed{seed}"
    result_file = workdir / "result.json"
    if result_file.exists():
        return json.loads(result_file.read_text())
    config = recipe_config(dataset, recipe, seed, steps)
    start = time.perf_counter()
    results = train.train_and_evaluate(config, os.fspath(workdir))
    record = {"dataset": dataset, "recipe": recipe, "seed": seed, "steps": config.total_steps,
              "wall_s": time.perf_counter() - start, **results}
    result_file.write_text(json.dumps(record, indent=2))
    return record


def main(argv):
    del argv
    writers.quiet_library_logs()
    unknown = sorted(set(_RECIPES.value) - set(RECIPES))
    if unknown:
        raise app.UsageError(f"Unknown recipes {unknown}. Choices: {', '.join(RECIPES)}.")
    out = epath.Path(_OUT.value)
    for seed in map(int, _SEEDS.value):
        for dataset in _DATASETS.value:
            for recipe in _RECIPES.value:
                r = run_one(out, dataset, recipe, seed, _STEPS.value)
                logging.info("%s %s seed %d: %d modes, %.1f%% HQ, %.0f s", dataset, recipe, seed, r["modes"],
                             r["hq_percent"], r["wall_s"])


if __name__ == "__main__":
    app.run(main)
