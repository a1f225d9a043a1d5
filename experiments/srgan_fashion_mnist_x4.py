"""SRGAN (Ledig et al. 2017) x4 on Fashion-MNIST (offline): 8x8 bicubic-downsampled garments -> 32x32.

The paper's claim: SRGAN trades PSNR for perceptual quality, i.e. it has a
lower PSNR than SRResNet-MSE (`srresnet_fashion_mnist_x4.py`, the same G
trained on pixel MSE alone) and better perceptual scores (here: FID).

Data: `fashion_mnist_sr_x4` (jaxgan/data/paired.py): garments resized to
32x32, inputs downsampled x4 by PIL's bicubic; train split for training,
2,000 fixed test garments for scoring. Networks, the paper's: SRResNet G with
B = 8 residual blocks of 64 channels (the paper: 16) and two sub-pixel x2
upsamplings; SRGAN's D (64-512 channels, 4 stride-2 convs, dense 1024).
Loss: content = MSE of the Fashion-MNIST classifier's last conv activations
(the offline stand-in for VGG54, whose weights cannot be had offline;
`family.content="vgg19_54"` takes them from torchvision's file), plus 1e-3 x the
non-saturating adversarial loss. Adam 1e-4 (b1 0.9), batch 16 (the paper's), 5,000 steps,
trained from scratch (the paper starts SRGAN from a trained SRResNet).
Step: 51.5 GFLOP, 488 ms on 2 quiet AMD EPYC cores (625 ms with "auto" for G
too, as seed 0 was trained; `python benchmarks/step_speed.py --config
experiments/srgan_fashion_mnist_x4.py`, 2026-12-06). The kernels change float
rounding only, as another machine would.
Argument `smoke`: 2 tiny steps.

Prepare once (offline): python -m jaxgan.data.prepare fashion_mnist;
python -m jaxgan.evaluation.train_classifier fashion_mnist; the FID Inception
(README "Evaluation"). Command:
  python -m jaxgan.main --config experiments/srgan_fashion_mnist_x4.py --workdir runs/sr_srgan_x4

Eval (translation evaluator, 2,000 fixed test garments): PSNR, SSIM and L1
of their reconstructions against the truth, beside bicubic upsampling;
Inception FID/KID of the 2,000 outputs against 10,000 real test garments; the
classifier's accuracy on the outputs.
Expected (seed 0, 2026-12-05; experiments/README.md, TABLE_SRGAN): at step
5,000 PSNR 22.75 dB, SSIM 0.759, Inception FID 56.7, class kept 82.1%, against
SRResNet-MSE's 23.83 dB, 0.781, 60.5, 76.9% (at step 2,500: 22.19 dB / FID
72.7 against 23.06 / 84.3): lower PSNR, better FID, the paper's claim.
109 min on 2 cores shared with 1-2 other jobs.
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srgan_fashion_mnist_x4")
    c = base_config()
    c.family = family_config("srgan", content="fashion_mnist_classifier", adversarial_weight=1e-3)
    c.data.name = "fashion_mnist_sr_x4"
    c.data.image_size = 32
    c.batch_size = 16  # the paper's
    c.total_steps = 5_000
    c.loss = "non_saturating"
    c.model.generator, c.model.discriminator = "srresnet", "srgan"
    c.model.g.width, c.model.g.num_blocks = 64, 8
    c.model.d.width, c.model.d.dense = 64, 1024
    # G: XLA's convolutions with sub-pixel transposed ones; D: the dense sub-pixel forms ("auto" on CPU). The
    # fastest pair on 2 CPU cores (benchmarks/README.md, "SR and pix2pix steps"); seed 0 ran with "auto" for both.
    c.model.g.conv_impl, c.model.d.conv_impl = "mixed", "auto"
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2 = 1e-4, 0.9, 0.999
    c.log_every_steps = 200
    c.eval_every_steps = c.checkpoint_every_steps = 2_500
    c.eval.evaluators = "translation"
    c.eval.reference_split = "test"
    c.eval.num_samples, c.eval.reference_num_samples = 2_000, 10_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":
        c.family.content = "pixel"  # no trained classifier needed
        c.model.g.width, c.model.g.num_blocks, c.model.d.width, c.model.d.dense = 8, 1, 8, 16
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 16, ""
    return c
