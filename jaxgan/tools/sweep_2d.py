"""Run every loss / penalty recipe on ring8 and grid25 over several seeds.

  python -m jaxgan.tools.sweep_2d --out runs/table2d --seeds 0,1,2,3,4 --workers 2 [--steps 10000] [--recipes a,b]
  python -m jaxgan.tools.results_table runs/table2d

Each run starts from the shipped experiment config (`experiments/ring8.py`,
`experiments/grid25.py`) with the recipe's changes, all with the same step
budget. Each run writes `<out>/<dataset>/<recipe>/seed<k>/result.json`.
Finished runs are skipped, so an interrupted sweep continues where it stopped.
Runs go seed-major, so a partial sweep still covers every recipe. With
`--workers N`, N runs go at once, each pinned to its own core; don't start two
sweeps on the same --out at once (they would redo each other's unfinished runs).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import ml_collections
from absl import app, flags, logging
from etils import epath

from jaxgan import train, writers
from jaxgan.config import load_experiment, set_dotted
from jaxgan.families import family_config
from jaxgan.tools.workers import spawn_pinned, usable_cores

FLAGS = flags.FLAGS

def _hinge_r1(weight: float = 0.1, **changes: Any) -> dict[str, Any]:
    """The hinge loss with R1 of `weight`, plus other changes."""
    return {"loss": "hinge", "penalties": {"r1": {"weight": weight}}, **changes}


def _ali(**changes: Any) -> dict[str, Any]:
    """The ALI/BiGAN family on the experiment's MLPs (an encoder like D, a joint D(x, z)), plus other changes."""
    family = family_config("ali", encoder="mlp", e={"hidden": (128, 128, 128), "activation": "relu"},
                           posterior="deterministic", ge_objective="swap").to_dict()
    family.update(changes.pop("family", {}))
    return {"family": family, "model.discriminator": "joint_mlp", **changes}


