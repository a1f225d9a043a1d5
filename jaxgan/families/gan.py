"""The `gan` family: one generator, one discriminator (Goodfellow et al. 2014) and its conditional forms.

Unconditional, cGAN (G and D take the class, `data.use_labels`), projection D
and ACGAN's auxiliary classifier; every loss of `jaxgan.losses`, every penalty,
DiffAugment (`augment.policy`), the EMA of G and spectral norm (a D option).

Roles: `generator` (`model.generator`, options `model.g`) and `discriminator`
(`model.discriminator`, `model.d`). Groups: `d` = {discriminator} and `g` =
{generator}, optimised by `optimizer.d` and `optimizer.g`. One train step is
`d_steps_per_g_step` D updates, one fresh batch each, then one G update on
D's last batch. The arithmetic is the trainer's before the family seam, kept
exactly (tests/test_goldens.py).
"""

from __future__ import annotations

from typing import Any, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from jax import lax

from jaxgan import losses, sampling
from jaxgan.families.base import Family, LossContext, LossOutput, Update
from jaxgan.families.common import (
    augment_pair,
    class_loss,
    local_inputs,
    model_kwargs,
    require_batch_keys,
    split_d_output,
)
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_generator
from jaxgan.models.apply import apply_model
from jaxgan.models.registry import check_discriminator_kind, check_generator_input
from jaxgan.penalties import PenaltyInputs


def conditioning_classes(config: ml_collections.ConfigDict, dataset: Any) -> int:
    """Classes the run conditions on (0: unconditional); errors if labels are asked of a dataset without them."""
    if not config.data.use_labels:
        return 0
    if not dataset.num_classes:
        raise ValueError(f"data.use_labels=True, but dataset {config.data.name!r} has no class labels.")
    return dataset.num_classes


