import jax
import jax.numpy as jnp
import numpy as np
import optax

from conftest import tiny_config
from helpers import assert_trees_close, build, params_of, run_steps
from jaxgan import losses, parallel
from jaxgan.step import apply_model, make_train_step, sample_latents, step_keys


def test_one_step_changes_both_networks_and_counts():
    exp = build(tiny_config())
    before = jax.device_get(exp.init_state())
    after = run_steps(exp, 1)
    assert int(after.step) == 1
    for net in ("g_params", "d_params"):
        changed = jax.tree.map(lambda a, b: bool(np.any(a != b)), getattr(before, net), getattr(after, net))
        assert all(jax.tree.leaves(changed)), f"{net} did not change everywhere"
    # G's BatchNorm statistics are updated by G's step.
    assert not np.array_equal(
        jax.tree.leaves(before.g_state)[0], jax.tree.leaves(after.g_state)[0]
    )


def _by_hand(exp, k):
    """k D updates then one G update, written directly with jax.grad and optax."""
    c = exp.config
    state = jax.device_get(exp.init_state())
    loss_fn = losses.get_loss(c.loss)
    real = exp.dataset.local_batch(0, c.batch_size, k)["x"]
    d_keys, g_key = step_keys(jax.random.key(c.seed), jnp.int32(0), k)
    g_vars = {"params": state.g_params, **state.g_state}
    d_params, d_opt = state.d_params, state.d_opt_state
    for i in range(k):
        z = sample_latents(jax.random.split(d_keys[i], 4)[0], c.batch_size, c.model.latent_dim)
        fake = exp.g_model.apply(g_vars, z, train=True, mutable=["batch_stats"])[0]

        def d_loss(p):
            return loss_fn(exp.d_model.apply({"params": p}, real[i], train=True),
                           exp.d_model.apply({"params": p}, fake, train=True)).d

        updates, d_opt = state.d_tx.update(jax.grad(d_loss)(d_params), d_opt, d_params)
        d_params = optax.apply_updates(d_params, updates)
    z = sample_latents(jax.random.split(g_key, 3)[0], c.batch_size, c.model.latent_dim)

    def g_loss(p):
        fake = exp.g_model.apply({"params": p, **state.g_state}, z, train=True, mutable=["batch_stats"])[0]
        real_logits = exp.d_model.apply({"params": d_params}, real[-1], train=True)
        return loss_fn(real_logits, exp.d_model.apply({"params": d_params}, fake, train=True)).g

    updates, _ = state.g_tx.update(jax.grad(g_loss)(state.g_params), state.g_opt_state, state.g_params)
    return {"g": optax.apply_updates(state.g_params, updates), "d": d_params}


def test_d_steps_per_g_step_equals_k_d_updates_then_one_g_update():
    k = 3
    exp = build(tiny_config(d_steps_per_g_step=k, **{"model.g.batch_norm": False}), num_devices=1)
    got = run_steps(exp, 1)
    expected = _by_hand(exp, k)
    assert_trees_close({"g": got.g_params, "d": got.d_params}, expected, rtol=1e-5, atol=1e-6)
    # And it is not the same as a single D update.
    one = run_steps(build(tiny_config(d_steps_per_g_step=1), num_devices=1), 1)
    assert not np.allclose(jax.tree.leaves(one.d_params)[0], jax.tree.leaves(got.d_params)[0])


def test_ema_tracks_generator_with_warmup():
    exp = build(tiny_config(**{"ema.decay": 0.999}))
    init = jax.device_get(exp.init_state())
    state = run_steps(exp, 1)
    # At step 0 the warm-up decay is min(0.999, 1/10) = 0.1.
    expected = jax.tree.map(lambda e, p: 0.1 * e + 0.9 * p, init.g_ema_params, state.g_params)
    assert_trees_close(state.g_ema_params, expected, rtol=1e-6, atol=1e-7)


def test_step_is_one_compiled_program():
    exp = build(tiny_config())
    step = parallel.shard_step(make_train_step(exp.g_model, exp.d_model, exp.config), exp.mesh, donate=False)
    batch = parallel.place_batch(exp.dataset.local_batch(0, 16, 1), exp.mesh)
    text = step.lower(exp.init_state(), batch, jax.random.key(0)).as_text()
    assert text.count("all-reduce") + text.count("all_reduce") > 0  # gradients are averaged on-device
    assert params_of  # imported for other tests
