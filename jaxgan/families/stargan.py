"""The `stargan` family: one generator for translation among many domains (Choi et al. 2018).

G(x, c) translates image x to the target domain c (its label vector, tiled
over the image and stacked on the channels); D(x) -> (D_src patch logits,
D_cls domain logits). With the loss `config.loss` (the paper's WGAN-GP is
`wasserstein` plus `penalties={"wgan_gp": {"weight": 10}}`):
  D: loss.d(D_src(x), D_src(G(x, c))) + `cls_weight` * L_cls(D_cls(x), c_x)
  G: loss.g(D_src(G(x, c))) + `cls_weight` * L_cls(D_cls(G(x, c)), c)
     + `rec_weight` * |x - G(G(x, c), c_x)|_1
(the paper: cls 1, rec 10), c_x being x's own domain and c a target drawn
uniformly over the dataset's domains for every image of the global batch
(the authors shuffle the batch's labels; a uniform draw over the domains has
the same distribution here, where each garment's domain is uniform, and keeps
the run independent of the device count).

Label styles (`label_style`):
  - "binary" (CelebA): c is the multi-hot attribute vector (`attributes`),
    L_cls the binary cross-entropy summed over attributes, averaged over images;
  - "onehot" (RaFD): c is the one-hot domain (`domain`), L_cls the softmax
    cross-entropy.

Roles: `generator` (`model.generator`, an image-input generator: `stargan`,
options `model.g`) and `discriminator` (`model.discriminator`: a D with a
domain head, `stargan`, options `model.d`). Groups: `d` and `g`. Schedule:
`n_critic` (5) D updates, each on its own batch, then one G update on the
last batch. Data: batches `{x, attributes, domain}` whose dataset has a
`task` (`jaxgan.data.attributed`: `attributed_fashion_mnist`,
`coloured_fashion_mnist`).

Prediction `translate(images, domains) -> outputs`, domains being int
indices into the dataset's `task.table`; the `attributes` evaluator scores it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
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

LABEL_STYLES = ("binary", "onehot")


def label_table(task: Any, style: str) -> np.ndarray:
    """Each domain's label vector `[num_domains, label_dim]`: attributes (binary) or one-hot (onehot)."""
    return np.asarray(task.table, np.float32) if style == "binary" else np.eye(task.num_domains, dtype=np.float32)


def classification_loss(logits: jax.Array, target: jax.Array, style: str) -> jax.Array:
    """StarGAN's L_cls: BCE summed over attributes (binary) or softmax CE (onehot), averaged over images."""
    if style == "binary":
        return jnp.mean(jnp.sum(optax.sigmoid_binary_cross_entropy(logits, target), axis=-1))
    return jnp.mean(optax.softmax_cross_entropy(logits, target))


def with_domain(images: jax.Array, labels: jax.Array) -> jax.Array:
    """Images `[B, H, W, C]` with label vectors `[B, L]` tiled over H and W: `[B, H, W, C + L]`."""
    tiled = jnp.broadcast_to(labels[:, None, None, :], (*images.shape[:3], labels.shape[-1]))
    return jnp.concatenate([images, tiled.astype(images.dtype)], axis=-1)