# recipe name -> config changes on top of the experiment's config (dotted keys reach nested values).
RECIPES: dict[str, dict[str, Any]] = {
    # The table: every loss, the penalty recipes, the best grid recipe, and PacGAN's own GAN setup.
    "non_saturating": {"loss": "non_saturating"},  # the shipped experiments as they are
    "minimax": {"loss": "minimax"},
    "hinge": {"loss": "hinge"},
    "least_squares": {"loss": "least_squares"},
    "rsgan": {"loss": "rsgan"},
    "ragan": {"loss": "ragan"},
    "wgan_gp": {"loss": "wasserstein", "penalties": {"wgan_gp": {"weight": 10.0}}},
    "non_saturating+r1": {"loss": "non_saturating", "penalties": {"r1": {"weight": 0.1}}},
    "hinge+r1": _hinge_r1(),
    "hinge+r1x0.01": _hinge_r1(0.01),
    "hinge+r1x0.03+60k": _hinge_r1(0.03, total_steps=60_000),
    "hinge+r1x0.01+60k": _hinge_r1(0.01, total_steps=60_000),
    # PacGAN Table 1's GAN setup (Lin et al. 2018, Appendix): G 4x400 with BN, maxout D 3x200x5, batch 100,
    # Adam lr 1e-4 beta1 0.8, no EMA; at this sweep's step budget, not their 400k iterations.
    "pacgan_gan": {"loss": "non_saturating", "model.g.hidden": (400,) * 4, "model.g.batch_norm": True,
                   "model.d.hidden": (200,) * 3, "model.d.maxout_pieces": 5, "batch_size": 100,
                   "optimizer.g.lr": 1e-4, "optimizer.d.lr": 1e-4, "optimizer.g.b1": 0.8, "optimizer.d.b1": 0.8,
                   "ema.decay": 0.0},
    # ALI/BiGAN (PacGAN Table 1's ALI rows): the experiments' setup, PacGAN's own, and the recipes tried.
    "ali": _ali(),
    "ali+hinge+r1": _ali(**_hinge_r1(0.01)),
    "ali+hinge+r1x0.1": _ali(**_hinge_r1(0.1)),
    "ali+r1": _ali(**{"penalties": {"r1": {"weight": 0.1}}}),
    "ali+30k": _ali(total_steps=30_000),
    "ali+decay": _ali(**{"optimizer.g.schedule": "linear", "optimizer.d.schedule": "linear"}),
    "ali+gaussian": _ali(family={"posterior": "gaussian"}),
    "ali+lr2e-4": _ali(**{"optimizer.g.lr": 2e-4, "optimizer.d.lr": 2e-4}),
    "ali+negate": _ali(family={"ge_objective": "negate"}),
    "ali+wide_d": _ali(**{"model.d.hidden": (256, 256, 256)}),
    "ali+maxout_d": _ali(**{"model.d.hidden": (200, 200, 200), "model.d.maxout_pieces": 5}),
    # The Gaussian posterior (ALI's) is what makes ALI's samples sharp on the ring; variants of it.
    "ali+gaussian+maxout_d": _ali(family={"posterior": "gaussian"},
                                  **{"model.d.hidden": (200, 200, 200), "model.d.maxout_pieces": 5}),
    "ali+gaussian+2d": _ali(family={"posterior": "gaussian"}, d_steps_per_g_step=2),
    "ali+gaussian+hinge": _ali(family={"posterior": "gaussian"}, loss="hinge"),
    "ali+40k": _ali(total_steps=40_000),
    "ali+gaussian+r1x0.01": _ali(family={"posterior": "gaussian"}, **{"penalties": {"r1": {"weight": 0.01}}}),
    "ali+gaussian+ema0.9999": _ali(family={"posterior": "gaussian"}, **{"ema.decay": 0.9999}),
    "ali+gaussian+batch512": _ali(family={"posterior": "gaussian"}, batch_size=512),
    "ali+gaussian+wide_d": _ali(family={"posterior": "gaussian"}, **{"model.d.hidden": (256, 256, 256)}),
    # Session 2026-12-02 (3): R1 on the data leaf only, other losses, slower learning.
    "ali+gaussian+r1x0.001": _ali(family={"posterior": "gaussian"}, **{"penalties": {"r1": {"weight": 0.001}}}),
    "ali+gaussian+r1x_x0.01": _ali(family={"posterior": "gaussian"},
                                   **{"penalties": {"r1": {"weight": 0.01, "leaves": ("x",)}}}),
    "ali+gaussian+r1x_x0.1": _ali(family={"posterior": "gaussian"},
                                  **{"penalties": {"r1": {"weight": 0.1, "leaves": ("x",)}}}),
    "ali+gaussian+ls": _ali(family={"posterior": "gaussian"}, loss="least_squares"),
    "ali+gaussian+lr5e-4+30k": _ali(family={"posterior": "gaussian"}, total_steps=30_000,
                                    **{"optimizer.g.lr": 5e-4, "optimizer.d.lr": 5e-4}),
    "ali+r1x_x0.01": _ali(**{"penalties": {"r1": {"weight": 0.01, "leaves": ("x",)}}}),
    "ali+r1x_x0.1": _ali(**{"penalties": {"r1": {"weight": 0.1, "leaves": ("x",)}}}),
    "ali+r1x0.001": _ali(**{"penalties": {"r1": {"weight": 0.001}}}),
    "ali+hinge": _ali(loss="hinge"),
    "ali+gaussian+30k": _ali(family={"posterior": "gaussian"}, total_steps=30_000),
    "ali+gaussian+ema0.9999+30k": _ali(family={"posterior": "gaussian"}, total_steps=30_000, **{"ema.decay": 0.9999}),
    "ali+gaussian+dropout_d": _ali(family={"posterior": "gaussian"}, **{"model.d.dropout": 0.2}),
    "ali+gaussian+lrelu_d": _ali(family={"posterior": "gaussian"}, **{"model.d.activation": "leaky_relu"}),
    "ali+gaussian+sn_d": _ali(family={"posterior": "gaussian"}, **{"model.d.spectral_norm": True}),
    "ali+gaussian+wide_g": _ali(family={"posterior": "gaussian"}, **{"model.g.hidden": (256, 256, 256)}),
    "ali+ls": _ali(loss="least_squares"),
    "ali+dropout_d": _ali(**{"model.d.dropout": 0.2}),
    "ali+2d": _ali(d_steps_per_g_step=2),
    "ali+60k": _ali(total_steps=60_000),
    # A noise-input encoder E(x, eps): each mode's posterior may be any region of the prior, not a Gaussian.
    "ali+implicit": _ali(family={"posterior": "implicit"}),
    "ali+implicit+r1x0.01": _ali(family={"posterior": "implicit"}, **{"penalties": {"r1": {"weight": 0.01}}}),
    "ali+implicit+r1x_x0.03": _ali(family={"posterior": "implicit"},
                                   **{"penalties": {"r1": {"weight": 0.03, "leaves": ("x",)}}}),
    "ali+implicit+hinge": _ali(family={"posterior": "implicit"}, loss="hinge"),
    "ali+implicit+40k": _ali(family={"posterior": "implicit"}, total_steps=40_000),
    "ali+implicit+2d": _ali(family={"posterior": "implicit"}, d_steps_per_g_step=2),
    "ali+implicit+ls": _ali(family={"posterior": "implicit"}, loss="least_squares"),
    "ali+implicit+r1x0.03": _ali(family={"posterior": "implicit"}, **{"penalties": {"r1": {"weight": 0.03}}}),
    "ali+implicit+r1x0.01+40k": _ali(family={"posterior": "implicit"}, total_steps=40_000,
                                     **{"penalties": {"r1": {"weight": 0.01}}}),
    "ali+implicit+hinge+r1x0.01": _ali(family={"posterior": "implicit"}, **_hinge_r1(0.01)),
    "ali+implicit+r1x_x0.01": _ali(family={"posterior": "implicit"}, **{"penalties": {"r1": {"weight": 0.01, "leaves": ("x",)}}}),
    "ali+implicit+r1x_x0.1": _ali(family={"posterior": "implicit"}, **{"penalties": {"r1": {"weight": 0.1, "leaves": ("x",)}}}),
    "ali+implicit+r1x_x0.03+40k": _ali(family={"posterior": "implicit"}, total_steps=40_000, **{"penalties": {"r1": {"weight": 0.03, "leaves": ("x",)}}}),
    "ali+implicit+hinge+r1x_x0.03": _ali(family={"posterior": "implicit"}, loss="hinge", **{"penalties": {"r1": {"weight": 0.03, "leaves": ("x",)}}}),
    "ali+implicit+r1x_x0.03+60k": _ali(family={"posterior": "implicit"}, total_steps=60_000,
                                       **{"penalties": {"r1": {"weight": 0.03, "leaves": ("x",)}}}),
    # PacGAN's ALI setup (targets.md): G 4x400 with BN, E 2x400, joint maxout D 3x200x5, batch 100,
    # Adam 1e-4 beta1 0.8; no EMA; at this sweep's step budget, not their 400k iterations.
    "pacgan_ali": _ali(**{"family": {"e": {"hidden": (400, 400), "activation": "relu"}},
                          "model.g.hidden": (400,) * 4, "model.g.batch_norm": True,
                          "model.d.hidden": (200,) * 3, "model.d.maxout_pieces": 5, "batch_size": 100,
                          "optimizer.g.lr": 1e-4, "optimizer.d.lr": 1e-4, "optimizer.g.b1": 0.8,
                          "optimizer.d.b1": 0.8, "ema.decay": 0.0}),
    # Variants of hinge+r1 tried on grid25 (seed 0) on the way to >= 95% HQ.
    "hinge+r1x1": _hinge_r1(1.0),
    "hinge+r1x0.03": _hinge_r1(0.03),
    "hinge+r1x0.03+40k": _hinge_r1(0.03, total_steps=40_000),
    "non_saturating+r1+decay": {"loss": "non_saturating", "penalties": {"r1": {"weight": 0.1}},
                                "optimizer.g.schedule": "linear", "optimizer.d.schedule": "linear"},
    "hinge+r1+60k": _hinge_r1(total_steps=60_000),
    "hinge+r1x0.05+60k": _hinge_r1(0.05, total_steps=60_000),
    "hinge+r1x0.01+30k": _hinge_r1(0.01, total_steps=30_000),
    # Candidates for margin on both CPUs: linear lr decay to 0 (sharper modes at the end), a stronger R1.
    "hinge+r1x0.01+30k+decay": _hinge_r1(0.01, total_steps=30_000, **{"optimizer.g.schedule": "linear",
                                                                     "optimizer.d.schedule": "linear"}),
    "hinge+r1x0.03+30k": _hinge_r1(0.03, total_steps=30_000),
    "hinge+r1x0.03+60k+decay": _hinge_r1(0.03, total_steps=60_000, **{"optimizer.g.schedule": "linear",
                                                                     "optimizer.d.schedule": "linear"}),
    "hinge+r1+decay": _hinge_r1(**{"optimizer.g.schedule": "linear", "optimizer.d.schedule": "linear"}),
    "hinge+r1+lr3e-4x2": _hinge_r1(**{"total_steps": 40_000, "optimizer.g.lr": 3e-4, "optimizer.d.lr": 3e-4}),
    "hinge+r1+lr2e-3": _hinge_r1(**{"optimizer.g.lr": 2e-3, "optimizer.d.lr": 2e-3}),
    "hinge+r1+ttur": _hinge_r1(**{"optimizer.g.lr": 3e-4}),
    "hinge+r1+b0.9": _hinge_r1(**{"optimizer.g.b1": 0.0, "optimizer.d.b1": 0.0,
                                  "optimizer.g.b2": 0.9, "optimizer.d.b2": 0.9}),
    "hinge+r1+2d": _hinge_r1(**{"d_steps_per_g_step": 2}),
    "hinge+r1+ema0.9999": _hinge_r1(**{"ema.decay": 0.9999}),
    "hinge+r1+batch512": _hinge_r1(**{"batch_size": 512}),
    "hinge+r1+wide": _hinge_r1(**{"model.g.hidden": (256, 256, 256), "model.d.hidden": (256, 256, 256)}),
    "hinge+r1+gbn": _hinge_r1(**{"model.g.batch_norm": True}),
    "hinge+r1+z16": _hinge_r1(**{"model.latent_dim": 16}),
}
DATASETS = ("ring8", "grid25")


