"""The `progan` family: progressive growing of G and D (Karras et al. 2018).

G and D (`model.generator`/`model.discriminator` `progan`) hold every
resolution's layers from the start. Training goes through phases, one per
resolution 4, 8, ..., the data's: resolution 4 is trained for `stable_kimg`
thousand images, every later one first fades in for `fade_kimg` thousand
images and is then trained for `stable_kimg` (the paper: 600 and 600). The
phase (`Family.phase`, the resolution) is a function of the step, so the
trainer compiles one step per resolution; the fade-in
alpha = min(1, images seen in the phase / fade images) is computed from the
step inside the compiled step. Images seen = steps * batch size.

Real images are downsampled to the phase's resolution inside the step (2x2
average pooling); during a fade-in they are blended as G's output is:
(1 - alpha) * upsample(downsample(x_r)) + alpha * x_r.

With `grow=False` (the paper's comparison) the same networks train at the
final resolution from the first step.

Loss: `config.loss` (the paper's is `wasserstein`, with `penalties={"wgan_gp":
{"weight": 10}}`) plus the drift term `drift` * E[D(x_real)^2] (0.001) on D.
Schedule: one D update then one G update on the same batch (the paper's
n_critic 1). Latents: `model.latent_dim` (512 in the paper). Keep the EMA of G
with `ema.decay` 0.999.

Prediction `generate(key, num)`: the (EMA) G at the state's resolution and
alpha, upsampled (nearest) to the final size so that every eval compares the
same shapes; the `samples` evaluator scores it.
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
from jaxgan.families.common import local_inputs, model_kwargs, require_batch_keys
from jaxgan.families.pix2pix import check_weights
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_generator
from jaxgan.models.progan import START_RESOLUTION, downsample, resolutions, upsample
from jaxgan.penalties import PenaltyInputs


def phase_starts(final: int, fade_images: int, stable_images: int) -> dict[int, int]:
    """Resolution -> the number of images seen when its phase starts (its fade-in, or 4x4's stable phase)."""
    starts, images = {}, 0
    for r in resolutions(final):
        starts[r] = images
        images += stable_images if r == START_RESOLUTION else fade_images + stable_images
    return starts


def resolution_at(images: int, starts: Mapping[int, int]) -> int:
    """The resolution being trained when `images` images have been seen."""
    return max(r for r, start in starts.items() if images >= start)


def fade_alpha(images: jax.Array, start: int, fade_images: int, resolution: int) -> jax.Array:
    """The fade-in alpha of `resolution` after `images` images: 0 at its phase start, 1 after the fade."""
    if resolution == START_RESOLUTION or fade_images == 0:
        return jnp.ones((), jnp.float32)
    return jnp.clip((jnp.asarray(images, jnp.float32) - start) / fade_images, 0.0, 1.0)


def real_at(x: jax.Array, resolution: int, alpha: jax.Array) -> jax.Array:
    """Full-size real images at `resolution`, blended with the lower resolution as G's output is."""
    while x.shape[1] > resolution:
        x = downsample(x)
    if resolution == START_RESOLUTION:
        return x
    return (1.0 - alpha) * upsample(downsample(x)) + alpha * x


@FAMILIES.register("progan")
class ProGAN(Family):
    """Progressively grown G and D; see the module docstring."""

    ema_roles = ("generator",)
    critic_group = "d"
    batch_keys = ("x",)
    predicts = ("generate",)
    default_evaluators = ("samples",)

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        f = config.family
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.latent_dim, self.batch_size, self.drift = config.model.latent_dim, config.batch_size, float(f.drift)
        self.final = dataset.element_shape[0]
        self.fade_images, self.stable_images = int(f.fade_kimg * 1000), int(f.stable_kimg * 1000)
        self.grow = bool(f.grow)
        # Without growing (the paper's baseline): the final resolution from the first step, fully faded in.
        self.starts = (phase_starts(self.final, self.fade_images, self.stable_images) if self.grow
                       else {self.final: 0})

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"fade_kimg": 600.0, "stable_kimg": 600.0, "drift": 0.001, "grow": True}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        require_batch_keys(config, cls.batch_keys)
        check_weights(config, ("fade_kimg", "stable_kimg", "drift"))
        if config.model.generator != "progan" or config.model.discriminator != "progan":
            raise ValueError("Family 'progan' grows its own networks: set model.generator and model.discriminator "
                             f"to 'progan' (got {config.model.generator!r}, {config.model.discriminator!r}).")
        if not isinstance(config.family.grow, bool):
            raise ValueError(f"config.family.grow must be True or False, got {config.family.grow!r}.")
        if not config.family.stable_kimg:
            raise ValueError("config.family.stable_kimg must be > 0 (every resolution trains for a while).")
        if config.data.use_labels:
            raise ValueError("Family 'progan' is unconditional; set data.use_labels=False.")
        resolutions(dataset.element_shape[0])  # a power of two >= 4, or a clear error

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        return {
            "generator": build_generator("progan", model_kwargs(config.model.g), dataset.element_shape),
            "discriminator": build_discriminator("progan", model_kwargs(config.model.d)),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator",)}

    def schedule(self) -> tuple[Update, ...]:
        return (Update("d"), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        return {"generator": ((jnp.zeros((1, self.latent_dim), jnp.float32),), {"train": False}),
                "discriminator": ((jnp.zeros((1, *self.dataset.element_shape), jnp.float32),), {"train": False})}

    def phase(self, step: int) -> int:
        return resolution_at(step * self.batch_size, self.starts)

    def alpha(self, step: jax.Array | int, resolution: int) -> jax.Array:
        if not self.grow:
            return jnp.ones((), jnp.float32)
        return fade_alpha(jnp.asarray(step) * self.batch_size, self.starts[resolution], self.fade_images, resolution)

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        resolution = ctx.phase or self.final  # outside the trainer (no phase, no step): the final network
        alpha = self.alpha(ctx.step, resolution) if ctx.step is not None else jnp.ones((), jnp.float32)
        p = ctx.params
        g, d = self.nets["generator"], self.nets["discriminator"]
        z_key, pen_key = jax.random.split(key)
        z, _ = local_inputs(z_key, batch["x"].shape[0], self.latent_dim, 0)
        fake = g.apply({"params": p["generator"]}, z, resolution=resolution, alpha=alpha)
        real = real_at(batch["x"], resolution, alpha)

        def critic(d_params: Any, x: jax.Array) -> jax.Array:
            return d.apply({"params": d_params}, x, final=self.final, alpha=alpha)

        if group == "d":
            fake = lax.stop_gradient(fake)
            real_logits, fake_logits = critic(p["discriminator"], real), critic(p["discriminator"], fake)
            adversarial = self.loss_fn(real_logits, fake_logits).d
            drift = jnp.mean(jnp.square(real_logits))
            loss = adversarial + self.drift * drift
            penalty = PenaltyInputs(d_fn=critic, d_params=p["discriminator"], real=real, fake=fake,
                                    real_logits=real_logits, fake_logits=fake_logits, key=pen_key)
            metrics = {"d_loss": loss, "d_adversarial": adversarial, "d_drift": drift, "alpha": alpha,
                       "resolution": jnp.float32(resolution)}
            return LossOutput(loss, metrics, critic=penalty)
        real_logits = lax.stop_gradient(critic(p["discriminator"], real))
        loss = self.loss_fn(real_logits, critic(p["discriminator"], fake)).g
        return LossOutput(loss, {"g_loss": loss})

    def predictions_at(self, params: Mapping[str, Any], collections: Mapping[str, dict], step: int
                       ) -> dict[str, Any]:
        resolution = self.phase(step)
        net = self.nets["generator"].clone(resolution=resolution, alpha=float(self.alpha(step, resolution)),
                                           show_full=True)

        def generate(key: jax.Array, num: int) -> np.ndarray:
            """`num` samples at the phase's resolution and alpha, upsampled to the final size."""
            return sampling.generate(net, params["generator"], collections["generator"], key, num, self.latent_dim, 0)

        return {"generate": generate}

    def caption(self, step: int) -> str:
        resolution = self.phase(step)
        alpha = float(self.alpha(step, resolution))
        return f"{resolution}x{resolution}" + (f", fade-in alpha {alpha:.2f}" if alpha < 1 else "")

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        """At the final resolution, fully faded in."""
        return self.predictions_at(params, collections, 10**12 // max(self.batch_size, 1))
