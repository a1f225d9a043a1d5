"""The `ali` family: ALI (Dumoulin et al. 2017) / BiGAN (Donahue et al. 2017).

A generator G(z), an encoder E(x) and a joint discriminator D(x, z) that
tells (x, E(x)) from (G(z), z). At the optimum E inverts G.

Roles: `generator` (`model.generator`, `model.g`), `encoder`
(`family.encoder`, options `family.e`), `discriminator` (a joint D
taking `{"x", "z"}`: `model.discriminator`, e.g. `joint_mlp`). Groups: `d` =
{discriminator}, `g` = {generator, encoder}. Schedule: as the `gan` family's.

The posterior q(z|x), `family.posterior`:
  - "deterministic" (BiGAN's): z = E(x);
  - "gaussian" (ALI's): E(x) gives the mean and log-std, z = mean + std * eps
    by reparametrisation;
  - "implicit": z = E([flatten(x), eps]) with eps ~ N(0, I) of z's size, a
    noise-input encoder (ALI allows any stochastic E; this one can give each
    x a non-Gaussian posterior, e.g. a sector of the prior). It needs an
    encoder on flat inputs (`mlp`); `encode` uses eps = 0.

Losses: every loss of `jaxgan.losses`, on the joint logits. D minimises the
loss's D objective with (x, E(x)) as real and (G(z), z) as fake. G and E
minimise, with `family.ge_objective`:
  - "swap" (default): the same D objective with real and fake swapped, i.e.
    they want D to call (G(z), z) real and (x, E(x)) fake (BiGAN's inverted
    labels; for the relativistic losses this is their own G loss);
  - "negate": minus D's objective, the saturating minimax game of the papers'
    value function.
Penalties (R1, GP, ...) act on D over the (x, z) pytree; r1/r2 with
`leaves=("x",)` penalise D's gradient with respect to x alone.

Predictions: `generate`, `encode` (the code, the Gaussian's mean, or E(x, 0)),
`reconstruct` (G(E(x))) and `anomaly_scores` (the BiGAN detector of Zenati
et al. 2018, for one-class runs: `bigan` = (1 - w) * ||x - G(E(x))||_1 +
w * ||f(x, E(x)) - f(G(E(x)), E(x))||_1, f being D's last hidden layer and
w = `family.anomaly_weight`, 0.1 in their code; with its two terms and
`critic` = -D(x, E(x)) beside it).
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
from jaxgan.families.common import local_inputs, model_kwargs, require_batch_keys
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_encoder, build_generator
from jaxgan.models.registry import check_discriminator_kind, check_generator_input
from jaxgan.models.apply import apply_model, last_dense_input
from jaxgan.parallel import sharded_map
from jaxgan.penalties import PenaltyInputs

POSTERIORS = ("deterministic", "gaussian", "implicit")
GE_OBJECTIVES = ("swap", "negate")


def ge_loss(loss_fn: Callable, real_logits: jax.Array, fake_logits: jax.Array, objective: str) -> jax.Array:
    """G and E's loss on D's logits for (x, E(x)) (`real_logits`) and (G(z), z) (`fake_logits`)."""
    if objective == "swap":
        return loss_fn(fake_logits, real_logits).d
    return -loss_fn(real_logits, fake_logits).d


def gaussian_code(out: jax.Array, eps: jax.Array | None) -> jax.Array:
    """The encoder's output `[B, 2L]` as mean + exp(log_std) * eps, or the mean when `eps` is None."""
    mean, log_std = jnp.split(out, 2, axis=-1)
    return mean if eps is None else mean + jnp.exp(log_std) * eps


def implicit_input(x: jax.Array, eps: jax.Array) -> jax.Array:
    """The implicit posterior's encoder input `[B, prod(x.shape[1:]) + L]`: flattened x, then the noise."""
    return jnp.concatenate([x.reshape(x.shape[0], -1), eps], axis=-1)


