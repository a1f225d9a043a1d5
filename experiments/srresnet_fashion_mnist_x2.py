"""SRResNet-MSE x2 on Fashion-MNIST (offline): the MSE baseline of `srgan_fashion_mnist_x2.py`.

`srresnet_fashion_mnist_x4.py` (pixel MSE alone, no D trained) on the x2 task
(`fashion_mnist_sr_x2`: 16x16 bicubic-downsampled garments -> 32x32), so the
x2 rows of SRGAN's comparison have their baseline. Argument `smoke`: 2 tiny
steps. Command:
  python -m jaxgan.main --config experiments/srresnet_fashion_mnist_x2.py --workdir runs/sr_srresnet_x2
Expected (seed 0, 2026-12-06, step 5,000; experiments/README.md, TABLE_SRGAN;
2,000 test garments): PSNR 28.83 dB, SSIM 0.913, Inception FID 23.5, garment
class kept 86.2% (bicubic: 23.09, 0.836, 58.2, 77.9%); at step 2,500: 27.83
dB, 0.894, FID 33.1, 85.0%.
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srresnet_fashion_mnist_x2")
    c = load_experiment("srresnet_fashion_mnist_x4", arg)
    c.data.name = "fashion_mnist_sr_x2"
    return c
