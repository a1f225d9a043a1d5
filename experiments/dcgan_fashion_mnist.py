"""Fashion-MNIST, the offline image default: dcgan28 G and D, non-saturating loss.

Prepare the data once:
  python -m jaxgan.data.prepare fashion_mnist   # offline, from Debian's dataset-fashion-mnist
Command:
  python -m jaxgan.main --config experiments/dcgan_fashion_mnist.py --workdir runs/dcgan_fashion_mnist

Batch 64, Adam (lr 2e-4, b1 0.5) for both networks (Radford et al. 2016),
EMA of G for the sample grids, 3_000 steps (3.2 epochs).

Expected result: not measured yet. There is no image metric until the
evaluation work lands, so judge the grids in runs/dcgan_fashion_mnist/samples.
"""

from jaxgan.config import base_config


def get_config(arg: str | None = None):
    c = base_config()
    c.data.name = "fashion_mnist"
    c.total_steps = 3_000
    c.batch_size = 64
    c.loss = "non_saturating"
    c.model.generator = c.model.discriminator = "dcgan28"
    c.model.latent_dim = 100
    for net in (c.optimizer.g, c.optimizer.d):
        net.lr, net.b1, net.b2 = 2e-4, 0.5, 0.999
    c.ema.decay = 0.999
    c.log_every_steps = 100
    c.eval_every_steps = c.checkpoint_every_steps = 1000
    # Classifier-FID/KID/IS/precision/recall/density/coverage: 10k samples vs 10k training images,
    # on the features of the project's own Fashion-MNIST classifier.
    c.eval.num_samples = 10_000
    c.eval.metrics = "fid,kid,is,pr,dc"
    c.eval.extractor = "fashion_mnist_classifier"
    c.eval.reference_split, c.eval.reference_num_samples = "train", 10_000
    if arg == "smoke":  # seconds: a few steps at a small batch
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.reference_num_samples = 64, 64
    return c
