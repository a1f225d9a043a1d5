"""The `cyclegan` family: unpaired translation between domains A and B (Zhu et al. 2017).

Roles: `g_ab` and `g_ba` (`model.generator`, e.g. `resnet_translator`,
options `model.g`), `d_a` and `d_b` (`model.discriminator`, e.g. `patchgan`
with `norm="instance"`, options `model.d`). Groups: `d` = {d_a, d_b}, `g` =
{g_ab, g_ba}. Data: unpaired batches `{a, b}` (`edges2fashion_unpaired`).

G and G' minimise, with the loss `config.loss` (the paper's LSGAN is
`least_squares`):
  `adversarial_weight` * (loss.g(D_b(G_ab(a))) + loss.g(D_a(G_ba(b))))
  + `cycle_weight` * (|G_ba(G_ab(a)) - a|_1 + |G_ab(G_ba(b)) - b|_1)
  + `identity_weight` * (|G_ab(b) - b|_1 + |G_ba(a) - a|_1).
The paper's weights are cycle 10 and identity 0.5 * 10 = 5; jaxgan's
`least_squares` G term is 1/2 E(D - 1)^2, half the PyTorch code's, so
`adversarial_weight` 2 gives the authors' exact balance. D_a and D_b
minimise loss.d on real images against fakes drawn from their image pools.

The image pool (Shrivastava et al. 2017): each D keeps `pool_size` (50) past
fakes in the train state (`extra`), so resuming is exact. For every fake of
the *global* batch, in order: while the pool is not full it is stored and
used; then with probability 1/2 a random stored fake is used instead and
replaced by the new one, else the new one is used. The same key and the
global batch give the same pool on every device.

Schedule: one D update (fakes of the current G, through the pools), then one
G update on the same batch (the PyTorch code updates G first, against the
D before its update; here G meets the D just updated). Set `cycle_weight` and
`identity_weight` to 0 for the paper's "GAN alone" ablation.

Predictions `translate_ab` and `translate_ba`, in eval mode; the
`translation` evaluator scores both against the known test truth.
"""

from __future__ import annotations

from typing import Any, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
from jax import lax

from jaxgan import losses
from jaxgan.families.base import Family, LossContext, LossOutput, Update
from jaxgan.families.common import local_rows, model_kwargs, require_batch_keys
from jaxgan.families.pix2pix import check_weights, translator
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_generator
from jaxgan.models.apply import apply_model
from jaxgan.models.registry import check_discriminator_kind, check_generator_input
from jaxgan.parallel import DATA_AXIS
from jaxgan.penalties import PenaltyInputs

# Which D judges each domain, and which G makes its fakes from the other domain.
DOMAINS = {"a": ("d_a", "g_ba", "b"), "b": ("d_b", "g_ab", "a")}


def init_pool(size: int, shape: tuple[int, ...]) -> dict[str, jax.Array]:
    """An empty pool of `size` images of `shape`."""
    return {"images": jnp.zeros((size, *shape), jnp.float32), "count": jnp.zeros((), jnp.int32)}


def query_pool(pool: dict[str, jax.Array], fakes: jax.Array, key: jax.Array) -> tuple[jax.Array, dict]:
    """The images D sees for `fakes` (in order) and the new pool; see the module docstring."""
    size = pool["images"].shape[0]
    if size == 0:
        return fakes, pool
    keys = jax.random.split(key, fakes.shape[0])

    def one(carry, xs):
        images, count = carry
        fake, k = xs
        swap_key, index_key = jax.random.split(k)
        filling = count < size
        swap = ~filling & (jax.random.uniform(swap_key) > 0.5)
        index = jnp.where(filling, jnp.minimum(count, size - 1), jax.random.randint(index_key, (), 0, size))
        out = jnp.where(swap, images[index], fake)
        images = jnp.where(filling | swap, images.at[index].set(fake), images)
        return (images, count + filling.astype(jnp.int32)), out

    (images, count), outs = lax.scan(one, (pool["images"], pool["count"]), (fakes, keys))
    return outs, {"images": images, "count": count}


