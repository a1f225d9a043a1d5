"""MNIST with the seeds' DCGAN (dcgan28 G and D): experiments/dcgan_fashion_mnist.py on MNIST.

Prepare the data once (online: pip install -e ".[prepare]" first):
  python -m jaxgan.data.prepare mnist
Command:
  python -m jaxgan.main --config experiments/dcgan_mnist.py --workdir runs/dcgan_mnist

Expected result: not measured yet. There is no image metric until the
evaluation work lands, so judge the grids in runs/dcgan_mnist/samples.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.name = "mnist"
    return c
