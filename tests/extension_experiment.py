"""An experiment file that registers its own loss and its own family, as a user's would.

The family has three roles in two groups: two generators, each making half
of every batch (a mixture of generators, as in MGAN), against one D. Tests
train it through `jaxgan.main`, then sample and evaluate the workdir with
the CLIs in fresh processes, which must find `my_hinge` and `two_generators`
without being told where they live (jaxgan records it in the workdir).

  python -m jaxgan.main --config tests/extension_experiment.py --workdir /tmp/ext
"""

import jax
import jax.numpy as jnp
import numpy as np

from jaxgan import sampling
from jaxgan.config import base_config
from jaxgan.families import FAMILIES, Family, LossOutput, Update
from jaxgan.families.common import local_inputs
from jaxgan.losses import LOSSES, GANLoss
from jaxgan.models import build_discriminator, build_generator
from jaxgan.penalties import PenaltyInputs


@LOSSES.register("my_hinge")
def my_hinge(real_logits, fake_logits):
    return GANLoss(d=jnp.mean(jax.nn.relu(1 - real_logits)) + jnp.mean(jax.nn.relu(1 + fake_logits)),
                   g=-jnp.mean(fake_logits))


@FAMILIES.register("two_generators")
class TwoGenerators(Family):
    ema_roles = ("g1", "g2")
    critic_group = "d"
    predicts = ("generate",)
    default_evaluators = ("samples",)

    @classmethod
    def networks(cls, config, dataset):
        g = lambda: build_generator("mlp", {"hidden": (16,)}, dataset.element_shape)  # noqa: E731
        return {"g1": g(), "g2": g(), "discriminator": build_discriminator("mlp", {"hidden": (16,)})}

    def groups(self):
        return {"d": ("discriminator",), "g": ("g1", "g2")}

    def schedule(self):
        return (Update("d"), Update("g", new_batch=False))

    def init_inputs(self):
        z = jnp.zeros((1, self.config.model.latent_dim))
        x = jnp.zeros((1, *self.dataset.element_shape))
        return {"g1": ((z,), {"train": False}), "g2": ((z,), {"train": False}),
                "discriminator": ((x,), {"train": False})}

    def _fake(self, params, collections, z):
        half = z.shape[0] // 2
        a, _ = self.apply("g1", params, collections, z[:half], True)
        b, _ = self.apply("g2", params, collections, z[half:], True)
        return jnp.concatenate([a, b])

    def loss(self, group, ctx, batch, key):
        loss_fn = LOSSES.get(self.config.loss)
        real = batch["x"]
        z, _ = local_inputs(key, real.shape[0], self.config.model.latent_dim, 0)
        fake = self._fake(ctx.params, ctx.collections, z)
        d = lambda p, x: self.apply("discriminator", {"discriminator": p}, ctx.collections, x, True)[0]  # noqa: E731
        d_params = ctx.params["discriminator"]
        if group == "d":
            fake = jax.lax.stop_gradient(fake)
            real_logits, fake_logits = d(d_params, real), d(d_params, fake)
            loss = loss_fn(real_logits, fake_logits).d
            critic = PenaltyInputs(d_fn=d, d_params=d_params, real=real, fake=fake, real_logits=real_logits,
                                   fake_logits=fake_logits, key=key)
            return LossOutput(loss, {"d_loss": loss}, critic=critic)
        loss = loss_fn(jax.lax.stop_gradient(d(d_params, real)), d(d_params, fake)).g
        return LossOutput(loss, {"g_loss": loss})

    def predictions(self, params, collections):
        latent = self.config.model.latent_dim

        def generate(key, num):
            half = num // 2
            one = lambda role, k, n: sampling.generate(self.nets[role], params[role], collections[role], k, n,  # noqa: E731
                                                       latent)
            return np.concatenate([one("g1", jax.random.fold_in(key, 1), half),
                                   one("g2", jax.random.fold_in(key, 2), num - half)])

        return {"generate": generate}


def get_config(arg=None):
    c = base_config()
    c.family.name = "two_generators"
    c.loss = "my_hinge"
    c.penalties = {"r1": {"weight": 0.1}}
    c.data.name = "ring8"
    c.batch_size = 16
    c.total_steps = 8
    c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 4
    c.optimizer.g.lr = c.optimizer.d.lr = 1e-3
    c.ema.decay = 0.9
    c.eval.num_samples = 64
    return c
