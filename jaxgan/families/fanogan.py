"""The `fanogan` family: f-AnoGAN (Schlegl et al. 2019), a GAN then an encoder against the frozen G and D.

Two phases in one run (`Family.phase`, one compiled step each):
  1. `gan`, the first `family.gan_steps` steps: the `gan` family's G and D
     (the paper's WGAN-GP: `loss="wasserstein"`, `penalties={"wgan_gp": ...}`,
     n_critic = `d_steps_per_g_step`); the encoder is not touched.
  2. `encoder`, the remaining steps: the izi_f encoder E(x) -> z, trained
     against the frozen G and D with
         L_izi_f(x) = 1/n ||x - G(E(x))||^2 + kappa / n_d ||f(x) - f(G(E(x)))||^2,
     where f is D's last hidden layer (the input of its last Dense layer,
     `models.apply.last_dense_input`), n and n_d the sizes of x and f,
     G and D in eval mode (no dropout, no statistics updated). G and D get
     no optimizer step in this phase (`schedule_at`).
The anomaly score of an image is that same L_izi_f(x) (higher = more
anomalous; `anomaly_scores()["izi_f"]`), with its two terms and D's own
output (`critic`, -D(x): the naive baseline) beside it.

Roles: `generator`, `discriminator` (as the `gan` family's) and `encoder`
(`family.encoder`, options `family.e`, out_dim = `model.latent_dim`).
Groups: `d`, `g` and `e` (`optimizer.e`). The EMA is refused: the encoder
must be trained against the very G that scores.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Hashable, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from jaxgan.families.base import LossContext, LossOutput, Update
from jaxgan.families.common import model_kwargs, per_example_mean
from jaxgan.families.gan import GAN
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_encoder
from jaxgan.models.apply import apply_model, last_dense_input
from jaxgan.parallel import sharded_map
from jaxgan import sampling

GAN_PHASE, ENCODER_PHASE = "gan", "encoder"


def izi_f_terms(x: jax.Array, x_hat: jax.Array, f_x: jax.Array, f_hat: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Per-example image residual mean((x - x_hat)^2) and feature residual mean((f(x) - f(x_hat))^2)."""
    return per_example_mean(x - x_hat), per_example_mean(f_x - f_hat)


@FAMILIES.register("fanogan")
class FAnoGAN(GAN):
    """A GAN, then an izi_f encoder against it; see the module docstring."""

    ema_roles = ()
    predicts = ("generate", "encode", "reconstruct", "anomaly_scores")
    default_evaluators = ("anomaly",)
    anomaly_score = "izi_f"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {**super().defaults(), "gan_steps": 0, "kappa": 1.0, "encoder": "dcgan28", "e": {}}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        super().check(config, dataset)
        f = config.family
        if not 0 < f.gan_steps < config.total_steps:
            raise ValueError(f"family.gan_steps (the GAN phase) must be in (0, total_steps={config.total_steps}); "
                             f"got {f.gan_steps}. The encoder trains in the steps after it.")
        if f.kappa < 0:
            raise ValueError(f"family.kappa (the feature residual's weight) must be >= 0, got {f.kappa}.")
        if config.data.use_labels:
            raise ValueError("Family 'fanogan' is unconditional; set data.use_labels=False.")
        if config.ema.decay > 0:
            raise ValueError("Family 'fanogan' trains its encoder against the raw G, which must also be the G that "
                             "scores; set ema.decay=0.")
        if "e" not in config.optimizer:
            raise ValueError("Family 'fanogan' needs the encoder's optimizer block: config.optimizer.e "
                             "(jaxgan.config.optimizer_config).")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        return {**super().networks(config, dataset),
                "encoder": build_encoder(config.family.encoder, model_kwargs(config.family.e),
                                         config.model.latent_dim)}

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {**super().groups(), "e": ("encoder",)}

    def phase(self, step: int) -> Hashable:
        return GAN_PHASE if step < self.config.family.gan_steps else ENCODER_PHASE

    def phases(self) -> tuple[Hashable, ...]:
        return (GAN_PHASE, ENCODER_PHASE)

    def caption(self, step: int) -> str:
        return f"{self.phase(step)} phase"

    def schedule_at(self, phase: Hashable) -> tuple[Update, ...]:
        return (Update("e"),) if phase == ENCODER_PHASE else self.schedule()

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        x = jnp.zeros((1, *self.dataset.element_shape), jnp.float32)
        return {**super().init_inputs(), "encoder": ((x,), {"train": False})}

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        if group != "e":
            return super().loss(group, ctx, batch, key)
        x, p, coll = batch["x"], ctx.params, ctx.collections
        z, e_coll = self.apply("encoder", p, coll, x, True)
        x_hat, _ = self.apply("generator", p, coll, z, False)
        d = self.nets["discriminator"]
        _, f_x = last_dense_input(d, p["discriminator"], coll["discriminator"], x)
        _, f_hat = last_dense_input(d, p["discriminator"], coll["discriminator"], x_hat)
        image, feature = izi_f_terms(x, x_hat, f_x, f_hat)
        loss = jnp.mean(image + self.config.family.kappa * feature)
        metrics = {"e_loss": loss, "e_image_residual": jnp.mean(image), "e_feature_residual": jnp.mean(feature)}
        return LossOutput(loss, metrics, {"encoder": e_coll})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        variables = {role: (params[role], collections[role]) for role in self.nets}
        g, e, d, mesh = self.nets["generator"], self.nets["encoder"], self.nets["discriminator"], \
            sampling.prediction_mesh()
        kappa = float(self.config.family.kappa)

        def encode(x: np.ndarray) -> np.ndarray:
            return sharded_map(_encode_fn(e), variables["encoder"], x, mesh=mesh)

        def reconstruct(x: np.ndarray) -> np.ndarray:
            return sharded_map(_reconstruct_fn(g, e), variables, x, mesh=mesh).astype(np.float32)

        def anomaly_scores(x: np.ndarray) -> dict[str, np.ndarray]:
            """Per image: `izi_f` (the paper's score), its `image_residual` and `feature_residual`, and `critic` (-D(x))."""
            out = sharded_map(_scores_fn(g, e, d, kappa), variables, x, mesh=mesh)
            return {k: np.asarray(v, np.float64) for k, v in out.items()}

        return {**super().predictions(params, collections), "encode": encode, "reconstruct": reconstruct,
                "anomaly_scores": anomaly_scores}


@functools.lru_cache(maxsize=16)
def _encode_fn(encoder: nn.Module) -> Callable:
    return lambda variables, x: apply_model(encoder, *variables, x, False)[0]


@functools.lru_cache(maxsize=16)
def _reconstruct_fn(generator: nn.Module, encoder: nn.Module) -> Callable:
    def fn(variables, x):
        return apply_model(generator, *variables["generator"], _encode_fn(encoder)(variables["encoder"], x), False)[0]

    return fn


@functools.lru_cache(maxsize=16)
def _scores_fn(generator: nn.Module, encoder: nn.Module, discriminator: nn.Module, kappa: float) -> Callable:
    def fn(variables, x):
        x_hat = _reconstruct_fn(generator, encoder)(variables, x)
        d_x, f_x = last_dense_input(discriminator, *variables["discriminator"], x)
        _, f_hat = last_dense_input(discriminator, *variables["discriminator"], x_hat)
        image, feature = izi_f_terms(x, x_hat, f_x, f_hat)
        return {"izi_f": image + kappa * feature, "image_residual": image, "feature_residual": feature,
                "critic": -jnp.reshape(d_x, (-1,))}

    return fn
