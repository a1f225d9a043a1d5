"""MNIST with the seeds' DCGAN (dcgan28 G and D): experiments/dcgan_fashion_mnist.py on MNIST.

Prepare the data once (online: pip install -e ".[prepare]" first):
  python -m jaxgan.data.prepare mnist
Command:
  python -m jaxgan.main --config experiments/dcgan_mnist.py --workdir runs/dcgan_mnist

Metrics are classifier-FID/KID/IS/PR/DC on `mnist_classifier`; train it once
(online) with `python -m jaxgan.evaluation.train_classifier mnist`.

Expected result: not measured yet (MNIST cannot be prepared offline);
the step is dcgan_fashion_mnist's (1.5 steps/s on
2 idle cores), so about 35 min for 3,000 steps.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.name = "mnist"
    c.eval.extractor = "mnist_classifier"
    return c
