"""The zoo inside the compiled step: user-registered losses, penalties together, resume with penalty state."""

import jax
import jax.numpy as jnp
import numpy as np

from conftest import tiny_config
from helpers import build, run_steps
from jaxgan import losses, penalties, train


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
    assert all(np.isfinite(x).all() for x in jax.tree.leaves(state.d_params))
    assert max(float(np.max(np.abs(x))) for x in jax.tree.leaves(state.d_params)) <= 0.5 + 1e-6
    assert float(state.penalty_state["lecam"]["real_ema"]) != float(init.penalty_state["lecam"]["real_ema"])
    assert "spectral_stats" in state.d_state
    assert not np.array_equal(
        jax.tree.leaves(init.d_state["spectral_stats"])[-1], jax.tree.leaves(state.d_state["spectral_stats"])[-1]
    )