def recipe_config(dataset: str, recipe: str, seed: int, steps: int) -> ml_collections.ConfigDict:
    """`experiments/<dataset>.py` with the recipe's changes, the seed, and `steps` if given (else the recipe's)."""
    config = load_experiment(dataset)
    config.seed = seed
    for key, value in RECIPES[recipe].items():
        set_dotted(config, key, value)
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
              "wall_s": time.perf_counter() - start, "cpu_cores": len(usable_cores()), **results}
    result_file.write_text(json.dumps(record, indent=2))
    return record


def jobs(seeds: list[int], datasets: list[str], recipes: list[str]) -> list[tuple[int, str, str]]:
    """(seed, dataset, recipe) in run order: seed-major, so a partial sweep covers every recipe."""
    return [(s, d, r) for s in seeds for d in datasets for r in recipes]


def define_flags() -> None:
    """Defines the command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("out", "runs/table2d", "Directory for the runs and their result.json files.")
    flags.DEFINE_list("seeds", ["0", "1", "2", "3", "4"], "Seeds to run.")
    flags.DEFINE_integer("steps", 0, "Train steps of every run (0: the recipe's, else the experiment's own).")
    flags.DEFINE_list("recipes", list(RECIPES), "Recipes to run.")
    flags.DEFINE_list("datasets", list(DATASETS), "Datasets to run.")
    flags.DEFINE_integer("workers", 1, "Parallel runs, each pinned to its own CPU core (Linux).")
    flags.DEFINE_string("shard", "0/1", "Internal: this worker's share of the runs, i/n.")


def main(argv):
    del argv
    writers.quiet_library_logs()
    unknown = sorted(set(FLAGS.recipes) - set(RECIPES))
    if unknown:
        raise app.UsageError(f"Unknown recipes {unknown}. Choices: {', '.join(RECIPES)}.")
    if unknown := sorted(set(FLAGS.datasets) - set(DATASETS)):
        raise app.UsageError(f"Unknown datasets {unknown}. Choices: {', '.join(DATASETS)}.")
    if FLAGS.workers > 1:
        args = [f"--out={FLAGS.out}", f"--seeds={','.join(FLAGS.seeds)}", f"--steps={FLAGS.steps}",
                f"--recipes={','.join(FLAGS.recipes)}", f"--datasets={','.join(FLAGS.datasets)}"]
        return spawn_pinned("jaxgan.tools.sweep_2d", args, FLAGS.workers)
    index, count = map(int, FLAGS.shard.split("/"))
    out = epath.Path(FLAGS.out)
    todo = jobs([int(s) for s in FLAGS.seeds], FLAGS.datasets, FLAGS.recipes)
    for seed, dataset, recipe in todo[index::count]:
        r = run_one(out, dataset, recipe, seed, FLAGS.steps)
        logging.info("%s %s seed %d: %d modes, %.1f%% HQ, %.0f s", dataset, recipe, seed, r["modes"],
                     r["hq_percent"], r["wall_s"])


if __name__ == "__main__":
    define_flags()
    app.run(main)
