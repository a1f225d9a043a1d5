"""Class-conditional DCGAN on Fashion-MNIST (offline): dcgan28 with class-conditional BatchNorm in G
and a projection discriminator (Miyato & Koyama 2018); one class per grid row.

experiments/dcgan_fashion_mnist.py with labels. For ACGAN's auxiliary
classifier instead of the projection, add --config.model.d.conditioning=acgan.

Prepare the data once (offline, from Debian's dataset-fashion-mnist):
  python -m jaxgan.data.prepare fashion_mnist
Command:
  python -m jaxgan.main --config experiments/cdcgan_fashion_mnist.py --workdir runs/cdcgan_fashion_mnist

Expected result: not measured yet (about as long as dcgan_fashion_mnist).
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.use_labels = True
    c.model.d.conditioning = "projection"
    c.eval.num_samples = max(c.eval.num_samples, 80)  # a grid of 10 classes x 8
    return c
