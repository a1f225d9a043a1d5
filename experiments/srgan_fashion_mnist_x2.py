"""SRGAN x2 on Fashion-MNIST (offline): 16x16 bicubic-downsampled garments -> 32x32.

`srgan_fashion_mnist_x4.py` with the x2 task (`fashion_mnist_sr_x2`; one
sub-pixel upsampling). Argument `smoke`: 2 tiny steps. Command:
  python -m jaxgan.main --config experiments/srgan_fashion_mnist_x2.py --workdir runs/sr_srgan_x2
Expected (seed 0, 2026-12-06, step 5,000; experiments/README.md, TABLE_SRGAN;
2,000 test garments): PSNR 27.93 dB, SSIM 0.904, Inception FID 31.7 (against
10,000 real test garments), garment class kept 87.8%; SRResNet-MSE 28.83 /
0.913 / FID 23.5 / 86.2%; bicubic 23.09 / 0.836 / 58.2 / 77.9%. At x2 the
paper's claim holds only in half: SRGAN has the lower PSNR, but not the
better FID (it does at x4), at 5,000 steps as at 2,500 (its step-2,500
checkpoint: PSNR 27.52 and FID 34.3 against SRResNet's 27.83 and 33.1). Cache the reference features once first
(`python -m jaxgan.tools.prepare_reference --config experiments/srgan_fashion_mnist_x4.py`).
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srgan_fashion_mnist_x2")
    c = load_experiment("srgan_fashion_mnist_x4", arg)
    c.data.name = "fashion_mnist_sr_x2"
    return c
