"""Stacked Fashion-MNIST (1000 modes), the offline mode-collapse benchmark: dcgan28 G and D.

Prepare the base data once, and train the classifier that labels each channel:
  python -m jaxgan.data.prepare fashion_mnist   # offline, from Debian's dataset-fashion-mnist
  python -m jaxgan.evaluation.train_classifier fashion_mnist
Command:
  python -m jaxgan.main --config experiments/stacked_fashion_mnist_dcgan.py --workdir runs/stacked_fashion_mnist_dcgan

Data: 60,000 fixed stacks of three Fashion-MNIST training images in R, G, B
(`jaxgan.data.stacked`), unconditional. Metric: modes among 26,000 samples
and KL(mode histogram || uniform 1000), each channel labelled by
`fashion_mnist_classifier` (`jaxgan.evaluation.stacked_modes`).

Differences from VEEGAN's (and PacGAN's) stacked-MNIST protocol: the base
dataset is Fashion-MNIST, not MNIST (so numbers are not comparable to the
published ones; see stacked_mnist_dcgan for that); the networks are this
codebase's dcgan28 (the TensorFlow DCGAN tutorial's G and D) rather than
their DCGAN variant; the stacks are drawn once from a fixed seed; and the
classifier is ours (`jaxgan.evaluation.classifier`). Batch 64, Adam
(lr 2e-4, b1 0.5) for both networks (Radford et al. 2016), no EMA (the
protocol scores the raw G), 1,000 steps (about one pass over the stacks).

Expected result (measured, seed 0, jax 0.10.2, 1 CPU device; classifier
sha256 57dbe652a537): 393 of 1000 modes, KL 3.48, after 1,000 steps in 42.5
min on 2 cores shared with 2-3 other jobs (the step alone, beside one 2-D
run: 0.88 steps/s, about 19 min for the run; `python benchmarks/step_speed.py
--config experiments/stacked_fashion_mnist_dcgan.py`). The same run with the
hinge loss (stacked_fashion_mnist_dcgan_hinge): 441 modes, KL 2.47. The stacks themselves, labelled by the same classifier,
show 953 of the 954 modes present among 3,000 of them: the classifier
misses few. Table: experiments/README.md.
"""

from jaxgan.config import base_config

BASE = "fashion_mnist"


def get_config(arg: str | None = None):
    c = base_config()
    c.data.name = f"stacked_{BASE}"
    c.total_steps = 1_000  # short, to fit 2 CPU cores; the published runs train far longer
    c.batch_size = 64
    c.loss = "non_saturating"
    c.model.generator = c.model.discriminator = "dcgan28"
    c.model.latent_dim = 100
    for net in (c.optimizer.g, c.optimizer.d):
        net.lr, net.b1, net.b2 = 2e-4, 0.5, 0.999
    c.log_every_steps = 100
    c.eval_every_steps, c.checkpoint_every_steps = 1_000, 500
    c.eval.num_samples = 26_000  # the VEEGAN / PacGAN protocol
    c.eval.metrics = "modes"
    c.eval.extractor = f"{BASE}_classifier"
    if arg == "smoke":  # seconds: a few steps at a small batch
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples = 64
        c.eval.metrics = ""  # no classifier needed for a smoke run
    return c
