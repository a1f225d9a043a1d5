"""GAN families by name (`config.family.name`): each names its networks, groups, schedule, losses and predictions.

See `jaxgan.families.base` for the seam and `../shared/design/families.md`
for the design. Registered here: `gan` (G vs D, conditional forms included),
`ali` (ALI/BiGAN: G, an encoder and a joint D(x, z)), and the image-to-image
families `pix2pix` (paired, cGAN + L1), `srgan` (super-resolution, content +
adversarial) and `cyclegan` (unpaired, two Gs and two Ds, cycle and identity
losses, an image pool in the state), `stargan` (one G among many
domains, a D with a domain head, n_critic D updates per G update), and
`progan` (progressive growing: one compiled step per resolution, `Family.phase`), and
`fanogan` (f-AnoGAN: a WGAN-GP, then an encoder against the frozen G and D, one
schedule per phase, `Family.schedule_at`).
"""

from typing import Any

import ml_collections

from jaxgan.families.base import Family, LossContext, LossOutput, Update  # noqa: F401
from jaxgan.families.registry import FAMILIES

# Importing the members registers them.
from jaxgan.families import ali, cyclegan, fanogan, gan, pix2pix, progan, srgan, stargan  # noqa: F401,E402  (after the registry they fill)


def family_config(name: str, **options: Any) -> ml_collections.ConfigDict:
    """The `config.family` block of family `name`: every option at its default, then `options`.

    Experiments start from it (`c.family = family_config("ali")`), so that
    every family option can be overridden on the command line.
    """
    block = ml_collections.ConfigDict({"name": name, **FAMILIES.get(name).defaults()})
    block.update(options)
    return block


def resolve(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """A copy of `config` whose family block is completed by the family's defaults; unknown options fail."""
    config = ml_collections.ConfigDict(config.to_dict())
    cls = FAMILIES.get(config.family.name)
    defaults = cls.defaults()
    if unknown := sorted(set(config.family) - set(defaults) - {"name"}):
        raise ValueError(f"Unknown option(s) {unknown} for family {config.family.name!r}. "
                         f"Valid options: {', '.join(sorted(defaults)) or 'none'}.")
    config.family = {**defaults, **config.family.to_dict()}
    return config