@FAMILIES.register("cyclegan")
class CycleGAN(Family):
    """Two generators and two discriminators on unpaired domains; see the module docstring."""

    ema_roles = ("g_ab", "g_ba")
    critic_group = "d"
    batch_keys = ("a", "b")
    predicts = ("translate_ab", "translate_ba")
    default_evaluators = ("translation",)
    translations = {"translate_ab": ("a", "b"), "translate_ba": ("b", "a")}
    replicated_extra = ("pools",)

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        f = config.family
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.weights = {k: float(f[f"{k}_weight"]) for k in ("adversarial", "cycle", "identity")}
        self.pool_size = int(f.pool_size)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"adversarial_weight": 2.0, "cycle_weight": 10.0, "identity_weight": 5.0, "pool_size": 50}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        require_batch_keys(config, cls.batch_keys)
        check_generator_input(config.model.generator, "image", config.family.name)
        check_discriminator_kind(config.model.discriminator, joint=False, family=config.family.name)
        check_weights(config, ("adversarial_weight", "cycle_weight", "identity_weight"))
        size = config.family.pool_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"config.family.pool_size must be an integer >= 0 (0: no pool), got {size!r}.")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        g, d = model_kwargs(config.model.g), model_kwargs(config.model.d)
        make_g = lambda: build_generator(config.model.generator, g, dataset.element_shape)  # noqa: E731
        make_d = lambda: build_discriminator(config.model.discriminator, d)  # noqa: E731
        return {"g_ab": make_g(), "g_ba": make_g(), "d_a": make_d(), "d_b": make_d()}

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("d_a", "d_b"), "g": ("g_ab", "g_ba")}

    def schedule(self) -> tuple[Update, ...]:
        return (Update("d"), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        x = ((jnp.zeros((1, *self.dataset.element_shape), jnp.float32),), {"train": False})
        return {role: x for role in ("g_ab", "g_ba", "d_a", "d_b")}

    def init_extra(self) -> dict[str, Any]:
        shape = tuple(self.dataset.element_shape)
        return {"pools": {domain: init_pool(self.pool_size, shape) for domain in DOMAINS}}

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        return self._d_loss(ctx, batch, key) if group == "d" else self._g_loss(ctx, batch, key)

    def _d_loss(self, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        p, coll = ctx.params, ctx.collections
        total, metrics, new_coll, pools, critics = 0.0, {}, {}, {}, {}
        for i, (domain, (d_role, g_role, source)) in enumerate(DOMAINS.items()):
            pool_key, real_key, fake_key, pen_key, pen_drop_key = jax.random.split(jax.random.fold_in(key, i), 5)
            fake, _ = self.apply(g_role, p, coll, batch[source], True)
            # The pool sees the global batch (the same on every device); each device keeps its rows.
            shown, pools[domain] = query_pool(ctx.extra["pools"][domain],
                                              lax.all_gather(lax.stop_gradient(fake), DATA_AXIS, tiled=True), pool_key)
            shown = local_rows(shown, fake.shape[0])
            d = self.nets[d_role]
            real_logits, d_coll = apply_model(d, p[d_role], coll[d_role], batch[domain], True, real_key)
            fake_logits, d_coll = apply_model(d, p[d_role], d_coll, shown, True, fake_key)
            loss = self.loss_fn(real_logits, fake_logits).d
            total, new_coll[d_role] = total + loss, d_coll
            metrics[f"{d_role}_loss"] = loss
            critics[domain] = (d_role, d_coll, batch[domain], shown, real_logits, fake_logits, pen_key, pen_drop_key)
        metrics["d_loss"] = total
        return LossOutput(total, metrics, new_coll, self._critic(p, critics), {"pools": pools})

    def _critic(self, params: Mapping[str, Any], critics: dict) -> PenaltyInputs:
        """Both Ds as one critic of the pytree {a, b}: a penalty regularises each D on its own domain."""
        def d_fn(d_params, x):
            outs = [apply_model(self.nets[c[0]], d_params[c[0]], c[1], x[domain], True, c[7])[0]
                    for domain, c in critics.items()]
            return jnp.concatenate([o.reshape(o.shape[0], -1) for o in outs], axis=-1)

        flat = lambda logits: jnp.concatenate([l.reshape(l.shape[0], -1) for l in logits], -1)  # noqa: E731,E741
        return PenaltyInputs(
            d_fn=d_fn, d_params={c[0]: params[c[0]] for c in critics.values()},
            real={domain: c[2] for domain, c in critics.items()}, fake={domain: c[3] for domain, c in critics.items()},
            real_logits=flat([c[4] for c in critics.values()]), fake_logits=flat([c[5] for c in critics.values()]),
            key=critics["a"][6])

    def _g_loss(self, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        p, coll, w = ctx.params, ctx.collections, self.weights
        l1 = lambda x, y: jnp.mean(jnp.abs(x - y))  # noqa: E731
        fake_b, coll_ab = self.apply("g_ab", p, coll, batch["a"], True)
        fake_a, coll_ba = self.apply("g_ba", p, coll, batch["b"], True)
        metrics = {}
        adversarial = 0.0
        for i, (d_role, fake, domain) in enumerate((("d_b", fake_b, "b"), ("d_a", fake_a, "a"))):
            real_key, fake_key = jax.random.split(jax.random.fold_in(key, i))
            # Relativistic losses compare with D(real); it carries no gradient here.
            real_logits = lax.stop_gradient(self.apply(d_role, p, coll, batch[domain], True, real_key)[0])
            fake_logits, _ = self.apply(d_role, p, coll, fake, True, fake_key)
            term = self.loss_fn(real_logits, fake_logits).g
            metrics[f"g_adversarial_{domain}"] = term
            adversarial = adversarial + term
        loss = w["adversarial"] * adversarial
        if w["cycle"]:
            cycle = l1(self.apply("g_ba", p, coll, fake_b, True)[0], batch["a"]) + l1(
                self.apply("g_ab", p, coll, fake_a, True)[0], batch["b"])
            loss, metrics["g_cycle"] = loss + w["cycle"] * cycle, cycle
        if w["identity"]:
            identity = l1(self.apply("g_ab", p, coll, batch["b"], True)[0], batch["b"]) + l1(
                self.apply("g_ba", p, coll, batch["a"], True)[0], batch["a"])
            loss, metrics["g_identity"] = loss + w["identity"] * identity, identity
        metrics["g_loss"] = loss
        return LossOutput(loss, metrics, {"g_ab": coll_ab, "g_ba": coll_ba})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        return {f"translate_{r[2:]}": translator(self.nets[r], params[r], collections[r]) for r in ("g_ab", "g_ba")}
