"""CIFAR-10 with the SNGAN/StudioGAN standard CNN (dcgan32 G and D), non-saturating loss.

Prepare the data once (online: pip install -e ".[prepare]" first):
  python -m jaxgan.data.prepare cifar10
Command (a GPU run):
  python -m jaxgan.main --config experiments/dcgan_cifar10.py --workdir runs/dcgan_cifar10

Batch 64, Adam (2e-4, b1 0.5), z of 128, 100k steps: the DCGAN setting of
SNGAN and StudioGAN, on top of experiments/dcgan_fashion_mnist.py.

Expected result: not measured yet (StudioGAN reports FID 48.29 for DCGAN, 50k
samples vs train, TF Inception; FID comes with the evaluation work).
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.name = "cifar10"
    c.model.generator = c.model.discriminator = "dcgan32"
    c.model.latent_dim = 128
    c.total_steps = 100_000
    if arg != "smoke":
        c.batch_size = 64
    return c
