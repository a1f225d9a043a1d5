import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax

from conftest import tiny_config
from helpers import assert_trees_close, build, params_of, run_steps
from jaxgan import losses, parallel
from jaxgan.families.common import sample_latents
from jaxgan.step import make_train_step


def test_one_step_changes_both_networks_and_counts():
    exp = build(tiny_config())
    before = jax.device_get(exp.init_state())
    after = run_steps(exp, 1)
    assert int(after.step) == 1
    for net in ("generator", "discriminator"):
        changed = jax.tree.map(lambda a, b: bool(np.any(a != b)), before.params[net], after.params[net])
        assert all(jax.tree.leaves(changed)), f"{net} did not change everywhere"
    # G's BatchNorm statistics are updated by G's step.
    assert not np.array_equal(
        jax.tree.leaves(before.collections["generator"])[0], jax.tree.leaves(after.collections["generator"])[0]
    )


def _by_hand(exp, k):
    """k D updates then one G update, written directly with jax.grad and optax."""
    c = exp.config
    state = jax.device_get(exp.init_state())
    loss_fn = losses.LOSSES.get(c.loss)
    real = exp.dataset.local_batch(0, c.batch_size, k)["x"]

    @jax.jit  # compiled once, not op by op (eagerly, the k updates took ~15 s on 2 cores)
    def run():
        step_key = jax.random.fold_in(jax.random.key(c.seed), jnp.int32(0))
        d_keys = jax.random.split(jax.random.fold_in(step_key, 0), k)
        g_key = jax.random.fold_in(step_key, 1)
        g_model, d_model = exp.nets["generator"], exp.nets["discriminator"]
        g_params, g_state = state.params["generator"], state.collections["generator"]
        g_vars = {"params": g_params, **g_state}
        # The optimizers see their group's tree: {"discriminator": params}, {"generator": params}.
        d_params, d_opt = {"discriminator": state.params["discriminator"]}, state.opt_state["d"]
        for i in range(k):
            z = sample_latents(jax.random.split(d_keys[i], 4)[0], c.batch_size, c.model.latent_dim)
            fake = g_model.apply(g_vars, z, train=True, mutable=["batch_stats"])[0]

            def d_loss(p):
                p = p["discriminator"]
                return loss_fn(d_model.apply({"params": p}, real[i], train=True),
                               d_model.apply({"params": p}, fake, train=True)).d

            updates, d_opt = state.tx("d").update(jax.grad(d_loss)(d_params), d_opt, d_params)
            d_params = optax.apply_updates(d_params, updates)
        z = sample_latents(jax.random.split(g_key, 3)[0], c.batch_size, c.model.latent_dim)

        d_params = d_params["discriminator"]

        def g_loss(p):
            fake = g_model.apply({"params": p["generator"], **g_state}, z, train=True, mutable=["batch_stats"])[0]
            real_logits = d_model.apply({"params": d_params}, real[-1], train=True)
            return loss_fn(real_logits, d_model.apply({"params": d_params}, fake, train=True)).g

        g_tree = {"generator": g_params}
        updates, _ = state.tx("g").update(jax.grad(g_loss)(g_tree), state.opt_state["g"], g_tree)
        return {"g": optax.apply_updates(g_tree, updates)["generator"], "d": d_params}

    return run()


def test_d_steps_per_g_step_equals_k_d_updates_then_one_g_update():
    k = 3
    exp = build(tiny_config(d_steps_per_g_step=k, **{"model.g.batch_norm": False}), num_devices=1)
    got = run_steps(exp, 1)
    expected = _by_hand(exp, k)
    assert_trees_close({"g": got.params["generator"], "d": got.params["discriminator"]}, expected,
                       rtol=1e-5, atol=1e-6)
    # And it is not the same as a single D update.
    one = run_steps(build(tiny_config(d_steps_per_g_step=1), num_devices=1), 1)
    assert not np.allclose(jax.tree.leaves(one.params["discriminator"])[0],
                           jax.tree.leaves(got.params["discriminator"])[0])


