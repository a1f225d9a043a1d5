"""Stacked Fashion-MNIST with a stabilizer from the loss zoo: stacked_fashion_mnist_dcgan with the hinge loss.

Command:
  python -m jaxgan.main --config experiments/stacked_fashion_mnist_dcgan_hinge.py \
    --workdir runs/stacked_fashion_mnist_dcgan_hinge

Why hinge: on the 2-D grid it was the loss that kept the most modes at no
extra cost (23 vs 17 of 25, experiments/README.md). Lazy R1 (weight 1, every
4 D updates) was tried first and dropped: its input-gradient penalty made the
dcgan28 step about 2.5x slower on CPU (its first 100 steps took 14 min
against 5.5 min for the plain run beside it), too slow for this session.

Expected result (measured, seed 0, jax 0.10.2, 1 CPU device; classifier
sha256 57dbe652a537): 441 of 1000 modes, KL 2.47, after 1,000 steps in 32.5
min on 2 cores shared with 2-3 other jobs; the plain run gets 393 modes, KL
3.48 (stacked_fashion_mnist_dcgan).
Retrained 2026-12-07 (same command, 2 AMD EPYC cores, one core beside another job, 26 min of
training; kept row experiments/results/stacked_fashion_mnist_dcgan_hinge.json): 269 modes,
KL 3.18; the plain retrain beside it: 294 modes, KL 3.42. Traced to XLA:CPU's thread
count (one thread here, two in the first runs; see stacked_fashion_mnist_dcgan): another
trajectory of the same run (no code change on the dcgan28 path was found). One seed each cannot say whether hinge
keeps more modes than the plain loss here; seeds would.
Inception figures of the retrained checkpoint (10k samples vs 10k stacked *test* images,
pool3 sha256 2d0f8246d353; 2026-12-07, 134 min on one AMD EPYC core beside another job,
half of it computing the cached stacked reference):
  python -m jaxgan.evaluate --workdir runs/stacked_fashion_mnist_dcgan_hinge --num_samples 10000 \
    --extractor inception_fid --metrics fid,kid,pr,dc --reference_split test --output runs/stacked_fashion_mnist_dcgan_hinge/inception_test.json
Inception FID 211.8, KID 0.289, precision 0.16, recall 0.000, coverage 0.011 (plain: 217.3).
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("stacked_fashion_mnist_dcgan", arg)
    c.loss = "hinge"
    return c