@FAMILIES.register("stargan")
class StarGAN(Family):
    """One G among all domains against a D with a domain head; see the module docstring."""

    ema_roles = ("generator",)
    critic_group = "d"
    batch_keys = ("x", "attributes", "domain")
    predicts = ("translate",)
    default_evaluators = ("attributes",)
    domain_translation = True  # `translate(images, domains)`: what the `attributes` evaluator scores

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        f = config.family
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.style, self.n_critic = f.label_style, int(f.n_critic)
        self.cls_weight, self.rec_weight = float(f.cls_weight), float(f.rec_weight)
        self.table = label_table(dataset.task, self.style)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"label_style": "binary", "cls_weight": 1.0, "rec_weight": 10.0, "n_critic": 5}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        require_batch_keys(config, cls.batch_keys)
        check_generator_input(config.model.generator, "image", config.family.name)
        check_discriminator_kind(config.model.discriminator, joint=False, family=config.family.name)
        check_weights(config, ("cls_weight", "rec_weight"))
        f = config.family
        if f.label_style not in LABEL_STYLES:
            raise ValueError(f"config.family.label_style={f.label_style!r}; choices: {', '.join(LABEL_STYLES)} "
                             "(binary: CelebA-style attributes; onehot: RaFD-style domains).")
        if isinstance(f.n_critic, bool) or not isinstance(f.n_critic, int) or f.n_critic < 1:
            raise ValueError(f"config.family.n_critic must be an integer >= 1, got {f.n_critic!r}.")
        if config.data.use_labels:
            raise ValueError("Family 'stargan' conditions on domains, not classes; set data.use_labels=False.")

    @classmethod
    def label_dim(cls, config: ml_collections.ConfigDict, dataset: Any) -> int:
        return len(label_table(dataset.task, config.family.label_style)[0])

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        return {
            "generator": build_generator(config.model.generator, model_kwargs(config.model.g), dataset.element_shape),
            "discriminator": build_discriminator(config.model.discriminator, model_kwargs(config.model.d),
                                                 num_classes=cls.label_dim(config, dataset)),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator",)}

    def schedule(self) -> tuple[Update, ...]:
        return (Update("d", repeats=self.n_critic), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        x = jnp.zeros((1, *self.dataset.element_shape), jnp.float32)
        g_in = with_domain(x, jnp.zeros((1, self.table.shape[1]), jnp.float32))
        return {"generator": ((g_in,), {"train": False}), "discriminator": ((x,), {"train": False})}

    def own_labels(self, batch: Mapping[str, jax.Array]) -> jax.Array:
        """c_x: each image's own label vector."""
        return jnp.asarray(self.table)[batch["domain"]]

    def target_labels(self, key: jax.Array, local_batch: int) -> jax.Array:
        """Uniform target domains drawn for the global batch; this device's rows, as label vectors."""
        global_batch = local_batch * lax.psum(1, DATA_AXIS)
        domains = jax.random.randint(key, (global_batch,), 0, len(self.table))
        return jnp.asarray(self.table)[local_rows(domains, local_batch)]

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        p, coll = ctx.params, ctx.collections
        real = batch["x"]
        c_org = self.own_labels(batch)
        target_key, pen_key = jax.random.split(key)
        c_trg = self.target_labels(target_key, real.shape[0])
        fake, g_coll = self.apply("generator", p, coll, with_domain(real, c_trg), True)
        (src_real, cls_real), d_coll = self.apply("discriminator", p, coll, real, True)
        if group == "d":
            fake = lax.stop_gradient(fake)
            (src_fake, _), _ = self.apply("discriminator", p, coll, fake, True)
            adversarial = self.loss_fn(src_real, src_fake).d
            cls = classification_loss(cls_real, c_org, self.style)
            loss = adversarial + self.cls_weight * cls
            d, d_params = self.nets["discriminator"], p["discriminator"]
            critic = PenaltyInputs(d_fn=lambda dp, x: apply_model(d, dp, d_coll, x, True)[0][0], d_params=d_params,
                                   real=real, fake=fake, real_logits=src_real, fake_logits=src_fake, key=pen_key)
            metrics = {"d_loss": loss, "d_adversarial": adversarial, "d_cls": cls,
                       "d_real_logit": jnp.mean(src_real), "d_fake_logit": jnp.mean(src_fake)}
            return LossOutput(loss, metrics, {"discriminator": d_coll}, critic)
        (src_fake, cls_fake), _ = self.apply("discriminator", p, coll, fake, True)
        adversarial = self.loss_fn(lax.stop_gradient(src_real), src_fake).g
        cls = classification_loss(cls_fake, c_trg, self.style)
        reconstructed, g_coll = self.apply("generator", p, {**coll, "generator": g_coll}, with_domain(fake, c_org),
                                           True)
        rec = jnp.mean(jnp.abs(real - reconstructed))
        loss = adversarial + self.cls_weight * cls + self.rec_weight * rec
        metrics = {"g_loss": loss, "g_adversarial": adversarial, "g_cls": cls, "g_rec": rec}
        return LossOutput(loss, metrics, {"generator": g_coll})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        return {"translate": domain_translator(self.nets["generator"], params["generator"], collections["generator"],
                                               self.table)}


def domain_translator(net: nn.Module, params: Any, collections: dict, table: np.ndarray
                      ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """`(images, domains) -> outputs` (float32 numpy) of G in eval mode, on one device (`pix2pix.translator`)."""
    translate_stacked = translator(net, params, collections)

    def translate(images: np.ndarray, domains: np.ndarray) -> np.ndarray:
        images = np.asarray(images, np.float32)
        labels = np.broadcast_to(table[np.asarray(domains)][:, None, None, :], (*images.shape[:3], table.shape[1]))
        return translate_stacked(np.concatenate([images, labels], axis=-1))

    return translate
