"""ProGAN (Karras et al. 2018) on Fashion-MNIST at 32x32 (offline): growing 4 -> 8 -> 16 -> 32.

Argument (`grow` when omitted; `smoke`: 2 tiny steps): `grow` is the paper's
progressive growing; `fixed` trains the same networks at 32x32 from the first
step with the same image budget and seed (the paper's comparison, its
Table 1 / Figure 4; `fixedres_fashion_mnist32.py` is this config's `fixed`).

Data: Fashion-MNIST train garments resized to 32x32 (bilinear), in [-1, 1].
The paper's settings, with the image budget and widths scaled to 2 CPU cores:
WGAN-GP (lambda 10) plus the drift term 0.001 * D(x)^2, n_critic 1, Adam lr
1e-3, b1 0, b2 0.99, eps 1e-8, EMA of G 0.999, pixel norm, equalized
learning rate, minibatch stddev (group 4); per resolution 32k images of
fade-in and 32k of stable training (the paper: 600k and 600k), so 4x4 for
32k images, then 8x8, 16x16 and 32x32 for 64k each: 224k images, 7,000 steps
of batch 32 (1,000 per half-phase). Networks: the paper's, narrower
(fmap_max 64: 64 channels at every resolution; latent 128). Why these sizes:
the fixed-resolution step costs 109 GFLOP and 1.5 CPU-s at fmap_max 64
against 226 GFLOP and 3.0 CPU-s at 128 (`python benchmarks/step_speed.py
--config experiments/progan_fashion_mnist32.py:fixed`, 2026-12-06, beside
two trainings), so the pair of runs takes about 4 CPU-hours of training
instead of 16 at 60k + 60k images and 128 channels.

Prepare once (offline): python -m jaxgan.data.prepare fashion_mnist; the FID
Inception (README "Evaluation"). Commands:
  python -m jaxgan.main --config experiments/progan_fashion_mnist32.py:grow --workdir runs/progan_grow_s0
  python -m jaxgan.main --config experiments/progan_fashion_mnist32.py:fixed --workdir runs/progan_fixed_s0

Eval every 1,000 steps (32k images, the end of each fade-in and of each
stable phase): Inception FID/KID of 2,000 samples (the EMA G at the current
resolution and alpha, upsampled to 32x32) against 10,000 real test garments
at 32x32 (2,000 samples: FID is biased upwards against 10,000, alike for both
runs); `python -m jaxgan.evaluate --all_steps` re-scores kept checkpoints.
The curve against images seen and training time
(evaluations excluded), a PNG and a table:
  python -m jaxgan.tools.curve runs/progan_grow_s0 runs/progan_fixed_s0 --clock train_cpu_s \
      --png experiments/figures/progan_fid_curve.png
(`--clock train_cpu_s`: training CPU time, which a neighbouring job on a
shared machine does not inflate as it does wall time.)
Expected (the paper's claim): growing reaches a given FID sooner in training
time than the fixed-resolution run.
Measured (seed 0, 2026-12-06, 2 AMD EPYC cores beside other jobs; experiments/README.md,
TABLE_PROGAN_CURVE): `grow` ends at FID 80.7 (224 kimg, 68.7 CPU-minutes of training);
`fixed` (1.57 CPU-s per step, 2.5x) scores 145.5 after 32 kimg (26.4 CPU-minutes), 108.2
after 64 kimg (52.0), 87.8 at step 2,564 (~66.7), 80.6 after 96 kimg (78.1), and 63.5, 56.0,
53.2, 51.1 after 128, 160, 192, 224 kimg (184.2 CPU-minutes in all). So growing reaches FID
80.7 with ~12% less compute, but the fixed run reaches every coarser FID first and, with the
same 224 kimg, ends at 51.1 against 80.7 for 2.7x the compute: the claim holds narrowly, at the
growing run's final quality only. One seed.
Grids (EMA G, step 7,000): experiments/figures/progan_fashion_mnist32_{grow,fixed}_step7000.png.
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

STEPS_PER_32K_IMAGES = 1_000  # at batch 32: one half-phase (fade-in or stable)


def get_config(arg: str | None = None):
    check_arg(arg, ("grow", "fixed", "smoke"), "progan_fashion_mnist32")
    c = base_config()
    c.family = family_config("progan", fade_kimg=32.0, stable_kimg=32.0, drift=0.001, grow=arg != "fixed")
    c.data.name, c.data.image_size = "fashion_mnist", 32
    c.batch_size = 32
    c.total_steps = 7 * STEPS_PER_32K_IMAGES  # 4x4 stable, then fade + stable for 8, 16, 32
    c.loss = "wasserstein"
    c.penalties = {"wgan_gp": {"weight": 10.0}}
    c.model.generator = c.model.discriminator = "progan"
    c.model.latent_dim = 128
    c.model.g.fmap_base = c.model.d.fmap_base = 1024
    c.model.g.fmap_max = c.model.d.fmap_max = 64
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2, group.eps = 1e-3, 0.0, 0.99, 1e-8
    c.ema.decay = 0.999
    c.log_every_steps = 250
    c.eval_every_steps = c.checkpoint_every_steps = STEPS_PER_32K_IMAGES
    c.keep_checkpoints = 8
    c.eval.reference_split = "test"
    c.eval.num_samples, c.eval.reference_num_samples = 2_000, 10_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":
        c.family.fade_kimg = c.family.stable_kimg = 0.004
        c.model.g.fmap_base = c.model.d.fmap_base = 16
        c.model.g.fmap_max = c.model.d.fmap_max = 8
        c.model.latent_dim, c.batch_size, c.total_steps = 8, 4, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 16, ""
    return c
