"""f-AnoGAN (Schlegl et al. 2019) one-class anomaly detection on Fashion-MNIST (offline).

Argument: the normal class, `0`-`9` (`:3` trains on the 6,000 train images of
class 3, dresses); `smoke` runs class 0 for seconds. The run trains on the
normal class only (`data.classes`) and scores the whole test split (class k
normal, the 9 others anomalous), as in Golan & El-Yaniv 2018 and Ruff et al.

Family `fanogan` (jaxgan/families/fanogan.py), one run, two phases:
  1. steps 1-1,500: a WGAN-GP (Gulrajani et al. 2017): dcgan28 G and D at
     half width (32; D without dropout), latent 100, n_critic 5, GP weight 10,
     Adam 1e-4 (b1 0, b2 0.9), batch 64: 7,500 critic updates, 80 epochs of
     the class's 6,000 images;
  2. steps 1,501-3,000: the izi_f encoder (dcgan28 trunk of width 32 -> Dense
     100) against the frozen G and D, Adam 1e-4 (b1 0.5, b2 0.9), kappa 1.
Anomaly score (the paper's): mean((x - G(E(x)))^2) + kappa * mean((f(x) -
f(G(E(x))))^2), f = D's last hidden layer; `critic` = -D(x) is the naive
baseline, scored from the same run.

Prepare once (offline): python -m jaxgan.data.prepare fashion_mnist. Command:
  python -m jaxgan.main --config experiments/fanogan_fashion_mnist.py:3 --workdir runs/anomaly/fanogan_c3
  python -m jaxgan.apps.anomaly --workdir runs/anomaly/fanogan_c3 --output runs/anomaly/fanogan_c3/anomaly.json
All ten classes, in the background, resumably (experiments/README.md "Anomaly detection"):
  python -m jaxgan.tools.anomaly_sweep --detector fanogan --out runs/anomaly

Evaluator `anomaly` at steps 1,500 (the critic's AUROC; the encoder is still
untrained) and 3,000: AUROC of every score on the 10,000 test images.
Published, same protocol (mean AUROC %): GeoTrans 93.5, ARNet 93.9, Deep SAD
89.2 (../shared/targets.md). Measured (TABLE_ANOMALY in experiments/README.md), seed 0, all 10 classes:
izi_f mean AUROC 92.0 ± 4.8 % (per class 90.2, 98.6, 88.8, 93.7, 90.4, 90.6,
82.2, 98.4, 89.4, 97.3), above Deep SAD's 89.2, below GeoTrans's 93.5; the
feature residual alone 92.2, the image residual alone 90.9; the critic alone
36.0 (inverted on 8 classes). Before the encoder phase (step 1,500) izi_f is
near or below chance (class 0: 43.4): the encoder makes the score. About 24
min of training per class on one core beside another run.
"""

from jaxgan.config import base_config, check_arg, optimizer_config
from jaxgan.families import family_config

CLASSES = tuple(str(k) for k in range(10))


def get_config(arg: str | None = None):
    check_arg(arg, (*CLASSES, "smoke"), "fanogan_fashion_mnist")
    c = base_config()
    c.data.name = "fashion_mnist"
    c.data.classes = "0" if arg in (None, "smoke") else arg
    c.family = family_config("fanogan", gan_steps=1_500, kappa=1.0, encoder="dcgan28", e={"width": 32})
    c.total_steps = 3_000
    c.batch_size = 64
    c.d_steps_per_g_step = 5
    c.loss = "wasserstein"
    c.penalties = {"wgan_gp": {"weight": 10.0}}
    c.model.generator = c.model.discriminator = "dcgan28"
    c.model.g.width = c.model.d.width = 32
    c.model.d.dropout = 0.0
    c.model.latent_dim = 100
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2 = 1e-4, 0.0, 0.9
    c.optimizer.e = optimizer_config(1e-4, 0.5, 0.9)
    c.log_every_steps = 100
    c.eval_every_steps = c.checkpoint_every_steps = 1_500
    c.eval.evaluators = "anomaly"
    c.eval.num_samples = 10_000  # test images scored
    if arg == "smoke":
        c.model.g.width = c.model.d.width = c.family.e.width = 8
        c.batch_size, c.total_steps, c.family.gan_steps, c.d_steps_per_g_step = 8, 4, 2, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
        c.eval.num_samples = 200
    return c
