"""pix2pix (Isola et al. 2017) on Cityscapes labels -> photo at 256x256, the paper's settings (online: manual download).

Prepare once (online, needs TensorFlow; Cityscapes needs a registration at
cityscapes-dataset.com): download leftImg8bit_trainvaltest.zip and
gtFine_trainvaltest.zip into DIR, then
  pip install -e ".[prepare]" && python -m jaxgan.data.prepare cityscapes/semantic_segmentation --manual_dir DIR
Command (`:smoke`: tiny networks, 2 steps):
  python -m jaxgan.main --config experiments/pix2pix_cityscapes.py --workdir runs/pix2pix_cityscapes

Why Cityscapes: of pix2pix's paired sets it is the one the tfds catalog holds
(facades, maps and edges2* are not in it; `cycle_gan/facades` and
`cycle_gan/maps` are shuffled halves without the pairing). Data
(`cityscapes_labels2photo`, jaxgan/data/online_pairs.py): the 2,975 training
images, input = the colour label map (labelIds drawn with the official
palette), target = the photo; jitter: resize to 286, one random 256 crop and
flip for both; tested on the 500 validation images, resized to 256.
The authors' settings: U-Net 256 (8 levels, width 64, dropout 0.5 on the 3
innermost up levels), 70x70 PatchGAN (3 layers, width 64), BatchNorm, cGAN
(non-saturating) + 100 * L1, Adam 2e-4 (b1 0.5), batch 1, 200 epochs (100 at
the lr, 100 decaying linearly to 0, the PyTorch code's default): 595,000 steps.
Cost: GPU time not measured here (no GPU and no internet on these machines);
`python benchmarks/step_speed.py --config experiments/pix2pix_cityscapes.py
--image_shape 256,256,3` prints XLA's FLOP count and a machine's step time.
Compare with: the paper's Table 1, FCN-scores of labels->photo on the
validation set (L1+cGAN: per-pixel accuracy 0.66, per-class 0.23, class IoU
0.17; ground-truth photos 0.80, 0.26, 0.21; recalled, not re-checked offline).
The FCN-8s Cityscapes scorer is not part of jaxgan, so the eval reports what
it can without it: L1, PSNR and SSIM against the true photos, and FID/KID of
the outputs against the 500 real validation photos.
A mock-data test builds it and trains a step (tests/test_online_image2image.py).
Expected: not measured (needs the dataset and a GPU).
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

EPOCH = 2_975  # Cityscapes' training images, at batch 1


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "pix2pix_cityscapes")
    c = base_config()
    c.family = family_config("pix2pix", l1_weight=100.0, gan_weight=1.0)
    c.data.name = "cityscapes_labels2photo"
    c.data.image_size = 256
    c.batch_size = 1
    c.total_steps = 200 * EPOCH
    c.loss = "non_saturating"
    c.model.generator, c.model.discriminator = "unet", "patchgan"
    c.model.g.width, c.model.g.depth, c.model.g.dropout_levels = 64, 8, 3
    c.model.d.width, c.model.d.n_layers = 64, 3
    c.model.g.conv_impl = c.model.d.conv_impl = "auto"
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2, group.schedule = 2e-4, 0.5, 0.999, "linear_second_half"
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = 20 * EPOCH
    c.eval.evaluators = "translation"
    c.eval.reference_split = "validation"
    c.eval.num_samples, c.eval.reference_num_samples = 500, 500
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":  # seconds, on prepared data: tiny networks, 2 steps
        c.model.g.width, c.model.g.depth, c.model.g.dropout_levels, c.model.d.width = 4, 5, 1, 4
        c.data.image_size, c.batch_size, c.total_steps = 32, 2, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 4, ""
    return c
