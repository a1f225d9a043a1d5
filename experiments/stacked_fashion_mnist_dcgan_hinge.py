"""Stacked Fashion-MNIST with a stabilizer from the loss zoo: stacked_fashion_mnist_dcgan with the hinge loss."""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("stacked_fashion_mnist_dcgan", arg)
    c.loss = "hinge"
    return c
