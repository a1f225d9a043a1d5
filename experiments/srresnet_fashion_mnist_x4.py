"""SRResNet-MSE x4 on Fashion-MNIST (offline): the paper's MSE baseline that SRGAN is compared with.

`srgan_fashion_mnist_x4.py`'s generator, data, optimizer and length, trained on
pixel MSE alone (`family.content="pixel"`, `adversarial_weight=0`: no D is
trained). Ledig et al. 2017: SRResNet has the higher PSNR, SRGAN the better
perceptual quality. Argument `smoke`: 2 tiny steps. Command:
  python -m jaxgan.main --config experiments/srresnet_fashion_mnist_x4.py --workdir runs/sr_srresnet_x4
Expected (seed 0, 2026-12-05, 2000 fixed test garments; experiments/README.md,
TABLE_SRGAN): at step 5,000 PSNR 23.83 dB, SSIM 0.781, Inception FID 60.5
(against 10,000 real test garments), class kept 76.9%; at step 2,500 PSNR
23.06, FID 84.3. Bicubic: PSNR 18.13, SSIM 0.527, FID 195.0, class kept
46.4%. 59 min on 2 cores shared with 2-3 other jobs.
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srresnet_fashion_mnist_x4")
    c = load_experiment("srgan_fashion_mnist_x4", arg)
    c.family.content, c.family.adversarial_weight = "pixel", 0.0
    return c
