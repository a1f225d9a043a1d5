"""The `pix2pix` family: paired image-to-image translation with a conditional GAN (Isola et al. 2017).

G(input) -> output, D(input, image) -> one logit per patch (PatchGAN). G
minimises `gan_weight` * the adversarial loss + `l1_weight` * |output -
target|_1 (the paper: 1 and 100); D minimises half the loss's D objective
("we divide the objective by 2 while optimizing D"). The noise is G's
dropout, in training only (see below). Any loss of `jaxgan.losses` (the
paper's is `non_saturating`) and any penalty on D.

Roles: `generator` (`model.generator`, an image-input generator such as
`unet`, options `model.g`) and `discriminator` (`model.discriminator`, e.g.
`patchgan`, options `model.d`). Groups: `d` and `g`. Schedule: one D update,
then one G update on the same batch; with `gan_weight=0` (the L1-only
ablation) D is not trained at all and G's step is its L1 step alone.

Family options (`config.family.*`):
  - `l1_weight` (100), `gan_weight` (1): the paper's ablations are
    L1 only (gan_weight 0), cGAN only (l1_weight 0) and both;
  - `conditional_d` (True): D sees [input, image] stacked on channels;
    False: D sees the image alone (the paper's unconditional-GAN ablation).

Data: batches with `input` and `target` of the same height and width
(`jaxgan.data.paired`: `edges2fashion`).

Prediction `translate(inputs) -> outputs`, in eval mode: BatchNorm with its
running averages and no dropout, so outputs are a function of the input
alone. (The paper kept dropout and batch statistics at test time; that
makes outputs depend on a key and on the other images of the batch.)
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from jax import lax

from jaxgan import losses, sampling
from jaxgan.families.base import Family, LossContext, LossOutput, Update
from jaxgan.families.common import d_update, model_kwargs, require_batch_keys
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_generator
from jaxgan.models.apply import apply_model
from jaxgan.models.registry import check_discriminator_kind, check_generator_input
from jaxgan.parallel import sharded_map


def check_weights(config: ml_collections.ConfigDict, names: tuple[str, ...]) -> None:
    """ValueError unless every `config.family.<name>` is a number >= 0."""
    for name in names:
        value = config.family[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"config.family.{name} must be a number >= 0, got {value!r}.")


def check_same_size(config: ml_collections.ConfigDict, dataset: Any, family: str) -> None:
    """ValueError unless the dataset's inputs and targets have the same height and width."""
    if tuple(dataset.input_shape[:2]) != tuple(dataset.element_shape[:2]):
        raise ValueError(f"Family {family!r} translates images to images of the same size, but dataset "
                         f"{config.data.name!r} has inputs {tuple(dataset.input_shape)} and targets "
                         f"{tuple(dataset.element_shape)}; for super-resolution use family 'srgan'.")


@FAMILIES.register("pix2pix")
class Pix2Pix(Family):
    """G(input) against a patch D(input, image); see the module docstring."""

    ema_roles = ("generator",)
    critic_group = "d"
    batch_keys = ("input", "target")
    predicts = ("translate",)
    default_evaluators = ("translation",)
    # Prediction -> (batch key of its inputs, batch key of their truth), for the translation evaluator.
    translations = {"translate": ("input", "target")}

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        self.loss_fn = losses.LOSSES.get(config.loss)
        f = config.family
        self.l1_weight, self.gan_weight, self.conditional_d = float(f.l1_weight), float(f.gan_weight), f.conditional_d

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"l1_weight": 100.0, "gan_weight": 1.0, "conditional_d": True}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        require_batch_keys(config, cls.batch_keys)
        check_generator_input(config.model.generator, "image", config.family.name)
        check_discriminator_kind(config.model.discriminator, joint=False, family=config.family.name)
        check_weights(config, ("l1_weight", "gan_weight"))
        if not config.family.l1_weight and not config.family.gan_weight:
            raise ValueError("config.family.l1_weight and gan_weight are both 0: G would have no loss.")
        if not isinstance(config.family.conditional_d, bool):
            raise ValueError(f"config.family.conditional_d must be True or False, got {config.family.conditional_d!r}.")
        check_same_size(config, dataset, config.family.name)
        if config.data.use_labels:
            raise ValueError(f"Family {config.family.name!r} does not condition on classes; set data.use_labels=False.")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        return {
            "generator": build_generator(config.model.generator, model_kwargs(config.model.g), dataset.element_shape),
            "discriminator": build_discriminator(config.model.discriminator, model_kwargs(config.model.d)),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator",)}

    def schedule(self) -> tuple[Update, ...]:
        if not self.gan_weight:
            return (Update("g"),)
        return (Update("d"), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        x = jnp.zeros((1, *self.dataset.input_shape), jnp.float32)
        channels = self.dataset.element_shape[-1] + (self.dataset.input_shape[-1] if self.conditional_d else 0)
        d_in = jnp.zeros((1, *self.dataset.element_shape[:2], channels), jnp.float32)
        return {"generator": ((x,), {"train": False}), "discriminator": ((d_in,), {"train": False})}

    def d_input(self, source: jax.Array, image: jax.Array) -> jax.Array:
        """What D sees of (input, image): both stacked on channels, or the image alone."""
        return jnp.concatenate([source, image], axis=-1) if self.conditional_d else image

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        source, target = batch["input"], batch["target"]
        p, coll = ctx.params, ctx.collections
        g_key, real_key, fake_key, pen_key, pen_drop_key = jax.random.split(key, 5)
        fake, g_coll = self.apply("generator", p, coll, source, True, g_key)
        if group == "d":  # the paper halves D's objective
            return d_update(self, "discriminator", ctx, self.d_input(source, target),
                            self.d_input(source, lax.stop_gradient(fake)), (real_key, fake_key, pen_key, pen_drop_key),
                            scale=0.5)
        l1 = jnp.mean(jnp.abs(fake - target))
        metrics = {"g_l1": l1}
        loss = self.l1_weight * l1
        if self.gan_weight:
            real_out, _ = self.apply("discriminator", p, coll, self.d_input(source, target), True, real_key)
            fake_out, _ = self.apply("discriminator", p, coll, self.d_input(source, fake), True, fake_key)
            adversarial = self.loss_fn(lax.stop_gradient(real_out), fake_out).g
            loss = loss + self.gan_weight * adversarial
            metrics["g_adversarial"] = adversarial
        metrics["g_loss"] = loss
        return LossOutput(loss, metrics, {"generator": g_coll})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        return {"translate": translator(self.nets["generator"], params["generator"], collections["generator"])}


def translator(net: nn.Module, params: Any, collections: dict) -> Callable[[np.ndarray], np.ndarray]:
    """`inputs -> outputs` (float32 numpy) of an image-input network in eval mode, on one device.

    One device, as `sampling.generate`: outputs must not depend on how many
    devices the run had.
    """
    def translate(inputs: np.ndarray) -> np.ndarray:
        return sharded_map(_translate_fn(net), (params, collections), np.asarray(inputs, np.float32),
                           mesh=sampling.prediction_mesh()).astype(np.float32)

    return translate


@functools.lru_cache(maxsize=32)
def _translate_fn(net: nn.Module) -> Callable:
    """One function object per network, so `sharded_map` compiles it once."""
    def fn(variables, x):
        return apply_model(net, *variables, x, False)[0]

    return fn
