"""The `srgan` family: single-image super-resolution with a content loss and an adversarial loss (Ledig et al. 2017).

G(low-res) -> high-res; D(high-res) -> real or fake. G minimises
`content_weight` * content + `adversarial_weight` * the loss's G objective
(the paper: 1 and 1e-3); D the loss's D objective. With
`adversarial_weight=0` it is SRResNet, the paper's MSE baseline: D is not
trained at all.

The content loss is the mean squared difference of `content` features of
G's output and of the truth, times `content_scale`:
  - "pixel": the images themselves (SRResNet-MSE);
  - "fashion_mnist_classifier": the activations of the last convolution
    (after BatchNorm and ReLU, before the last pooling: 14x14x64) of
    jaxgan's Fashion-MNIST classifier, the offline stand-in for the paper's
    VGG54 (the 4th conv of VGG19's 5th block). Its weights are the cached
    classifier's (`python -m jaxgan.evaluation.train_classifier
    fashion_mnist`), frozen. Images of another size are resized to 28x28
    first (bilinear).
  - "vgg19_54": the paper's VGG54 (`jaxgan.evaluation.vgg19`: ImageNet VGG19's
    4th conv of the 5th block, after ReLU), from torchvision's weights,
    which the user converts once (`python -m jaxgan.evaluation.vgg19 --torch
    vgg19-dcbb9e9d.pth`; they cannot be had offline). The paper rescales the
    feature maps by 1/12.75: `content_scale` = 1/12.75**2 does that.
A content extractor is a function plus one line in `CONTENT_FEATURES`.

Roles: `generator` (`model.generator`, an image-input generator such as
`srresnet`, `model.g`), `discriminator` (`model.discriminator`, e.g. `srgan`,
`model.d`). Data: batches with `input` (low-res) and `target` (high-res):
`fashion_mnist_sr_x4`, `fashion_mnist_sr_x2` (`jaxgan.data.paired`).

Prediction `upscale(inputs) -> outputs`, in eval mode; the `translation`
evaluator scores it (PSNR/SSIM against the truth, beside bicubic upsampling).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
from jax import lax

from jaxgan import losses
from jaxgan.families.base import Family, LossContext, LossOutput, Update
from jaxgan.families.common import d_update, model_kwargs, require_batch_keys
from jaxgan.families.pix2pix import check_weights, translator
from jaxgan.families.registry import FAMILIES
from jaxgan.models import build_discriminator, build_generator
from jaxgan.models.registry import check_discriminator_kind, check_generator_input
from jaxgan.registry import Registry

# name -> builder(config) -> features(images) (differentiable, `[B, ...]`)
CONTENT_FEATURES = Registry("content feature extractor")
CONTENT_FEATURES.register("pixel")(lambda config: lambda images: images)


@CONTENT_FEATURES.register("fashion_mnist_classifier")
def classifier_feature_map(config: ml_collections.ConfigDict) -> Callable[[jax.Array], jax.Array]:
    """The cached Fashion-MNIST classifier's last conv activations (VGG54's role); frozen weights."""
    from jaxgan.evaluation import classifier  # evaluation imports families' registries; import late

    try:
        variables, _ = classifier.load(classifier.classifier_dir("fashion_mnist", config.eval.cache_dir))
    except FileNotFoundError:
        raise ValueError(
            "family.content='fashion_mnist_classifier' needs the trained Fashion-MNIST classifier; train it once "
            f"(minutes on CPU): `{classifier.train_command('fashion_mnist', config.eval.cache_dir)}`.") from None
    variables = jax.tree.map(jnp.asarray, variables)

    def features(images: jax.Array) -> jax.Array:
        if images.shape[1:] != classifier.IMAGE_SHAPE:
            images = jax.image.resize(images, (images.shape[0], *classifier.IMAGE_SHAPE), "linear")
        _, state = classifier.MODEL.apply(variables, images, train=False, capture_intermediates=True,
                                          mutable=["intermediates"])
        return nn.relu(state["intermediates"]["BatchNorm_2"]["__call__"][0])

    return features


@CONTENT_FEATURES.register("vgg19_54")
def vgg54_feature_map(config: ml_collections.ConfigDict) -> Callable[[jax.Array], jax.Array]:
    """ImageNet VGG19's conv5_4 activations (the paper's VGG54), from the converted torchvision weights; frozen."""
    from jaxgan.evaluation import vgg19  # evaluation imports families' registries; import late

    try:
        variables = vgg19.load(configured_cache=config.eval.cache_dir)
    except FileNotFoundError as e:
        raise ValueError(f"family.content='vgg19_54': {e}") from None
    net = vgg19.VGG19Features("conv5_4")
    return lambda images: net.apply(variables, images)


@FAMILIES.register("srgan")
class SRGAN(Family):
    """G(low-res) against D(high-res) with a content loss; see the module docstring."""

    ema_roles = ("generator",)
    critic_group = "d"
    batch_keys = ("input", "target")
    predicts = ("upscale",)
    default_evaluators = ("translation",)
    translations = {"upscale": ("input", "target")}

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        super().__init__(config, dataset, nets)
        f = config.family
        self.loss_fn = losses.LOSSES.get(config.loss)
        self.content = CONTENT_FEATURES.get(f.content)(config)
        self.content_weight, self.content_scale = float(f.content_weight), float(f.content_scale)
        self.adversarial_weight = float(f.adversarial_weight)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"content": "fashion_mnist_classifier", "content_weight": 1.0, "content_scale": 1.0,
                "adversarial_weight": 1e-3}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        require_batch_keys(config, cls.batch_keys)
        check_generator_input(config.model.generator, "image", config.family.name)
        check_discriminator_kind(config.model.discriminator, joint=False, family=config.family.name)
        CONTENT_FEATURES.get(config.family.content)
        check_weights(config, ("content_weight", "content_scale", "adversarial_weight"))
        if not config.family.content_weight and not config.family.adversarial_weight:
            raise ValueError("config.family.content_weight and adversarial_weight are both 0: G would have no loss.")
        if config.data.use_labels:
            raise ValueError("Family 'srgan' does not condition on classes; set data.use_labels=False.")

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        return {
            "generator": build_generator(config.model.generator, model_kwargs(config.model.g), dataset.element_shape),
            "discriminator": build_discriminator(config.model.discriminator, model_kwargs(config.model.d)),
        }

    def groups(self) -> dict[str, tuple[str, ...]]:
        return {"d": ("discriminator",), "g": ("generator",)}

    def schedule(self) -> tuple[Update, ...]:
        if not self.adversarial_weight:
            return (Update("g"),)
        return (Update("d"), Update("g", new_batch=False))

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        return {"generator": ((jnp.zeros((1, *self.dataset.input_shape), jnp.float32),), {"train": False}),
                "discriminator": ((jnp.zeros((1, *self.dataset.element_shape), jnp.float32),), {"train": False})}

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        p, coll = ctx.params, ctx.collections
        real_key, fake_key, pen_key, pen_drop_key = jax.random.split(key, 4)
        fake, g_coll = self.apply("generator", p, coll, batch["input"], True)
        real = batch["target"]
        if group == "d":
            return d_update(self, "discriminator", ctx, real, lax.stop_gradient(fake),
                            (real_key, fake_key, pen_key, pen_drop_key))
        content = self.content_scale * jnp.mean((self.content(fake) - self.content(real)) ** 2)
        loss = self.content_weight * content
        metrics = {"g_content": content, "g_mse": jnp.mean((fake - real) ** 2)}
        if self.adversarial_weight:
            real_logits = lax.stop_gradient(self.apply("discriminator", p, coll, real, True, real_key)[0])
            fake_logits, _ = self.apply("discriminator", p, coll, fake, True, fake_key)
            adversarial = self.loss_fn(real_logits, fake_logits).g
            loss = loss + self.adversarial_weight * adversarial
            metrics["g_adversarial"] = adversarial
        metrics["g_loss"] = loss
        return LossOutput(loss, metrics, {"generator": g_coll})

    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Any]:
        return {"upscale": translator(self.nets["generator"], params["generator"], collections["generator"])}