def test_ema_tracks_generator_with_warmup():
    exp = build(tiny_config(**{"ema.decay": 0.999}))
    init = jax.device_get(exp.init_state())
    state = run_steps(exp, 1)
    # At step 0 the warm-up decay is min(0.999, 1/10) = 0.1.
    expected = jax.tree.map(lambda e, p: 0.1 * e + 0.9 * p, init.ema["generator"], state.params["generator"])
    assert_trees_close(state.ema["generator"], expected, rtol=1e-6, atol=1e-7)


def test_extra_emas_average_at_their_own_decay_and_change_nothing_else():
    """An EMA kept at an extra decay is bitwise the EMA of a run with that decay; params and the main EMA are
    bitwise those of a run without extra decays."""
    from jaxgan.state import EXTRA_EMA, extra_ema_key

    kept = run_steps(build(tiny_config(**{"ema.decay": 0.999, "ema.extra_decays": (0.05, 0.2)})), 3)
    plain = run_steps(build(tiny_config(**{"ema.decay": 0.999})), 3)
    assert EXTRA_EMA not in plain.extra
    for decay in (0.05, 0.2):  # apart within the warm-up, min(decay, (1 + t) / (10 + t))
        alone = run_steps(build(tiny_config(**{"ema.decay": decay})), 3)
        chex.assert_trees_all_equal(kept.extra[EXTRA_EMA][extra_ema_key(decay)], alone.ema)
    chex.assert_trees_all_equal((kept.params, kept.ema), (plain.params, plain.ema))
    assert not np.array_equal(*(jax.tree.leaves(kept.extra[EXTRA_EMA][extra_ema_key(d)])[0] for d in (0.05, 0.2)))


def test_decays_the_warmup_never_reaches_keep_identical_emas_and_training_says_so():
    from jaxgan.config import ema_warmup_notes, load_experiment
    from jaxgan.state import EXTRA_EMA, extra_ema_key

    c = tiny_config(**{"ema.decay": 0.2, "ema.extra_decays": (0.5, 0.9)})
    c.total_steps = 3  # the warm-up's decay at the last update: (1 + 2) / (10 + 2) = 0.25
    kept = run_steps(build(c), 3).extra[EXTRA_EMA]
    chex.assert_trees_all_equal(kept[extra_ema_key(0.5)], kept[extra_ema_key(0.9)])
    (note,) = ema_warmup_notes(c)
    assert "0.25000 at the last of 3 steps" in note and "0.5 (from step 8), 0.9 (from step 80)" in note
    assert "the EMAs at 0.5, 0.9 are identical" in note
    c.ema.extra_decays = (0.05,)
    assert ema_warmup_notes(c) == []  # 0.2 is reached at step 2 (the third update)
    c.ema.extra_decays, c.ema.warmup = (0.5, 0.9), False
    assert ema_warmup_notes(c) == []
    sweep = load_experiment("beat_lucic_fashion_mnist", "ema")
    sweep.ema.extra_decays = (0.9995, 0.9999)
    (note,) = ema_warmup_notes(sweep)  # 15,625 steps: 0.999 is reached at step 8,990, the others never
    assert "0.9995 (from step 17,990), 0.9999 (from step 89,990)" in note and "0.999 " not in note


def test_step_is_one_compiled_program():
    exp = build(tiny_config())
    step = parallel.shard_step(make_train_step(exp.family, exp.config), exp.mesh, donate=False)
    batch = parallel.place_batch(exp.dataset.local_batch(0, 16, exp.family.batches_per_step()), exp.mesh)
    text = step.lower(exp.init_state(), batch, jax.random.key(0)).as_text()
    assert text.count("all-reduce") + text.count("all_reduce") > 0  # gradients are averaged on-device
    assert params_of  # imported for other tests


def test_a_fused_d_pass_equals_two_passes_when_d_keeps_no_statistics():
    """family.fused_d_pass runs D once on [real; fake]: the same update, up to float rounding."""
    from conftest import tiny_config
    from helpers import build, max_abs_diff, params_of, run_steps

    sgd = {"optimizer.g.name": "sgd", "optimizer.d.name": "sgd"}  # Adam would magnify rounding in ~0 gradients
    two = run_steps(build(tiny_config(**sgd)), 3)
    fused = run_steps(build(tiny_config(**sgd, **{"family.fused_d_pass": True})), 3)
    assert max_abs_diff(params_of(two), params_of(fused)) < 1e-6
