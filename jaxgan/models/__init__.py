"""Networks, looked up by name: generators, discriminators (of x, or of (x, z) pairs) and encoders.

A network is a Flax linen module class registered in `GENERATORS`,
`DISCRIMINATORS` or `ENCODERS` (`models/registry.py`; ALI/BiGAN's encoders
and joint discriminators are in `models/ali.py`). It is built as `cls(out_shape=..., **config.model.g)`
(generators) or `cls(**config.model.d)` (discriminators) and called as
`module(inputs, train=bool)`; conditional networks also have a `num_classes`
field and take `labels=` (int class ids). Generators return a batch of `out_shape`
samples, discriminators one logit per example. Cross-device BatchNorm uses the
axis name `jaxgan.parallel.DATA_AXIS`.
"""

from jaxgan.models.registry import (  # noqa: F401
    DISCRIMINATORS,
    ENCODERS,
    GENERATORS,
    build_discriminator,
    build_encoder,
    build_generator,
)

# Importing the members registers their networks.
from jaxgan.models import ali, cyclegan, dcgan, infogan, mlp, progan, srresnet, stargan, unet  # noqa: F401,E402  (after the registries they fill)
