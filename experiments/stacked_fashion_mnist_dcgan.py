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
classifier is ours (`jaxgan.evaluation.classifier`). The recipe is
experiments/dcgan_fashion_mnist.py's: batch 64, Adam (lr 2e-4, b1 0.5) for
both networks (Radford et al. 2016), but no EMA (the protocol scores the raw
G), 1,000 steps (about one pass over the stacks).

Expected result (measured, seed 0, jax 0.10.2, 1 CPU device; classifier
sha256 57dbe652a537): 393 of 1000 modes, KL 3.48, after 1,000 steps in 42.5
min on 2 cores shared with 2-3 other jobs (the step alone, beside one 2-D
run: 0.88 steps/s, about 19 min for the run; `python benchmarks/step_speed.py
--config experiments/stacked_fashion_mnist_dcgan.py`). The same run with the
hinge loss (stacked_fashion_mnist_dcgan_hinge): 441 modes, KL 2.47. The stacks themselves, labelled by the same classifier,
show 953 of the 954 modes present among 3,000 of them: the classifier
misses few. Table: experiments/README.md.
Retrained 2026-12-07 (same command and seed, 2 AMD EPYC cores, one core and one XLA
thread beside another job, 25.4 min; kept row experiments/results/stacked_fashion_mnist_dcgan.json):
294 modes, KL 3.42; the hinge retrain beside it got 269 modes, KL 3.18. Traced: XLA:CPU's
bits depend on its thread count (20 steps of the hinge run on one core twice: the same
state fingerprint; on two cores: another, losses apart by step 20), and the first runs
had two threads. So these are other trajectories of the same 1,000-step runs, and one
seed each cannot order plain and hinge: 393 vs 441 then, 294 vs 269 now. Seeds 1-2 of
both (~26 min each on one core) would give the spread.
Inception figures of the retrained checkpoint (10k samples vs 10k stacked *test* images,
pool3 sha256 2d0f8246d353; 2026-12-07, 83 min on one AMD EPYC core beside another job, 17 of them waiting for the shared reference):
  python -m jaxgan.evaluate --workdir runs/stacked_fashion_mnist_dcgan --num_samples 10000 \
    --extractor inception_fid --metrics fid,kid,pr,dc --reference_split test --output runs/stacked_fashion_mnist_dcgan/inception_test.json
Inception FID 217.3, KID 0.267, precision 0.55, recall 0.000, coverage 0.009 (hinge:
211.8, 0.289, 0.16, 0.000, 0.011): 1,000 steps are far from the stacks' variety.
"""

from jaxgan.config import load_experiment

BASE = "fashion_mnist"


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)  # the same DCGAN recipe, on stacks
    c.data.name = f"stacked_{BASE}"
    c.ema.decay = 0.0  # the protocol scores the raw G
    c.eval.metrics, c.eval.extractor = "modes", f"{BASE}_classifier"
    if arg == "smoke":
        c.eval.metrics = ""  # no classifier needed for a smoke run
        return c
    c.total_steps = 1_000  # short, to fit 2 CPU cores; the published runs train far longer
    c.eval_every_steps, c.checkpoint_every_steps = 1_000, 500
    c.eval.num_samples = 26_000  # the VEEGAN / PacGAN protocol
    return c
