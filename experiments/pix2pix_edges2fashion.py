"""pix2pix (Isola et al. 2017) on edges2fashion (offline): edges of real garments -> the garments.

The paper's objective ablation (its Table 1 / Fig. 4) on a task with a known
truth. Argument (the objective; `l1_cgan` when omitted; `smoke`: 2 tiny steps):
  - `l1_cgan`: cGAN + 100 * L1 (the paper's pix2pix);
  - `l1`: L1 alone (the paper: "blurry results");
  - `cgan`: the cGAN alone (the paper: "sharper results but visual artifacts").

Data: `edges2fashion` (jaxgan/data/paired.py): Fashion-MNIST garments resized
to 32x32, input = their binary Sobel edges; train on the train split, score
on the test split, where every input's true garment is known.
Networks, the paper's scaled to 32x32 and to 2 CPU cores: U-Net G of depth 5
at half width (32-64-128-256-256, down to 1x1; dropout 0.5 on the 2 up levels
next to the innermost), PatchGAN D of width 32 with 2 stride-2 layers (34x34
receptive field, 6x6 patch logits) on [edges, garment]; BatchNorm. Step: 24.7
GFLOP, 0.45 s on one core (`python benchmarks/step_speed.py --config
experiments/pix2pix_edges2fashion.py`). Adam 2e-4 (b1 0.5, b2 0.999), the non-saturating loss,
batch 64 (the paper's 1-4 would be slow on CPU), 6,000 steps (6.4 epochs).

Prepare once (offline): python -m jaxgan.data.prepare fashion_mnist;
python -m jaxgan.evaluation.train_classifier fashion_mnist; the FID Inception
(README "Evaluation"). Command:
  python -m jaxgan.main --config experiments/pix2pix_edges2fashion.py:l1_cgan --workdir runs/pix2pix_l1_cgan

Eval (translation evaluator, 2,000 fixed test edge maps): L1 (on [0, 1]),
PSNR and SSIM against their true garments; Inception FID/KID of the 2,000
outputs against 10,000 real test garments; the Fashion-MNIST classifier's
accuracy on the outputs against the source garment's class.

Expected shape (the paper's): L1 alone has the best PSNR and the worst FID;
L1 + cGAN the best FID. Measured, seed 0, step 6,000 (experiments/README.md,
TABLE_PIX2PIX; grids experiments/figures/pix2pix_edges2fashion_*_seed0_step6000.png):
  objective  L1     PSNR   SSIM   Inception FID  KID    class kept
  l1_cgan    0.043  22.77  0.774  31.1           0.014  83.5%
  l1         0.041  23.23  0.782  34.3           0.016  79.4%
  cgan       0.051  21.57  0.747  40.4           0.022  81.8%
(the true garments: class kept 90.1%). At seed 0 two of the three parts
hold: L1 alone has the best L1/PSNR/SSIM and L1 + cGAN the best FID and
class accuracy; but the cGAN alone, not L1 alone, has the worst FID here
(its outputs drift furthest from the truth). Trained again on 2 AMD EPYC
cores (kept rows, TABLE_PIX2PIX_SEEDS; mean +- std over seeds 0-2):
  l1_cgan  FID 29.6 +- 1.3  PSNR 22.82 +- 0.14  class kept 83.5%
  l1       FID 33.9 +- 0.6  PSNR 23.26 +- 0.13  class kept 79.2%
  cgan     FID 41.6 +- 1.7  PSNR 21.45 +- 0.10  class kept 82.9%
the same shape at every seed: L1 + cGAN is sharper than L1 alone, as the
paper says, and the cGAN alone, not L1 alone, is the least realistic.
Wall: about 87-89 min each on 2 cores shared with one other run (the l1
run's recorded 175 min includes a pause).
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

# arg -> (l1_weight, gan_weight)
OBJECTIVES = {"l1_cgan": (100.0, 1.0), "l1": (100.0, 0.0), "cgan": (0.0, 1.0)}


def get_config(arg: str | None = None):
    check_arg(arg, (*OBJECTIVES, "smoke"), "pix2pix_edges2fashion")
    name = "l1_cgan" if arg in (None, "smoke") else arg
    l1_weight, gan_weight = OBJECTIVES[name]
    c = base_config()
    c.family = family_config("pix2pix", l1_weight=l1_weight, gan_weight=gan_weight)
    c.data.name = "edges2fashion"
    c.data.image_size = 32
    c.batch_size = 64
    c.total_steps = 6_000
    c.loss = "non_saturating"
    c.model.generator, c.model.discriminator = "unet", "patchgan"
    c.model.g.width, c.model.g.depth, c.model.g.dropout_levels = 32, 5, 2
    c.model.d.width, c.model.d.n_layers = 32, 2
    c.model.g.conv_impl = c.model.d.conv_impl = "auto"  # CPU: the dense sub-pixel forms (benchmarks/README.md)
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2 = 2e-4, 0.5, 0.999
    c.log_every_steps = 200
    c.eval_every_steps = c.checkpoint_every_steps = 3_000
    c.eval.evaluators = "translation"
    c.eval.reference_split = "test"
    c.eval.num_samples, c.eval.reference_num_samples = 2_000, 10_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":
        c.model.g.width, c.model.d.width = 8, 8
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 16, ""
    return c
