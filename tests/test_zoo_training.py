"""The zoo inside the compiled step: user-registered losses, penalties together, resume with penalty state."""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from conftest import tiny_config
from helpers import build, run_steps
from jaxgan import experiment, losses, models, penalties, train


def test_a_loss_registered_in_a_test_file_trains(tmp_path):
    @losses.LOSSES.register("test_squared_hinge")
    def squared_hinge(real_logits, fake_logits):
        return losses.GANLoss(
            d=jnp.mean(jax.nn.relu(1 - real_logits) ** 2) + jnp.mean(jax.nn.relu(1 + fake_logits) ** 2),
            g=-jnp.mean(fake_logits),
        )

    @penalties.PENALTIES.register("test_logit_l2")
    def logit_l2(inputs, state):
        return jnp.mean(inputs.real_logits**2), state

    try:
        config = tiny_config(loss="test_squared_hinge", total_steps=4)
        config.penalties = {"test_logit_l2": {"weight": 0.1}}
        results = train.train_and_evaluate(config, str(tmp_path))
        assert results["num_samples"] == 200
    finally:
        losses.LOSSES.unregister("test_squared_hinge")
        penalties.PENALTIES.unregister("test_logit_l2")


def test_networks_registered_in_a_test_file_train(tmp_path):
    @models.GENERATORS.register("test_residual_g")
    class ResidualG(nn.Module):
        out_shape: Sequence[int]
        width: int = 8

        @nn.compact
        def __call__(self, z, train, labels=None):
            h = nn.Dense(self.width)(z)
            h = h + nn.Dense(self.width)(jnp.tanh(h))
            return nn.Dense(int(np.prod(self.out_shape)))(h).reshape(z.shape[0], *self.out_shape)

    @models.DISCRIMINATORS.register("test_quadratic_d")
    class QuadraticD(nn.Module):
        @nn.compact
        def __call__(self, x, train, labels=None):
            x = x.reshape(x.shape[0], -1)
            return nn.Dense(1)(jnp.concatenate([x, x**2], axis=-1))[:, 0]

    try:
        config = tiny_config(total_steps=4, **{"model.generator": "test_residual_g",
                                               "model.discriminator": "test_quadratic_d"})
        config.model.g = {"width": 12}
        config.model.d = {}
        results = train.train_and_evaluate(config, str(tmp_path))
        assert results["num_samples"] == 200
        exp, state = experiment.restore_latest(tmp_path)
        assert exp.nets["generator"].width == 12 and int(state.step) == 4
        assert state.params["generator"]["Dense_0"]["kernel"].shape == (config.model.latent_dim, 12)
    finally:
        models.GENERATORS.unregister("test_residual_g")
        models.DISCRIMINATORS.unregister("test_quadratic_d")


def test_penalties_spectral_norm_clipping_and_schedules_run_together_in_one_step():
    config = tiny_config(loss="wasserstein", d_steps_per_g_step=2, **{
        "model.d.spectral_norm": True,
        "optimizer.d.clip_weights": 0.5,
        "optimizer.d.l2": 1e-4,
        "optimizer.g.l1": 1e-5,
        "optimizer.g.schedule": "cosine",
        "optimizer.d.warmup_steps": 2,
    })
    config.penalties = {
        "wgan_gp": {"weight": 10.0},
        "wgan_gp_one_sided": {"weight": 1.0},
        "dragan": {"weight": 1.0, "scale": 0.5},
        "r1": {"weight": 1.0, "every": 2},
        "r2": {"weight": 0.5},
        "lecam": {"weight": 0.1, "decay": 0.9},
    }
    exp = build(config)
    init = jax.device_get(exp.init_state())
    state = run_steps(exp, 2)
    d_params, d_state, init_d_state = (state.params["discriminator"], state.collections["discriminator"],
                                       init.collections["discriminator"])
    lecam, init_lecam = state.extra["penalties"]["d"]["lecam"], init.extra["penalties"]["d"]["lecam"]
    assert all(np.isfinite(x).all() for x in jax.tree.leaves(d_params))
    assert max(float(np.max(np.abs(x))) for x in jax.tree.leaves(d_params)) <= 0.5 + 1e-6
    assert float(lecam["real_ema"]) != float(init_lecam["real_ema"])
    assert "spectral_stats" in d_state
    assert not np.array_equal(
        jax.tree.leaves(init_d_state["spectral_stats"])[-1], jax.tree.leaves(d_state["spectral_stats"])[-1]
    )
