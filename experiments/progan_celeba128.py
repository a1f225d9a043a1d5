"""ProGAN (Karras et al. 2018) on CelebA at 128x128, the authors' Section 6.1 setup (online: needs tfds celeb_a).

The authors' 128x128 CelebA configuration of their Table 1 ablation
(`config.py` of their Theano code, "progressive-growing" with every
contribution: minibatch stddev, equalized learning rate, pixel norm): growing
4 -> 128 with 800k images of fade-in and 800k of stable training per
resolution (the last one runs on to 10M images in all); fmap_base 2048,
fmap_max 512, latent 512; WGAN-GP lambda 10 plus drift 0.001; Adam 1e-3, b1 0,
b2 0.99, eps 1e-8; batch 16; EMA of G 0.999.
Differences, said plainly: jaxgan's celeb_a is the aligned 178x218 faces
center-cropped to 140x140 and resized to 128 (theirs: a 128x128 crop of the
same faces), and it has no mirror augmentation (theirs: on).
Published (their Table 1, CelebA 128, "(g) + pixelwise normalization"): MS-SSIM
and sliced Wasserstein distances, which jaxgan does not compute; report FID.

Prepare once (online): python -m jaxgan.data.prepare celeb_a. Command:
  python -m jaxgan.main --config experiments/progan_celeba128.py --workdir runs/progan_celeba128
625,000 steps of batch 16. GPU-hours: not measured here (no GPU was lent
when this config was written). Eval every 800k images: Inception FID of
10,000 EMA samples against 10,000 train faces. `smoke`: a few tiny steps.
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

BATCH = 16
STEPS_PER_800K_IMAGES = 800_000 // BATCH


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "progan_celeba128")
    c = base_config()
    c.family = family_config("progan", fade_kimg=800.0, stable_kimg=800.0, drift=0.001, grow=True)
    c.data.name, c.data.image_size = "celeb_a", 128
    c.batch_size = BATCH
    c.total_steps = 10_000_000 // BATCH
    c.loss = "wasserstein"
    c.penalties = {"wgan_gp": {"weight": 10.0}}
    c.model.generator = c.model.discriminator = "progan"
    c.model.latent_dim = 512
    c.model.g.fmap_base = c.model.d.fmap_base = 2048
    c.model.g.fmap_max = c.model.d.fmap_max = 512
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2, group.eps = 1e-3, 0.0, 0.99, 1e-8
    c.ema.decay = 0.999
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = STEPS_PER_800K_IMAGES
    c.keep_checkpoints = 5
    c.eval.num_samples, c.eval.reference_num_samples = 10_000, 10_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":  # at 16x16: the code path, not the size
        c.data.image_size = 16
        c.family.fade_kimg = c.family.stable_kimg = 0.004
        c.model.g.fmap_base = c.model.d.fmap_base = 16
        c.model.g.fmap_max = c.model.d.fmap_max = 8
        c.model.latent_dim, c.batch_size, c.total_steps = 8, 4, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 16, ""
    return c
