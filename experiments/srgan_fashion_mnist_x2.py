"""SRGAN x2 on Fashion-MNIST (offline): 16x16 bicubic-downsampled garments -> 32x32.

`srgan_fashion_mnist_x4.py` with the x2 task (`fashion_mnist_sr_x2`; one
sub-pixel upsampling). Argument `smoke`: 2 tiny steps. Command:
  python -m jaxgan.main --config experiments/srgan_fashion_mnist_x2.py --workdir runs/sr_srgan_x2
Expected: not measured yet (experiments/README.md, TABLE_SRGAN).
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "srgan_fashion_mnist_x2")
    c = load_experiment("srgan_fashion_mnist_x4", arg)
    c.data.name = "fashion_mnist_sr_x2"
    return c
