"""Fashion-MNIST, the offline image default: the recipe that beat Lucic et al.'s table, at 3,000 steps.

The `ema` recipe of `beat_lucic_fashion_mnist.py` (Inception FID 15.9 +- 0.3 over 3 seeds at
15,625 steps), cut to a length a first run can afford:
  - Lucic et al.'s InfoGAN-style G and D (D with BatchNorm), z of 64, batch 64;
  - the non-saturating loss, Adam lr 2e-4, beta1 0.5 for both networks;
  - an EMA of G (0.999, with warm-up) for samples and metrics;
  - 3,000 steps (3.2 epochs), the seeds' DCGAN's length.
Its step alone runs at 1.86 steps/s on 2 idle AMD EPYC cores, twice the seeds' DCGAN's 0.94
(`python benchmarks/suite.py --cases infogan28,dcgan28 --rounds 0`, same run); the DCGAN
(`dcgan_fashion_mnist.py`) stays as it was, for comparison.

Prepare once (offline), then train:
  python -m jaxgan.data.prepare fashion_mnist                  # from Debian's dataset-fashion-mnist
  python -m jaxgan.evaluation.train_classifier fashion_mnist   # the classifier behind the metrics
  python -m jaxgan.main --config experiments/infogan_fashion_mnist.py --workdir runs/infogan_fashion_mnist
Without the classifier the run still trains and writes its grids; the eval says how to make it.
Every 1,000 steps it scores the EMA G on classifier metrics: 10k samples against 10k training
images, features of `fashion_mnist_classifier`. Inception FID on the Lucic protocol (10k samples
against 10k test images, pool3), once the FID Inception is converted (README "Evaluation"):
  python -m jaxgan.evaluate --workdir runs/infogan_fashion_mnist --output fid.json \\
    --extractor inception_fid --metrics fid,kid,pr,dc --reference_split test

Expected result (measured 2026-12-05, seed 0, jax 0.10.2, 2 AMD EPYC cores, 1 CPU device; EMA G
at step 3,000; 35.4 min, most of it alone at 1.5-1.7 steps/s):
  | metric | this (3k steps) | dcgan_fashion_mnist (3k steps) | real test images |
  |---|---|---|---|
  | classifier-FID | 23.8 | 31.8 | 0.48 |
  | classifier-KID | 0.119 +- 0.007 | 0.106 +- 0.006 | |
  | classifier-IS | 6.04 +- 0.12 | 3.82 +- 0.05 | 8.62 |
  | precision / recall | 0.86 / 0.037 | 0.48 / 0.099 | 0.81 / 0.81 |
  | density / coverage | 1.44 / 0.61 | 0.38 / 0.16 | - / 0.97 |
  | classifier `confident` (top class prob >= 0.9) | 0.559 | not measured | 0.845 |
  | Inception FID / precision / recall (Lucic protocol) | 50.9 / 0.52 / 0.055 | not measured | |
(classifier metrics: 10k samples vs 10k training images, `fashion_mnist_classifier` features,
sha256 57dbe652a537; `confident`: python -m jaxgan.evaluate --workdir W --metrics confident).
The grid (experiments/figures/infogan_fashion_mnist_step3000.png) shows clean trousers, dresses,
sneakers, boots, sandals, bags, pullovers and shirts, without the DCGAN's checkerboard. Recall is
low: 3,000 steps find the main styles of each class, not their variety (the same recipe at
15,625 steps has recall 0.32 on Inception features).
Curve (classifier-FID of the EMA G): 87.5 at 1,000 steps, 47.4 at 2,000, 23.8 at 3,000.
Inception FID 50.9 (KID 0.041) is at a fifth of Lucic et al.'s 15,625-step budget, so it is not set
beside their table; the same recipe run to 15,625 steps scores 15.9 +- 0.3. Scored from the run's
exact eval samples in 78 min on 2 AMD EPYC cores, shared with other jobs for part of it:
  python -m jaxgan.tools.export_eval_samples --workdir W --output s0_ema.npy --num 10000
  python -m jaxgan.tools.score_samples --config experiments/beat_lucic_fashion_mnist.py:ema \\
    --samples s0_ema.npy --output experiments/results/infogan_fashion_mnist_s0_inception.json
(experiments/results/infogan_fashion_mnist_s0_inception.json; TABLE_IMAGE_DEFAULT in experiments/README.md).

Standing BatchNorm statistics for the EMA G (measured 2026-12-06, seed 0, 2 AMD EPYC cores beside
another job; the same training bit for bit, only the evaluation differs):
  python -m jaxgan.main --config experiments/infogan_fashion_mnist.py --workdir W --config.eval.standing_stats=16
  python -m jaxgan.evaluate --workdir W --standing_stats 0 --output W/eval_running_stats.json   # the pair
  | step 3,000, classifier metrics as above | FID | KID | IS | precision | recall | coverage |
  |---|---|---|---|---|---|---|
  | running statistics (this config) | 23.6 | 0.121 | 6.11 | 0.86 | 0.03 | 0.60 |
  | 16 batches of standing statistics | 8.5 | 0.029 | 7.11 | 0.75 | 0.18 | 0.72 |
Curve with standing statistics: 19.9, 11.2, 8.5 at 1,000, 2,000, 3,000 steps. Not yet this
config's default: its Inception FID is not measured yet (~40 min of 10k features). Grid:
experiments/figures/infogan_fashion_mnist_standing_step3000.png.
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "infogan_fashion_mnist")
    c = load_experiment("beat_lucic_fashion_mnist", "smoke" if arg == "smoke" else "ema")
    c.augment.policy = ""  # `smoke` borrows ema_diffaug's tiny run; the default has no augmentation
    # The seeds' DCGAN's length, schedule and eval protocol (classifier metrics, 10k samples against
    # 10k training images), so that the two compare row for row.
    dcgan = load_experiment("dcgan_fashion_mnist", arg)
    for key in ("batch_size", "total_steps", "log_every_steps", "eval_every_steps", "checkpoint_every_steps"):
        c[key] = dcgan[key]
    c.eval = dcgan.eval
    return c
