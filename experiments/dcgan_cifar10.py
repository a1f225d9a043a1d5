"""CIFAR-10 with the SNGAN/StudioGAN standard CNN (dcgan32 G and D), non-saturating loss.

Prepare the data once (online: pip install -e ".[prepare]" first):
  python -m jaxgan.data.prepare cifar10
Convert the FID Inception weights once (README, "Evaluation"), then (a GPU run):
  python -m jaxgan.main --config experiments/dcgan_cifar10.py --workdir runs/dcgan_cifar10 \
    --config.eval.inception_weights=inception_fid.npz
Without the weights file the run trains and writes grids; its FID/KID/IS are
skipped with a message saying so.

Batch 64, Adam (2e-4, b1 0.5), z of 128, 100k steps: the DCGAN setting of
SNGAN and StudioGAN, on top of experiments/dcgan_fashion_mnist.py.

Metrics: FID, KID and IS of 50k EMA samples against 50k training images on
`inception_fid`, every 10k steps (StudioGAN's protocol).

Expected result: not measured yet (StudioGAN reports FID 48.29 for DCGAN, 50k
samples vs train, TF Inception). On 2 CPU cores the step runs at 0.55 steps/s
(`python benchmarks/step_speed.py --config benchmarks/configs/dcgan32.py
--image_shape 32,32,3`): 50 hours for 100k steps, hence a GPU.
"""

from jaxgan.config import load_experiment


def get_config(arg: str | None = None):
    c = load_experiment("dcgan_fashion_mnist", arg)
    c.data.name = "cifar10"
    c.model.generator = c.model.discriminator = "dcgan32"
    c.model.latent_dim = 128
    c.total_steps = 100_000
    c.eval.extractor, c.eval.metrics = "inception_fid", "fid,kid,is"
    if arg != "smoke":
        c.batch_size = 64
        c.eval_every_steps = c.checkpoint_every_steps = 10_000
        c.eval.num_samples = c.eval.reference_num_samples = 50_000
    return c
