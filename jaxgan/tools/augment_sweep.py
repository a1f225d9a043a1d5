"""The low-data augmentation study over fractions and seeds, in the background, resumably.

  python -m jaxgan.tools.augment_sweep --out runs/augment [--fractions 1,10] [--seeds 0,1,2]
  python -m jaxgan.tools.augment_table runs/augment --output experiments/README.md

For each (percent p, seed s): the conditional GAN of
experiments/cgan_fashion_mnist_lowdata.py:p with seed s on subset s trains in
`<out>/cgan_f<p>_s<s>` (resuming when interrupted), then
`jaxgan.apps.augment` trains the classifier arms with seed s and writes
`<out>/augment_f<p>_s<s>.json`. Finished pairs are skipped. Runs go seed-major.

Another setting of the GAN arm over the same GANs (their runs in `--gan_dir`,
trained once) goes to its own `--out`, e.g.:
  python -m jaxgan.tools.augment_sweep --out runs/augment_r05 --gan_dir runs/augment --synthetic_ratio 0.5 \
      --arms subset+standard,subset+gan,subset+standard+gan
"""

from __future__ import annotations

import json
import os

from absl import app, flags, logging
from etils import epath

from jaxgan import cli, train, writers
from jaxgan.apps import augment
from jaxgan.config import load_experiment

FLAGS = flags.FLAGS
PERCENTS = ("1", "10")


def run_one(out: epath.Path, percent: str, seed: int, steps: int, ratio: float, temperature: float,
            gan_dir: epath.Path | None = None, arms: tuple[str, ...] | None = None) -> dict:
    result_file = out / f"augment_f{percent}_s{seed}.json"
    if result_file.exists():
        return json.loads(result_file.read_text())
    config = load_experiment("cgan_fashion_mnist_lowdata", percent)
    config.seed = config.data.subset_seed = seed
    workdir = (gan_dir or out) / f"cgan_f{percent}_s{seed}"
    train.train_and_evaluate(config, os.fspath(workdir))  # a finished run only returns its results
    results = augment.study(config.data.label_fraction, seed, os.fspath(workdir), ratio, temperature, steps, seed,
                            arms=arms)
    results["gan_train_wall_s"] = json.loads((workdir / train.FINAL_EVAL_FILE).read_text()).get("wall_s")
    result_file.write_text(json.dumps(results, indent=2) + "\n")
    return results


def define_flags() -> None:
    flags.DEFINE_string("out", "runs/augment", "Directory for the GAN runs and the study's JSON files.")
    flags.DEFINE_list("fractions", list(PERCENTS), f"Labelled percent of the train split: {', '.join(PERCENTS)}.")
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds (each also draws its own subset).")
    flags.DEFINE_integer("steps", 1000, "Classifier optimizer steps of every arm.", lower_bound=1)
    flags.DEFINE_float("synthetic_ratio", 1.0, "Synthetic images per real one.", lower_bound=0.0)
    flags.DEFINE_float("temperature", 1.0, "Latent scale of the GAN samples.", lower_bound=0.0)
    flags.DEFINE_string("gan_dir", None, "Where the GAN runs are (trained there if missing; default: --out).")
    flags.DEFINE_list("arms", None, f"Classifier arms, of {', '.join(augment.ARMS)} (default: the first three).")


def main(argv):
    del argv
    writers.quiet_library_logs()
    if bad := sorted(set(FLAGS.fractions) - set(PERCENTS)):
        raise app.UsageError(f"--fractions {bad}: the experiment takes {', '.join(PERCENTS)} (percent).")
    arms = tuple(FLAGS.arms) if FLAGS.arms else None
    if arms:
        augment.check_arms(arms, "the sweep's GAN runs")
    out = epath.Path(FLAGS.out)
    out.mkdir(parents=True, exist_ok=True)
    gan_dir = epath.Path(FLAGS.gan_dir) if FLAGS.gan_dir else None
    for seed in [int(s) for s in FLAGS.seeds]:
        for percent in FLAGS.fractions:
            r = run_one(out, percent, seed, FLAGS.steps, FLAGS.synthetic_ratio, FLAGS.temperature, gan_dir, arms)
            logging.info("%s%% seed %d: %s", percent, seed, r["accuracy"])


if __name__ == "__main__":
    define_flags()
    cli.run(main)
