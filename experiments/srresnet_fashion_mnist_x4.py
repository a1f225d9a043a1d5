"""SRResNet-MSE x4 on Fashion-MNIST (offline): the paper's MSE baseline that SRGAN is compared with.

`srgan_fashion_mnist_x4.py`'s generator, data, optimizer and length, trained on
pixel MSE alone (`family.content="pixel"`, `adversarial_weight=0`: no D is
trained). Ledig et al. 2017: SRResNet has the higher PSNR, SRGAN the better
perceptual quality. Argument `smoke`: 2 tiny steps. Command:
  python -m jaxgan.main --config experiments/srresnet_fashion_mnist_x4.py --workdir runs/sr_srresnet_x4
Expected: not measured yet (experiments/README.md, TABLE_SRGAN).
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srresnet_fashion_mnist_x4")
    c = load_experiment("srgan_fashion_mnist_x4", arg)
    c.family.content, c.family.adversarial_weight = "pixel", 0.0
    return c