@FAMILIES.register("gan")
class GAN(Family):
    """G(z) against D(x); see the module docstring."""

    ema_roles = ("generator",)
    critic_group = "d"
    batch_keys = ("x", "label")
    predicts = ("generate",)
    default_evaluators = ("samples",)

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        self.num_classes = conditioning_classes(config, dataset)
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.latent_dim = config.model.latent_dim
        self.policy = config.augment.policy
        self.acgan = bool(self.num_classes) and getattr(nets["discriminator"], "conditioning", "") == "acgan"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        # fused_d_pass: D's update runs D once on [real; fake] instead of twice. The same arithmetic
        # when D keeps no batch statistics (none are updated then); with dropout one key draws both
        # halves' masks, so the bits differ from the two-pass step. A speed option (benchmarks/README.md).
        return {"fused_d_pass": False}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        check_discriminator_kind(config.model.discriminator, joint=False, family=config.family.name)
        check_generator_input(config.model.generator, "latent", config.family.name)
        require_batch_keys(config, ("x",))
        if not isinstance(config.family.fused_d_pass, bool):
            raise ValueError(f"family.fused_d_pass must be True or False, got {config.family.fused_d_pass!r}.")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        num_classes = conditioning_classes(config, dataset)
        return {
            "generator": build_generator(config.model.generator, model_kwargs(config.model.g),
                                         dataset.element_shape, num_classes),
            "discriminator": build_discriminator(config.model.discriminator, model_kwargs(config.model.d),
                                                 num_classes),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator",)}

    def schedule(self) -> tuple[Update, ...]:
        return (Update("d", repeats=self.config.d_steps_per_g_step), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        labels = {"labels": jnp.zeros((1,), jnp.int32)} if self.num_classes else {}
        z = jnp.zeros((1, self.latent_dim), jnp.float32)
        x = jnp.zeros((1, *self.dataset.element_shape), jnp.float32)
        return {"generator": ((z,), {"train": False, **labels}), "discriminator": ((x,), {"train": False, **labels})}

    def _real(self, batch: Mapping[str, jax.Array]) -> tuple[jax.Array, jax.Array | None]:
        return batch["x"], batch.get("label") if self.num_classes else None

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        return self._d_loss(ctx, batch, key) if group == "d" else self._g_loss(ctx, batch, key)

    def _d_loss(self, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        real, real_y = self._real(batch)
        p, coll = ctx.params, ctx.collections
        z_key, drop_key, aug_key, pen_key = jax.random.split(key, 4)
        z, fake_y = local_inputs(z_key, real.shape[0], self.latent_dim, self.num_classes)
        # D's update leaves G's running statistics alone: G changes in its own update.
        fake, _ = self.apply("generator", p, coll, z, True, labels=fake_y)
        real_in, fake_in = augment_pair(self.policy, aug_key, real, lax.stop_gradient(fake))
        real_key, fake_key, penalty_drop_key = jax.random.split(drop_key, 3)
        d = self.nets["discriminator"]
        if self.config.family.fused_d_pass and not coll["discriminator"]:
            both_y = None if real_y is None else jnp.concatenate([real_y, fake_y])
            both, d_coll = apply_model(d, p["discriminator"], coll["discriminator"],
                                       jnp.concatenate([real_in, fake_in]), True, real_key, both_y)
            n = real_in.shape[0]
            real_out, fake_out = jax.tree.map(lambda o: o[:n], both), jax.tree.map(lambda o: o[n:], both)
        else:
            real_out, d_coll = apply_model(d, p["discriminator"], coll["discriminator"], real_in, True, real_key,
                                           real_y)
            fake_out, d_coll = apply_model(d, p["discriminator"], d_coll, fake_in, True, fake_key, fake_y)
        (real_logits, real_classes), (fake_logits, fake_classes) = split_d_output(real_out), split_d_output(fake_out)
        loss = self.loss_fn(real_logits, fake_logits).d
        d_class_loss = class_loss(real_classes, real_y) + class_loss(fake_classes, fake_y)

        def logits_only(dp, x, labels):
            return split_d_output(apply_model(d, dp, d_coll, x, True, penalty_drop_key, labels)[0])[0]

        critic = PenaltyInputs(
            d_fn=lambda dp, x: logits_only(dp, x, real_y),
            d_params=p["discriminator"],
            real=real_in,
            fake=fake_in,
            real_logits=real_logits,
            fake_logits=fake_logits,
            key=pen_key,
            d_fake_fn=None if fake_y is None else (lambda dp, x: logits_only(dp, x, fake_y)),
        )
        metrics = {"d_loss": loss, "d_real_logit": jnp.mean(real_logits), "d_fake_logit": jnp.mean(fake_logits)}
        if self.acgan:
            metrics["d_class_loss"] = d_class_loss
        return LossOutput(loss + d_class_loss, metrics, {"discriminator": d_coll}, critic)

    def _g_loss(self, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        real, real_y = self._real(batch)
        p, coll = ctx.params, ctx.collections
        z_key, drop_key, aug_key = jax.random.split(key, 3)
        z, fake_y = local_inputs(z_key, real.shape[0], self.latent_dim, self.num_classes)
        real_key, fake_key = jax.random.split(drop_key)
        fake, g_coll = self.apply("generator", p, coll, z, True, labels=fake_y)
        real_in, fake_in = augment_pair(self.policy, aug_key, real, fake)
        # Relativistic losses compare with D(real); it carries no gradient here.
        real_out, _ = self.apply("discriminator", p, coll, real_in, True, real_key, real_y)
        real_logits = lax.stop_gradient(split_d_output(real_out)[0])
        fake_out, _ = self.apply("discriminator", p, coll, fake_in, True, fake_key, fake_y)
        fake_logits, fake_classes = split_d_output(fake_out)
        g_class_loss = class_loss(fake_classes, fake_y)
        loss = self.loss_fn(real_logits, fake_logits).g + g_class_loss
        metrics = {"g_loss": loss, **({"g_class_loss": g_class_loss} if self.acgan else {})}
        return LossOutput(loss, metrics, {"generator": g_coll})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        g, g_params, g_coll = self.nets["generator"], params["generator"], collections["generator"]

        def generate(key: jax.Array, num: int) -> np.ndarray:
            """`num` samples from latents of `key` (conditional runs: classes by `sampling.grid_labels`)."""
            return sampling.generate(g, g_params, g_coll, key, num, self.latent_dim, self.num_classes)

        return {"generate": generate}