@FAMILIES.register("ali")
class ALI(Family):
    """G(z), E(x) and D(x, z); see the module docstring."""

    ema_roles = ("generator", "encoder")
    critic_group = "d"
    predicts = ("generate", "encode", "reconstruct", "anomaly_scores")
    default_evaluators = ("samples", "reconstruction")
    anomaly_score = "bigan"

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.latent_dim = config.model.latent_dim
        self.posterior = config.family.posterior
        self.objective = config.family.ge_objective

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"encoder": "mlp", "e": {}, "posterior": "deterministic", "ge_objective": "swap",
                "anomaly_weight": 0.1}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        f = config.family
        if f.posterior not in POSTERIORS:
            raise ValueError(f"config.family.posterior: unknown {f.posterior!r}. Choices: {', '.join(POSTERIORS)}.")
        if f.ge_objective not in GE_OBJECTIVES:
            raise ValueError(f"config.family.ge_objective: unknown {f.ge_objective!r}. "
                             f"Choices: {', '.join(GE_OBJECTIVES)}.")
        if not 0.0 <= f.anomaly_weight <= 1.0:
            raise ValueError(f"config.family.anomaly_weight (D's share of the anomaly score) must be in [0, 1], "
                             f"got {f.anomaly_weight}.")
        if f.posterior == "implicit" and f.encoder != "mlp":
            raise ValueError(f"config.family.posterior='implicit' feeds the encoder [flatten(x), noise], which only "
                             f"encoder 'mlp' takes; got encoder {f.encoder!r}. Use posterior 'gaussian' with it.")
        if config.data.use_labels:
            raise ValueError("Family 'ali' is unconditional; set data.use_labels=False.")
        check_discriminator_kind(config.model.discriminator, joint=True, family="ali")
        check_generator_input(config.model.generator, "latent", "ali")
        require_batch_keys(config, ("x",))
        if config.augment.policy:
            raise ValueError("Family 'ali' does not support DiffAugment (it would break the (x, z) pairing); "
                             "set augment.policy=''.")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        f, latent = config.family, config.model.latent_dim
        out_dim = 2 * latent if f.posterior == "gaussian" else latent
        return {
            "generator": build_generator(config.model.generator, model_kwargs(config.model.g), dataset.element_shape),
            "encoder": build_encoder(f.encoder, model_kwargs(f.e), out_dim),
            "discriminator": build_discriminator(config.model.discriminator, model_kwargs(config.model.d)),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator", "encoder")}

    def schedule(self) -> tuple[Update, ...]:
        return (Update("d", repeats=self.config.d_steps_per_g_step), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        z = jnp.zeros((1, self.latent_dim), jnp.float32)
        x = jnp.zeros((1, *self.dataset.element_shape), jnp.float32)
        e_in = implicit_input(x, z) if self.posterior == "implicit" else x
        return {"generator": ((z,), {"train": False}), "encoder": ((e_in,), {"train": False}),
                "discriminator": (({"x": x, "z": z},), {"train": False})}

    def _pairs(self, ctx: LossContext, x: jax.Array, key: jax.Array) -> tuple[dict, dict, dict]:
        """(x, E(x)) and (G(z), z) in training mode, and G's and E's new collections."""
        z_key, eps_key = jax.random.split(key)
        z, _ = local_inputs(z_key, x.shape[0], self.latent_dim, 0)
        fake_x, g_coll = self.apply("generator", ctx.params, ctx.collections, z, True)
        # eps for the global batch, this device's rows: independent of the device count
        eps = None if self.posterior == "deterministic" else local_inputs(eps_key, x.shape[0], self.latent_dim, 0)[0]
        e_in = implicit_input(x, eps) if self.posterior == "implicit" else x
        code, e_coll = self.apply("encoder", ctx.params, ctx.collections, e_in, True)
        if self.posterior == "gaussian":
            code = gaussian_code(code, eps)
        return {"x": x, "z": code}, {"x": fake_x, "z": z}, {"generator": g_coll, "encoder": e_coll}

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        pair_key, drop_key, pen_key = jax.random.split(key, 3)
        real, fake, ge_coll = self._pairs(ctx, batch["x"], pair_key)
        if group == "d":  # G and E change in their own update: no gradient, statistics discarded
            real, fake = lax.stop_gradient(real), lax.stop_gradient(fake)
        d, d_params = self.nets["discriminator"], ctx.params["discriminator"]
        real_key, fake_key, penalty_drop_key = jax.random.split(drop_key, 3)
        real_logits, d_coll = apply_model(d, d_params, ctx.collections["discriminator"], real, True, real_key)
        fake_logits, d_coll = apply_model(d, d_params, d_coll, fake, True, fake_key)
        if group == "g":
            loss = ge_loss(self.loss_fn, real_logits, fake_logits, self.objective)
            return LossOutput(loss, {"g_loss": loss}, ge_coll)
        loss = self.loss_fn(real_logits, fake_logits).d
        critic = PenaltyInputs(
            d_fn=lambda p, pair: apply_model(d, p, d_coll, pair, True, penalty_drop_key)[0],
            d_params=d_params, real=real, fake=fake, real_logits=real_logits, fake_logits=fake_logits, key=pen_key)
        metrics = {"d_loss": loss, "d_real_logit": jnp.mean(real_logits), "d_fake_logit": jnp.mean(fake_logits)}
        return LossOutput(loss, metrics, {"discriminator": d_coll}, critic)

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        g, e = self.nets["generator"], self.nets["encoder"]
        posterior, mesh = self.posterior, sampling.prediction_mesh()
        variables = {role: (params[role], collections[role]) for role in ("generator", "encoder")}

        def generate(key: jax.Array, num: int) -> np.ndarray:
            return sampling.generate(g, params["generator"], collections["generator"], key, num, self.latent_dim)

        def encode(x: np.ndarray) -> np.ndarray:
            """Codes `[N, latent]` of images or points `x` (deterministic: see `_encode_fn`)."""
            return sharded_map(_encode_fn(e, posterior), variables["encoder"], x, mesh=mesh)

        def reconstruct(x: np.ndarray) -> np.ndarray:
            """G(E(x)) for `x`, as float32 numpy."""
            return sharded_map(_reconstruct_fn(g, e, posterior), variables, x, mesh=mesh).astype(np.float32)

        def anomaly_scores(x: np.ndarray) -> dict[str, np.ndarray]:
            """Per image: `bigan` (Zenati et al.'s score), its terms `image_l1` and `feature_l1`, and `critic`."""
            fn = _scores_fn(g, e, self.nets["discriminator"], posterior, float(self.config.family.anomaly_weight))
            scored = {**variables, "discriminator": (params["discriminator"], collections["discriminator"])}
            return {k: np.asarray(v, np.float64) for k, v in sharded_map(fn, scored, x, mesh=mesh).items()}

        return {"generate": generate, "encode": encode, "reconstruct": reconstruct, "anomaly_scores": anomaly_scores}


@functools.lru_cache(maxsize=16)
def _encode_fn(encoder: nn.Module, posterior: str) -> Callable:
    """x -> its code: E(x), the Gaussian's mean, or E(x, eps=0)."""
    def fn(variables, x):
        if posterior == "implicit":
            x = implicit_input(x, jnp.zeros((x.shape[0], encoder.out_dim), x.dtype))
        code = apply_model(encoder, *variables, x, False)[0]
        return gaussian_code(code, None) if posterior == "gaussian" else code

    return fn


@functools.lru_cache(maxsize=16)
def _reconstruct_fn(generator: nn.Module, encoder: nn.Module, posterior: str) -> Callable:
    encode = _encode_fn(encoder, posterior)

    def fn(variables, x):
        return apply_model(generator, *variables["generator"], encode(variables["encoder"], x), False)[0]

    return fn


@functools.lru_cache(maxsize=16)
def _scores_fn(generator: nn.Module, encoder: nn.Module, discriminator: nn.Module, posterior: str, weight: float
               ) -> Callable:
    encode = _encode_fn(encoder, posterior)

    def fn(variables, x):
        code = encode(variables["encoder"], x)
        x_hat = apply_model(generator, *variables["generator"], code, False)[0]
        d_x, f_x = last_dense_input(discriminator, *variables["discriminator"], {"x": x, "z": code})
        _, f_hat = last_dense_input(discriminator, *variables["discriminator"], {"x": x_hat, "z": code})
        image = jnp.sum(jnp.abs((x - x_hat).reshape(x.shape[0], -1)), axis=1)
        feature = jnp.sum(jnp.abs(f_x - f_hat), axis=1)
        return {"bigan": (1.0 - weight) * image + weight * feature, "image_l1": image, "feature_l1": feature,
                "critic": -jnp.reshape(d_x, (-1,))}

    return fn
