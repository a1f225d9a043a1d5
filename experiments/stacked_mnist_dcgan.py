"""Stacked MNIST (1000 modes), VEEGAN's and PacGAN's mode-collapse benchmark: dcgan28 G and D. Needs internet once.

Prepare the base data once (online), and train the classifier that labels each channel:
  python -m jaxgan.data.prepare mnist
  python -m jaxgan.evaluation.train_classifier mnist
Command:
  python -m jaxgan.main --config experiments/stacked_mnist_dcgan.py --workdir runs/stacked_mnist_dcgan

The same run as stacked_fashion_mnist_dcgan (whose docstring lists the
differences from VEEGAN's protocol) on MNIST digits, labelled by
`mnist_classifier`; the published mode counts and KLs are on this dataset.

Expected result: not measured yet.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("stacked_fashion_mnist_dcgan", arg)
    c.data.name = "stacked_mnist"
    if c.eval.metrics:
        c.eval.extractor = "mnist_classifier"
    return c
