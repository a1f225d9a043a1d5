"""The class-conditional GAN of cgan_fashion_mnist.py trained on a stratified label subset only (low-data study).

Argument: the labelled share in percent, `1` or `10` (600 or 6,000 of the 60,000
train images, each class its share: `data.label_fraction`, drawn with
`data.subset_seed`, 0 here; the sweep gives seed s subset s); `smoke` runs for seconds. The networks
and optimizer are cgan_fashion_mnist.py's (MLP G and projection D, EMA of G);
with this little data D memorises its images, so D sees DiffAugment
(translation, cutout; Zhao et al. 2020). 5,000 steps.

Its class-balanced samples then join the subset to train jaxgan's
classifier, beside the subset alone and the subset with flips and shifts
(`python -m jaxgan.apps.augment`). Command, one seed:
  python -m jaxgan.main --config experiments/cgan_fashion_mnist_lowdata.py:1 --workdir runs/augment/cgan_f1_s0
  python -m jaxgan.apps.augment --fraction 0.01 --subset_seed 0 --gan_workdir runs/augment/cgan_f1_s0
Both fractions, 3 seeds, in the background, resumably:
  python -m jaxgan.tools.augment_sweep --out runs/augment
  python -m jaxgan.tools.augment_table runs/augment --output experiments/README.md
Measured (TABLE_AUGMENT in experiments/README.md; 2 AMD EPYC cores, ~30 min per fraction and seed,
most of it the classifier arms): the GAN samples do not help here, in any of the 6 runs. Test accuracy %:
  1%  (600 images), seed 0:   subset 83.15, + flips/shifts 83.45, + GAN samples 81.63 (lift -1.52 / -1.82)
  1%  (600 images), seed 1:   subset 82.80, + flips/shifts 83.10, + GAN samples 81.81 (lift -0.99 / -1.29)
  1%  (600 images), seed 2:   subset 82.91, + flips/shifts 84.20, + GAN samples 81.86 (lift -1.05 / -2.34)
  10% (6,000 images), seed 0: subset 88.86, + flips/shifts 89.61, + GAN samples 87.70 (lift -1.16 / -1.91)
  10% (6,000 images), seed 1: subset 89.01, + flips/shifts 89.40, + GAN samples 88.23 (lift -0.78 / -1.17)
  10% (6,000 images), seed 2: subset 89.02, + flips/shifts 89.50, + GAN samples 87.78 (lift -1.24 / -1.72)
  mean ± std over seeds 0-2, lift over the subset / over flips and shifts:
  1%: -1.19 ± 0.24 / -1.82 ± 0.43;  10%: -1.06 ± 0.20 / -1.60 ± 0.31.
Variants of the GAN arm at 1%, seed 0 (experiments/README.md): 0.5 samples per real image, lift -1.41 over
the subset (-1.52 at 1 per image); GAN samples with flips and shifts too, -0.48 over flips and shifts alone
(-1.82 without). No setting tried adds accuracy; the configuration shipped here is the study's default.
"""

from jaxgan.config import check_arg, load_experiment

PERCENTS = ("1", "10")


def get_config(arg: str | None = None):
    check_arg(arg, (*PERCENTS, "smoke"), "cgan_fashion_mnist_lowdata")
    c = load_experiment("cgan_fashion_mnist", "smoke" if arg == "smoke" else None)
    c.data.label_fraction = 0.1 if arg == "smoke" else int(arg or "1") / 100
    c.augment.policy = "translation,cutout"
    if arg != "smoke":
        c.total_steps = 5_000
        c.eval_every_steps = c.checkpoint_every_steps = 2_500
    return c
