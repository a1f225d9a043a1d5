"""BiGAN / ALI on Fashion-MNIST (offline): MLP G, encoder and joint D, as in BiGAN's permutation-invariant MNIST.

Donahue et al. 2017 (Sec. 4.1) train MLP BiGANs on MNIST; this is that setup
at a size that trains in minutes on 2 CPU cores: G 512-512 (BN, ReLU, tanh),
a deterministic encoder 512-512 (LReLU) to a 64-D code, and a joint D that
reads (x, z) concatenated through 512-512 (LReLU, dropout 0.2). Non-saturating
loss with BiGAN's inverted labels for G and E; Adam 2e-4 (b1 0.5); EMA of G
and E; batch 64, 10k steps.

At each eval: the sample grid; x above G(E(x)) for held-out test images
(samples/step_*_reconstructions.png); classifier metrics of samples; the
`fashion_mnist_classifier`'s accuracy on G(E(x)) against x's label (beside
its accuracy on x); and a linear probe (softmax regression) on E(x), trained
on 10k train images and tested on 10k test images, beside the same probe on
raw pixels and on this run's untrained encoder.

Prepare the data and the classifier once (offline):
  python -m jaxgan.data.prepare fashion_mnist
  python -m jaxgan.evaluation.train_classifier fashion_mnist
Command:
  python -m jaxgan.main --config experiments/bigan_fashion_mnist.py --workdir runs/bigan_fashion_mnist

Expected result (measured, seed 0, jax 0.10.2, 1 CPU device; the classifier
retrained on this machine: 93.06% test accuracy, sha256 17f9d0b098d4), on the
EMA G and E at step 10000:
  - samples, 10k vs 10k training images: classifier-FID 30.2, KID 0.152,
    IS 5.37, precision 0.62, recall 0.026, density 0.51, coverage 0.24;
  - reconstructions of 10k test images: RMSE 0.47 (pixels in [-1, 1]); the
    classifier labels G(E(x)) correctly for 47.5% of them (93.1% on x itself,
    10% is chance). Step 5000: 37.3%;
  - linear probe, 10k train / 10k test: E(x) 78.9%, raw pixels 79.5%, this
    run's untrained encoder 78.4% (step 5000: E(x) 78.1%). At this length the
    trained 64-D code is no more linearly separable than a random projection:
    BiGAN's features are known to need long training, and this run is short.
  - pictures: experiments/figures/bigan_fashion_mnist_step10000.png (samples)
    and ..._reconstructions.png (rows of x above rows of G(E(x))).
Wall time: 23 min on 2 cores shared with 4 other runs (not a speed figure).
"""

from jaxgan.config import base_config, check_arg
from jaxgan.families import family_config


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "bigan_fashion_mnist")
    c = base_config()
    c.data.name = "fashion_mnist"
    c.total_steps = 10_000
    c.batch_size = 64
    c.loss = "non_saturating"
    c.model.latent_dim = 64
    c.model.generator = "mlp"
    c.model.g.hidden = (512, 512)
    c.model.g.batch_norm = True
    c.model.g.output_activation = "tanh"
    c.family = family_config("ali", encoder="mlp", e={"hidden": (512, 512), "activation": "leaky_relu"})
    c.model.discriminator = "joint_mlp"
    c.model.d.hidden = (512, 512)
    c.model.d.activation = "leaky_relu"
    c.model.d.dropout = 0.2
    for group in (c.optimizer.g, c.optimizer.d):
        group.lr, group.b1 = 2e-4, 0.5
    c.ema.decay = 0.999
    c.log_every_steps = 200
    c.eval_every_steps = c.checkpoint_every_steps = 5000
    c.eval.num_samples = 10_000
    c.eval.metrics = "fid,kid,is,pr,dc"
    c.eval.extractor = "fashion_mnist_classifier"
    c.eval.evaluators = "samples,reconstruction,linear_probe"
    if arg == "smoke":
        c.model.g.hidden = c.model.d.hidden = (32,)
        c.family.e.hidden = (32,)
        c.batch_size, c.total_steps = 16, 4
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
        c.eval.num_samples, c.eval.metrics, c.eval.reference_num_samples = 64, "", 200
    return c
