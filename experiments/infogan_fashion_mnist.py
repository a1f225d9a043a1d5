"""Fashion-MNIST, the offline image default: the recipe that beat Lucic et al.'s table, at 3,000 steps.

The `ema` recipe of `beat_lucic_fashion_mnist.py` (Inception FID 15.9 +- 0.3 over 3 seeds at
15,625 steps), cut to a length a first run can afford:
  - Lucic et al.'s InfoGAN-style G and D (D with BatchNorm), z of 64, batch 64;
  - the non-saturating loss, Adam lr 2e-4, beta1 0.5 for both networks;
  - an EMA of G (0.999, with warm-up) for samples and metrics, sampled with standing BatchNorm
    statistics (16 batches of 64 latents through the EMA G; BigGAN's; jaxgan/standing_stats.py):
    at 3,000 steps the EMA is far from the live weights whose running statistics it would borrow;
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
  python -m jaxgan.evaluate --workdir runs/infogan_fashion_mnist --output fid.json \
    --extractor inception_fid --metrics fid,kid,pr,dc --reference_split test
`--standing_stats 0` scores the same checkpoint with the running statistics instead.

Expected result (measured 2026-12-06, seed 0, jax 0.10.2, 2 AMD EPYC cores beside another job,
1 CPU device; EMA G at step 3,000; training 34 min; runs/infogan_fashion_mnist_standing, table
TABLE_IMAGE_DEFAULT in experiments/README.md). The running-statistics column is the same
checkpoint (`--standing_stats 0`), the evaluation this config used before 2026-12-06:
  | metric | this (standing statistics) | running statistics | real test images |
  |---|---|---|---|
  | Inception FID / KID (Lucic protocol) | 29.6 / 0.017 | 50.9 / 0.041 | |
  | Inception precision / recall / coverage | 0.53 / 0.14 / 0.43 | 0.52 / 0.055 / 0.29 | |
  | classifier-FID | 8.5 | 23.6 | 0.48 |
  | classifier-KID | 0.029 +- 0.004 | 0.121 +- 0.007 | |
  | classifier-IS | 7.11 +- 0.08 | 6.11 +- 0.10 | 8.62 |
  | classifier precision / recall | 0.75 / 0.18 | 0.86 / 0.03 | 0.81 / 0.81 |
  | classifier density / coverage | 1.05 / 0.72 | 1.39 / 0.60 | - / 0.97 |
(classifier metrics: 10k samples vs 10k training images, `fashion_mnist_classifier` features,
sha256 17f9d0b098d4, retrained on this machine; the seeds' DCGAN, `dcgan_fashion_mnist.py`, scored
31.8 on the earlier classifier 57dbe652a537, where this recipe's running statistics scored 23.8.)
Curve (classifier-FID, standing statistics): 19.9, 11.2, 8.5 at 1,000, 2,000, 3,000 steps
(running statistics, earlier classifier: 87.5, 47.4, 23.8). The Inception FID of 29.6 is at a fifth of Lucic et
al.'s 15,625-step budget, so it is not set beside their table (their best row there: 21.5).
Grid: experiments/figures/infogan_fashion_mnist_standing_step3000.png (trousers, dresses,
sneakers, boots, sandals, bags, pullovers, shirts, with more variety of style than the running
statistics' grid, experiments/figures/infogan_fashion_mnist_step3000.png). Recall stays low:
3,000 steps find the main styles of each class, not all their variety (15,625 steps: 0.32).
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
    c.eval.standing_stats = 16  # BigGAN-PyTorch's num_standing_accumulations
    return c
