"""Class-conditional GAN on Fashion-MNIST (offline): MLPs, one-hot cGAN generator, projection D.

The conditional MLP G concatenates the one-hot class to z (Mirza & Osindero
2014); D adds a projection term <embed(y), features> (Miyato & Koyama 2018).
Sample grids show one class per row.

Prepare the data once (offline, from Debian's dataset-fashion-mnist):
  python -m jaxgan.data.prepare fashion_mnist
Command:
  python -m jaxgan.main --config experiments/cgan_fashion_mnist.py --workdir runs/cgan_fashion_mnist

Prepare the classifier behind the metrics once:
  python -m jaxgan.evaluation.train_classifier fashion_mnist

Expected result (measured, seed 0, jax 0.10.2, 1 CPU device), on the EMA G,
10k class-balanced samples vs 10k training images, `fashion_mnist_classifier`
features (sha256 57dbe652a537; not Inception): classifier-FID 19.5, KID
0.088 ± 0.006, IS 7.60 ± 0.07, precision 0.81, recall 0.023, density 1.06,
coverage 0.48, in 5.9 min on 2 cores (10,000 steps and two evals). Each grid
row is one recognisable class, T-shirts to ankle boots; the low recall says
each class collapses to few styles. (Rerun 2026-12-05 on 2 AMD EPYC cores: the
same figures, digit for digit.)

A retrain on 2026-12-07 (same command, same machine, 5.3 min) logs classifier-FID
19.71, KID 0.085, IS 7.52, precision 0.80, recall 0.026: close to the figures above,
not equal digit for digit. Likely cause: XLA:CPU's bits depend on its thread count
(README, "Determinism and resuming"), and the retrain ran in a background worker whose
core pinning was not recorded; the classifier's checksum is the same. Inception figures of that checkpoint, on the protocol of Lucic et al. 2018
(10k class-balanced samples vs 10k *test* images, Inception pool3, sha256
2d0f8246d353; measured 2026-12-07, 2 AMD EPYC cores, one core beside a training
run, 66 min):
  python -m jaxgan.evaluate --workdir runs/cgan_fashion_mnist --extractor inception_fid \
    --metrics fid,kid,pr,dc --reference_split test --output runs/cgan_fashion_mnist/inception_test.json
Inception FID 87.4, KID 0.067 ± 0.002, precision 0.38, recall 0.009, density
0.32, coverage 0.11: far behind the convolutional `infogan_fashion_mnist.py`
(29.6 at 3,000 steps); the collapse to few styles per class that the
classifier's recall shows (0.023-0.026) is starker under Inception (0.009).

CAS and GAN-test (TABLE_CAS in experiments/README.md; 33 min on 2 cores):
  python -m jaxgan.apps.cas --workdir runs/cgan_fashion_mnist --output runs/cgan_fashion_mnist/cas.json
the classifier trained on 60k class-balanced samples of this G scores 79.87% on
the real test images, against 93.04% when trained on the real train split
(CAS - real = -13.2 points); the real-data classifier names 88.44% of the
samples as their class (GAN-test). Recognisable, but narrow.
"""

from jaxgan.config import base_config, check_arg


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "cgan_fashion_mnist")
    c = base_config()
    c.data.name = "fashion_mnist"
    c.data.use_labels = True
    c.total_steps = 10_000
    c.batch_size = 64
    c.loss = "non_saturating"
    c.model.latent_dim = 100
    c.model.g.hidden = (256, 512)
    c.model.g.activation = "leaky_relu"
    c.model.g.batch_norm = True
    c.model.g.output_activation = "tanh"
    c.model.d.hidden = (512, 256)
    c.model.d.activation = "leaky_relu"
    c.optimizer.g.lr = c.optimizer.d.lr = 2e-4
    c.ema.decay = 0.999
    c.log_every_steps = 200
    c.eval_every_steps = 5000
    c.checkpoint_every_steps = 1000
    # The grid shows the first 80 samples (one class per row); all 10k, classes balanced, are scored.
    c.eval.num_samples = 10_000
    c.eval.metrics = "fid,kid,is,pr,dc"
    c.eval.extractor = "fashion_mnist_classifier"
    if arg == "smoke":
        c.model.g.hidden = c.model.d.hidden = (32,)
        c.batch_size, c.total_steps = 16, 4
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
        c.eval.num_samples, c.eval.metrics = 80, ""
    return c
