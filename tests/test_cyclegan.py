"""The `cyclegan` family: the ResNet G's parameter count, the image pool (by hand, replicated, resumed
exactly), the cycle and identity losses by hand, shard_map == pmap, and the lr schedule."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, mock_images, on_one_device, run_steps
from jaxgan import experiment, optim, parallel, train
from jaxgan.config import base_config, optimizer_config
from jaxgan.families import LossContext, family_config
from jaxgan.families.cyclegan import init_pool, query_pool
from jaxgan.models.cyclegan import ResNetTranslator
from jaxgan.step import make_train_step
from test_image2image import MOCK_EXAMPLES, count_params


def test_resnet_translator_has_cyclegans_parameter_count():
    assert count_params(ResNetTranslator((256, 256, 3)), (1, 256, 256, 3)) == 11_378_179  # "11.378 M"


def images(values):
    return jnp.asarray(values, jnp.float32).reshape(-1, 1, 1, 1)


def test_the_pool_fills_first_then_returns_old_fakes_half_the_time():
    pool = init_pool(3, (1, 1, 1))
    out, pool = query_pool(pool, images([1, 2]), jax.random.key(0))
    np.testing.assert_array_equal(out.ravel(), [1, 2])  # filling: the new fakes themselves
    assert int(pool["count"]) == 2 and pool["images"].ravel().tolist() == [1, 2, 0]
    out, pool = query_pool(pool, images(np.arange(3, 403)), jax.random.key(1))
    assert out[0, 0, 0, 0] == 3 and int(pool["count"]) == 3  # the third slot filled, then full
    shown, new = np.asarray(out).ravel(), np.arange(3, 403)
    old = shown[1:] != new[1:]
    assert 0.4 < old.mean() < 0.6  # about half the time an older fake comes back instead
    assert (shown[1:][old] < new[1:][old]).all()  # ... one shown earlier
    assert set(np.asarray(pool["images"]).ravel().tolist()) <= set(range(1, 403))
    empty = init_pool(0, (1, 1, 1))
    np.testing.assert_array_equal(query_pool(empty, images([5, 6]), jax.random.key(0))[0].ravel(), [5, 6])


def cyclegan_config(**family):
    c = base_config()
    c.family = family_config("cyclegan", pool_size=3, **family)
    c.data.name, c.data.image_size = "edges2fashion_unpaired", 16
    c.batch_size, c.total_steps, c.loss = 4, 4, "least_squares"
    c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
    c.model.generator, c.model.discriminator = "resnet_translator", "patchgan"
    c.model.g.width, c.model.g.num_blocks = 4, 1
    c.model.d.width, c.model.d.n_layers, c.model.d.norm = 4, 1, "instance"
    c.eval.evaluators, c.eval.reference_split, c.eval.num_samples = "translation", "test", 8
    return c


def test_the_g_loss_is_adversarial_plus_cycle_plus_identity_by_hand():
    with mock_images(MOCK_EXAMPLES):
        exp = build(cyclegan_config(adversarial_weight=0.0, cycle_weight=3.0, identity_weight=0.5), num_devices=1)
        state, family = jax.device_get(exp.init_state()), exp.family
        batch = {k: jnp.asarray(v[0]) for k, v in exp.dataset.local_batch(0, 4).items()}
        ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
        got = on_one_device(lambda k: family.loss("g", ctx, batch, k).loss)(jax.random.key(0))
        g = lambda role, x: family.apply(role, ctx.params, ctx.collections, x, True)[0]  # noqa: E731
        l1 = lambda x, y: jnp.mean(jnp.abs(x - y))  # noqa: E731

        @jax.jit  # compiled once, not op by op
        def by_hand(a, b):
            cycle = l1(g("g_ba", g("g_ab", a)), a) + l1(g("g_ab", g("g_ba", b)), b)
            identity = l1(g("g_ab", b), b) + l1(g("g_ba", a), a)
            return 3.0 * cycle + 0.5 * identity

        np.testing.assert_allclose(got[0], by_hand(batch["a"], batch["b"]), rtol=1e-5)


def shard_map_steps(exp, num_steps):
    """`num_steps` steps under shard_map; the state left on the devices (to look at its shards)."""
    state = exp.init_state()
    step = parallel.shard_step(make_train_step(exp.family, exp.config), exp.mesh, donate=False)
    for t in range(num_steps):
        state, _ = step(state, parallel.place_batch(exp.dataset.local_batch(t, 4, 1), exp.mesh), jax.random.key(0))
        jax.block_until_ready(state)
    return state


def test_the_pool_is_replicated_across_devices():
    with mock_images(MOCK_EXAMPLES):
        state = shard_map_steps(build(cyclegan_config()), 2)
        shards = [np.asarray(s.data) for s in state.extra["pools"]["a"]["images"].addressable_shards]
        assert len(shards) == 2 and int(jax.device_get(state.extra["pools"]["a"]["count"])) == 3
        np.testing.assert_array_equal(shards[1], shards[0])
        assert np.abs(shards[0]).sum() > 0


# The default suite checks shard_map == pmap on pix2pix (tests/test_image2image.py) and the GAN family
# (tests/test_parallel.py); this compiles CycleGAN's four networks twice more (~70 s on 2 loaded cores).
@pytest.mark.slow  # CI's 15-minute budget (run with -m slow)
def test_shard_map_equals_pmap_pool_included():
    with mock_images(MOCK_EXAMPLES):
        exp = build(cyclegan_config())
        state = shard_map_steps(exp, 2)
        by_pmap = run_steps(exp, 2, "pmap")
        assert_trees_equal(jax.device_get(state.params), by_pmap.params)
        assert_trees_equal(jax.device_get(state.extra["pools"]), by_pmap.extra["pools"])


@pytest.mark.slow
def test_the_pool_is_the_same_with_one_device():
    with mock_images(MOCK_EXAMPLES):
        two, one = (jax.device_get(shard_map_steps(build(cyclegan_config(), num_devices=n), 2).extra["pools"])
                    for n in (2, 1))
        jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, atol=1e-5), two, one)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_a_cyclegan_run_resumes_bit_for_bit_pool_included(tmp_path):
    with mock_images(MOCK_EXAMPLES):
        train.train_and_evaluate(cyclegan_config(), str(tmp_path / "full"))
        half = cyclegan_config()
        half.total_steps = 2
        train.train_and_evaluate(half, str(tmp_path / "split"))
        train.train_and_evaluate(cyclegan_config(), str(tmp_path / "split"))
        (_, full), (_, split) = (experiment.restore_latest(tmp_path / w) for w in ("full", "split"))
        assert_trees_equal(jax.device_get(full.params), jax.device_get(split.params))
        assert_trees_equal(jax.device_get(full.extra), jax.device_get(split.extra))
    result = (tmp_path / "full" / "eval_final.json").read_text()
    assert "translate_ab/l1" in result and "translate_ba/psnr" in result
    assert "translate_ab/edge_f1" in result and "translate_ba/edge_f1" not in result  # only B (edges) is binary


def test_linear_second_half_keeps_the_lr_then_decays_it_to_zero():
    cfg = optimizer_config(2e-4, 0.5, 0.999)
    cfg.schedule = "linear_second_half"
    lr = optim.learning_rate(cfg, 100)
    assert lr(0) == lr(49) == pytest.approx(2e-4) and lr(75) == pytest.approx(1e-4) and lr(100) == pytest.approx(0)
