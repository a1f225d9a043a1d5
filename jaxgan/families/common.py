"""Pieces every family's loss shares: global-batch latents, fake labels, DiffAugment, ACGAN heads.

Latents and fake labels are drawn for the *global* batch from the update's
key, and each device takes its own rows, so a run does not depend on how many
devices share the batch (a design invariant of the seam).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax
from jax import lax

from jaxgan import augment
from jaxgan.families.base import LossOutput
from jaxgan.models.apply import apply_model
from jaxgan.parallel import DATA_AXIS
from jaxgan.penalties import PenaltyInputs


def sample_latents(key: jax.Array, batch_size: int, latent_dim: int) -> jax.Array:
    """Standard normal latents `[batch_size, latent_dim]`."""
    return jax.random.normal(key, (batch_size, latent_dim), jnp.float32)


def sample_labels(key: jax.Array, batch_size: int, num_classes: int) -> jax.Array | None:
    """Uniform class labels for fakes, or None in unconditional runs."""
    return jax.random.randint(key, (batch_size,), 0, num_classes) if num_classes else None


def local_rows(x: jax.Array, local_batch: int) -> jax.Array:
    """This device's rows of a global batch (inside the step, which binds DATA_AXIS)."""
    return lax.dynamic_slice_in_dim(x, lax.axis_index(DATA_AXIS) * local_batch, local_batch)


def local_inputs(key: jax.Array, local_batch: int, latent_dim: int, num_classes: int
                 ) -> tuple[jax.Array, jax.Array | None]:
    """This device's rows of the global batch of latents (and fake labels) drawn from `key`."""
    global_batch = local_batch * lax.psum(1, DATA_AXIS)
    labels = sample_labels(jax.random.fold_in(key, 1), global_batch, num_classes)
    z = local_rows(sample_latents(key, global_batch, latent_dim), local_batch)
    return z, None if labels is None else local_rows(labels, local_batch)


def augment_pair(policy: str, key: jax.Array, real: Any, fake: Any) -> tuple[Any, Any]:
    """DiffAugment both of D's image inputs with one policy (identity when the policy is empty)."""
    if not policy:
        return real, fake
    real_key, fake_key = jax.random.split(key)
    return augment.diff_augment(real_key, real, policy), augment.diff_augment(fake_key, fake, policy)


def split_d_output(out: jax.Array | tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array | None]:
    """D's output as (logits, class logits or None): ACGAN discriminators return both."""
    return out if isinstance(out, tuple) else (out, None)


def class_loss(class_logits: jax.Array | None, labels: jax.Array | None) -> jax.Array:
    """ACGAN's auxiliary cross-entropy (0 when D has no classifier)."""
    if class_logits is None:
        return jnp.zeros((), jnp.float32)
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(class_logits, labels))


def model_kwargs(cfg: Any) -> dict[str, Any]:
    """A network's config block (ConfigDict or dict) as constructor kwargs; lists become tuples so modules stay hashable."""
    items = cfg.to_dict() if hasattr(cfg, "to_dict") else dict(cfg)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in items.items()}


def require_batch_keys(config: Any, keys: tuple[str, ...]) -> None:
    """ValueError unless dataset `config.data.name` gives batches with every key of `keys`.

    Datasets declare their keys when registered (`batch_keys`, default `("x",)`).
    """
    from jaxgan.data import DATASETS  # the data package does not import families; import here keeps it so

    given = tuple(DATASETS.meta(config.data.name).get("batch_keys", ("x",)))
    if missing := [k for k in keys if k not in given]:
        fitting = [n for n in DATASETS.names() if set(keys) <= set(DATASETS.meta(n).get("batch_keys", ("x",)))]
        raise ValueError(f"Family {config.family.name!r} reads batch key(s) {missing}, but dataset "
                         f"{config.data.name!r} gives {', '.join(given)}. Datasets that fit: {', '.join(fitting)}.")


def d_update(family: Any, role: str, ctx: Any, real: Any, fake: Any, keys: tuple, scale: float = 1.0) -> Any:
    """D's `LossOutput` for one update: `scale` * the loss's D objective on D(real) and D(fake), its critic.

    The shared D update of the image-to-image families (pix2pix, srgan): `keys`
    are (real dropout, fake dropout, penalty, penalty dropout); `fake` carries
    no gradient.
    """
    real_key, fake_key, pen_key, pen_drop_key = keys
    d, d_params = family.nets[role], ctx.params[role]
    real_logits, d_coll = apply_model(d, d_params, ctx.collections[role], real, True, real_key)
    fake_logits, d_coll = apply_model(d, d_params, d_coll, fake, True, fake_key)
    loss = scale * family.loss_fn(real_logits, fake_logits).d
    critic = PenaltyInputs(d_fn=lambda dp, x: apply_model(d, dp, d_coll, x, True, pen_drop_key)[0],
                           d_params=d_params, real=real, fake=fake, real_logits=real_logits,
                           fake_logits=fake_logits, key=pen_key)
    metrics = {"d_loss": loss, "d_real_logit": jnp.mean(real_logits), "d_fake_logit": jnp.mean(fake_logits)}
    return LossOutput(loss, metrics, {role: d_coll}, critic)


def per_example_mean(x: jax.Array, power: int = 2) -> jax.Array:
    """mean over all but the first axis of |x| ** power."""
    return jnp.mean(jnp.abs(x.reshape(x.shape[0], -1)) ** power, axis=1)
