"""CycleGAN (Zhu et al. 2017) on horse2zebra at 256x256, the paper's settings (online: prepare the data first).

Prepare once (online, needs TensorFlow): pip install -e ".[prepare]" &&
python -m jaxgan.data.prepare cycle_gan/horse2zebra (`:monet2photo` reads
cycle_gan/monet2photo: prepare that instead; `:smoke`: tiny networks, 2 steps). Command:
  python -m jaxgan.main --config experiments/cyclegan_horse2zebra.py --workdir runs/cyclegan_h2z

The authors' PyTorch defaults: ResNet G with 9 blocks (width 64, instance
norm, reflection padding), 70x70 PatchGAN D (instance norm), LSGAN, cycle
10, identity 0.5 x 10, a 50-fake pool per D, Adam 2e-4 (b1 0.5), batch 1,
200 epochs (100 at the lr, 100 decaying linearly to 0) of max(|A|, |B|) =
1,334 images: 266,800 steps. Training jitter: resize to 286, random 256
crop, random flip (jaxgan/data/online_pairs.py).
Cost: GPU time not measured here (no GPU and no internet on these machines);
`python benchmarks/step_speed.py --config experiments/cyclegan_horse2zebra.py
--image_shape 256,256,3` prints XLA's FLOP count and the step time of a machine.
Compare with: the paper reports no FID on horse2zebra; later papers do (e.g.
Park et al. 2020, CUT, Table 1, CycleGAN horse->zebra ~77 FID: recalled, not
re-checked offline). Eval: FID/KID of translations of the test images
against the real test images of the other domain (unpaired: no truth).
A mock-data test builds it and trains a step (tests/test_online_image2image.py).
Expected: not measured (needs the dataset and a GPU).
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config

EPOCH = 1_334  # max(|trainA|, |trainB|) of horse2zebra, at batch 1


def get_config(arg: str | None = None):
    check_arg(arg, ("monet2photo", "smoke"), "cyclegan_horse2zebra")
    c = base_config()
    c.family = family_config("cyclegan", cycle_weight=10.0, identity_weight=5.0, pool_size=50)
    c.data.name = "monet2photo" if arg == "monet2photo" else "horse2zebra"
    c.data.image_size = 256
    c.batch_size = 1
    c.total_steps = 200 * EPOCH
    c.loss = "least_squares"
    c.model.generator, c.model.discriminator = "resnet_translator", "patchgan"
    c.model.g.width, c.model.g.num_blocks, c.model.g.norm = 64, 9, "instance"
    c.model.d.width, c.model.d.n_layers, c.model.d.norm = 64, 3, "instance"
    c.model.g.conv_impl = c.model.d.conv_impl = "auto"
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2, group.schedule = 2e-4, 0.5, 0.999, "linear_second_half"
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = 20 * EPOCH
    c.eval.evaluators = "translation"
    c.eval.reference_split = "test"
    c.eval.num_samples, c.eval.reference_num_samples = 1_000, 1_000
    c.eval.metrics, c.eval.extractor = "fid,kid", "inception_fid"
    if arg == "smoke":  # seconds, on prepared data: tiny networks, 2 steps
        c.model.g.width, c.model.g.num_blocks, c.model.d.width = 4, 1, 4
        c.data.image_size, c.batch_size, c.total_steps = 32, 2, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 4, ""
    return c
