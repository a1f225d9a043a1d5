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

from jaxgan.config import check_arg, load_experiment

BATCH = 16
STEPS_PER_800K_IMAGES = 800_000 // BATCH


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "progan_celeba128")
    # The paper's settings as progan_fashion_mnist32.py has them (its smoke sizes for `smoke`), then CelebA's.
    c = load_experiment("progan_fashion_mnist32", "smoke" if arg == "smoke" else "grow")
    c.data.name, c.data.image_size = "celeb_a", 128
    c.eval.reference_split = "train"
    if arg == "smoke":  # at 16x16: the code path, not the size
        c.data.image_size = 16
        return c
    c.family.fade_kimg = c.family.stable_kimg = 800.0
    c.batch_size = BATCH
    c.total_steps = 10_000_000 // BATCH
    c.model.latent_dim = 512
    c.model.g.fmap_base = c.model.d.fmap_base = 2048
    c.model.g.fmap_max = c.model.d.fmap_max = 512
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = STEPS_PER_800K_IMAGES
    c.keep_checkpoints = 5
    c.eval.num_samples = 10_000
    return c
