"""MNIST with the seeds' MLP GAN (mlp28 G and D): experiments/dcgan_fashion_mnist.py's recipe.

Prepare the data once (online: pip install -e ".[prepare]" first):
  python -m jaxgan.data.prepare mnist
Command:
  python -m jaxgan.main --config experiments/mlp_gan_mnist.py --workdir runs/mlp_gan_mnist

Metrics are classifier-FID/KID/IS/PR/DC on `mnist_classifier`; train it once
(online) with `python -m jaxgan.evaluation.train_classifier mnist`.

Expected result: not measured yet (MNIST cannot be prepared offline);
its step takes 8 ms on 2 cores (128 steps/s,
`python benchmarks/step_speed.py --config experiments/mlp_gan_mnist.py
--image_shape 28,28,1`): under a minute of training, plus the evals.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.name = "mnist"
    c.eval.extractor = "mnist_classifier"
    c.model.generator = c.model.discriminator = "mlp28"
    return c
