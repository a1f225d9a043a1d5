"""CycleGAN (Zhu et al. 2017) on unpaired edges <-> garments (offline), with the paper's comparisons.

Argument (`cycle` when omitted; `smoke`: 2 tiny steps):
  - `cycle`: the paper's CycleGAN (LSGAN + cycle 10 + identity 5);
  - `gan_only`: the adversarial losses alone (the paper's ablation, which it shows collapses).
The paired upper bound is `pix2pix_edges2fashion.py` on the same test set.

Data: `edges2fashion_unpaired` (jaxgan/data/paired.py): domain A = Fashion-MNIST
garments from one half of the train split, domain B = binary Sobel edge maps
of the garments of the other half, 32x32; no garment is ever seen with its
own edges. On the test split the truth of both directions is known.
Networks, the paper's scaled to 32x32 and to 2 CPU cores: ResNet G
(`resnet_translator`, width 16, 6 residual blocks as at 128x128, instance
norm, reflection padding) x 2;
PatchGAN D of width 32 with instance norm, 2 stride-2 layers (34x34
receptive field) x 2.
LSGAN (`least_squares`; adversarial weight 2 = the PyTorch code's balance),
a pool of 50 past fakes per D, Adam 2e-4 (b1 0.5), constant lr for the first
half then linear decay to 0 (`linear_second_half`), batch 16 (the paper's 1
would be slow on CPU), 6,000 steps. Convolutions: `conv_impl="mixed"` (XLA's
convolutions, sub-pixel transposed ones), 1.5x the step speed of the dense
forms on 2 quiet cores (362 against 558 ms per step for the RGB pairs of
`cyclegan_colours_fashion_mnist.py`, 2026-12-06;
`python benchmarks/step_speed.py --config experiments/cyclegan_edges2fashion.py`).

Prepare once (offline): python -m jaxgan.data.prepare fashion_mnist;
python -m jaxgan.evaluation.train_classifier fashion_mnist; the FID Inception
(README "Evaluation"). Command:
  python -m jaxgan.main --config experiments/cyclegan_edges2fashion.py:cycle --workdir runs/cyclegan_cycle_s0

Eval (translation evaluator, 2,000 test garments and their edges):
translate_ab (garment -> edges): L1/PSNR/SSIM against the true edges, and edge precision/recall/F1
within one pixel (binary contours: L1 counts a contour one pixel off as wholly wrong);
translate_ba (edges -> garment): the same against the true garment, Inception
FID/KID against 10,000 real test garments, and the classifier's accuracy on
the translated garment against its source's class.
Measured (seed 0, 2026-12-06, 2 AMD EPYC cores beside other jobs; experiments/README.md,
TABLE_CYCLEGAN): `cycle`, 6,000 steps, 70 min of training: edges -> garment Inception FID 64.5,
L1 0.108, class kept 69.9% (true garments 90.4%); garment -> edges L1 0.167 (binary 1-2 pixel
contours: one pixel off counts whole). The paired pix2pix (L1 + cGAN, same test pairs): FID 30.9,
L1 0.042, class 83.6%: the upper bound, as in the paper. `gan_only` (6,000 steps, 38 min of
training): edges -> garment FID 90.8, L1 0.147, class kept 64.1%, worse than `cycle` on all three,
but no collapse (outputs follow the inputs' outlines); garment -> edges L1 0.117 (lower), edge F1
within one pixel 0.949 (`cycle`: 0.956).
Grids: experiments/figures/cyclegan_edges2fashion_{cycle,gan_only}_step6000_*.png.
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

# arg -> (cycle_weight, identity_weight)
VARIANTS = {"cycle": (10.0, 5.0), "gan_only": (0.0, 0.0)}


def get_config(arg: str | None = None):
    check_arg(arg, (*VARIANTS, "smoke"), "cyclegan_edges2fashion")
    cycle, identity = VARIANTS["cycle" if arg in (None, "smoke") else arg]
    c = base_config()
    c.family = family_config("cyclegan", cycle_weight=cycle, identity_weight=identity, pool_size=50)
    c.data.name = "edges2fashion_unpaired"
    c.data.image_size = 32
    c.batch_size = 16
    c.total_steps = 6_000
    c.loss = "least_squares"
    c.model.generator, c.model.discriminator = "resnet_translator", "patchgan"
    c.model.g.width, c.model.g.num_blocks, c.model.g.norm = 16, 6, "instance"
    c.model.d.width, c.model.d.n_layers, c.model.d.norm = 32, 2, "instance"
    # XLA's convolutions and sub-pixel transposed ones: 1.5x the dense forms' ("auto" on CPU) step speed for
    # these 7x7 / 3x3-stride-2 layers on small maps (benchmarks/README.md, "CycleGAN and StarGAN steps").
    c.model.g.conv_impl = c.model.d.conv_impl = "mixed"
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2, group.schedule = 2e-4, 0.5, 0.999, "linear_second_half"
    c.log_every_steps = 200
    c.eval_every_steps = c.checkpoint_every_steps = 3_000
    c.eval.evaluators = "translation"
    c.eval.reference_split = "test"
    c.eval.num_samples, c.eval.reference_num_samples = 2_000, 10_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":
        c.model.g.width, c.model.g.num_blocks, c.model.d.width = 4, 1, 4
        c.family.pool_size = 4
        c.batch_size, c.total_steps = 4, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 16, ""
    return c
