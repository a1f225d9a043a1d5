"""SRGAN (Ledig et al. 2017) x4 on DIV2K, the paper's settings (online: prepare the data first).

Prepare once (online, needs TensorFlow): pip install -e ".[prepare]" &&
python -m jaxgan.data.prepare div2k/bicubic_x4; for SRGAN's VGG54 content, download
torchvision's https://download.pytorch.org/models/vgg19-dcbb9e9d.pth and run
pip install torch && python -m jaxgan.evaluation.vgg19 --torch vgg19-dcbb9e9d.pth. Command:
  python -m jaxgan.main --config experiments/srgan_div2k_x4.py --workdir runs/srgan_div2k
Argument `srresnet`: the MSE baseline (no D); `smoke`: tiny networks, 2 steps.

The paper: SRResNet G with 16 residual blocks, SRGAN D, 96x96 HR crops (24x24
LR), batch 16, Adam (b1 0.9), lr 1e-4; SRGAN = VGG54 content + 1e-3
adversarial, the VGG feature maps rescaled by 1/12.75 (content_scale
1/12.75**2), started from a trained SRResNet, 1e5 steps at 1e-4 then 1e5 at
1e-5 (here: one run of 2e5 steps from scratch with the lr held; start from
an SRResNet run by hand if you need the paper's schedule exactly).
The paper trained on 350k ImageNet images; DIV2K (800 train images) is the
modern choice (tfds `div2k`), so its numbers are not the paper's test sets.
Eval: PSNR/SSIM of the central 384x384 crops of the 100 validation images,
beside bicubic. Published (Set14 x4, RGB->Y PSNR): SRResNet 28.49 dB /
0.8184 SSIM, SRGAN 26.02 / 0.7397 (the paper's Table 2, as we recall it: re-check
before quoting). GPU cost: not measured here (no GPU, no internet).
A mock-data test builds it and trains a step (tests/test_online_image2image.py).
Expected: not measured.
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    check_arg(arg, ("srresnet", "smoke"), "srgan_div2k_x4")
    c = base_config()
    srresnet = arg == "srresnet"
    c.family = (family_config("srgan", content="pixel", adversarial_weight=0.0) if srresnet else
                family_config("srgan", content="vgg19_54", content_scale=1 / 12.75**2, adversarial_weight=1e-3))
    c.data.name, c.data.image_size = "div2k_x4", 96
    c.batch_size, c.total_steps = 16, 200_000
    c.loss = "non_saturating"
    c.model.generator, c.model.discriminator = "srresnet", "srgan"
    c.model.g.width, c.model.g.num_blocks = 64, 16
    c.model.d.width, c.model.d.dense = 64, 1024
    c.model.g.conv_impl = c.model.d.conv_impl = "auto"
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1, group.b2 = 1e-4, 0.9, 0.999
    c.log_every_steps = 1_000
    c.eval_every_steps = c.checkpoint_every_steps = 20_000
    c.eval.evaluators = "translation"
    c.eval.reference_split = "validation"
    c.eval.num_samples, c.eval.metrics = 100, ""
    if arg == "smoke":  # seconds, on prepared data: tiny networks, 2 steps, pixel content (no VGG19 file needed)
        c.family.content, c.family.content_scale = "pixel", 1.0
        c.model.g.width, c.model.g.num_blocks, c.model.d.width, c.model.d.dense = 4, 1, 4, 8
        c.data.image_size, c.batch_size, c.total_steps = 32, 2, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.metrics = 4, ""
    return c
