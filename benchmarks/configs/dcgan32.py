"""The 32x32 DCGAN ("standard CNN" of SNGAN) step, for benchmarks/step_speed.py.

Command (synthetic data, no dataset on disk):
  python benchmarks/step_speed.py --config benchmarks/configs/dcgan32.py --image_shape 32,32,3
  python benchmarks/step_speed.py --config benchmarks/configs/dcgan32.py --image_shape 32,32,3 \
    --config.model.g.conv_impl=xla --config.model.d.conv_impl=xla   # XLA's own convolutions

Batch 64, Adam (lr 2e-4, b1 0.5, b2 0.999), one D and one G update per step:
the DCGAN setting of SNGAN (Miyato et al. 2018) and StudioGAN.
"""

from jaxgan.config import base_config


def get_config(arg: str | None = None):
    c = base_config()
    c.data.name = "cifar10"
    c.batch_size = 64
    c.d_steps_per_g_step = 1
    c.loss = "non_saturating"
    c.model.generator = "dcgan32"
    c.model.discriminator = "dcgan32"
    c.model.latent_dim = 128
    c.model.g.conv_impl = "auto"
    c.model.d.conv_impl = "auto"
    for net in (c.optimizer.g, c.optimizer.d):
        net.name, net.lr, net.b1, net.b2 = "adam", 2e-4, 0.5, 0.999
    return c
