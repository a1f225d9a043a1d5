"""The `ali` family: its losses by hand, R1 on the (x, z) pytree, predictions, and shard_map == pmap."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from conftest import tiny_config
from helpers import assert_trees_equal, build, mock_images, on_one_device, run_steps
from jaxgan import losses, penalties, sampling
from jaxgan.families import LossContext, family_config
from jaxgan.families.ali import ge_loss, gaussian_code, implicit_input
from jaxgan.parallel import DATA_AXIS

REAL, FAKE = np.array([0.0, 2.0], np.float32), np.array([1.0, -1.0], np.float32)


def softplus(x):
    return np.log1p(np.exp(x))


@pytest.mark.parametrize("loss, d, ge_swap", [
    # L_D = E softplus(-r) + E softplus(f); swapped: E softplus(-f) + E softplus(r).
    ("non_saturating", softplus(-REAL).mean() + softplus(FAKE).mean(), softplus(-FAKE).mean() + softplus(REAL).mean()),
    # hinge: E relu(1 - r) + E relu(1 + f) = (1 + 0)/2 + (2 + 0)/2; swapped: (0 + 2)/2 + (1 + 3)/2.
    ("hinge", 1.5, 3.0),
    # LSGAN: 1/2 E (r - 1)^2 + 1/2 E f^2 = (1 + 1)/4 + (1 + 1)/4; swapped: (0 + 4)/4 + (0 + 4)/4.
    ("least_squares", 1.0, 2.0),
    ("wasserstein", FAKE.mean() - REAL.mean(), REAL.mean() - FAKE.mean()),
])
def test_ali_losses_by_hand(loss, d, ge_swap):
    fn = losses.LOSSES.get(loss)
    np.testing.assert_allclose(fn(REAL, FAKE).d, d, rtol=1e-6)
    np.testing.assert_allclose(ge_loss(fn, REAL, FAKE, "swap"), ge_swap, rtol=1e-6)
    np.testing.assert_allclose(ge_loss(fn, REAL, FAKE, "negate"), -d, rtol=1e-6)


def test_gaussian_code_is_mean_plus_std_times_eps():
    out = jnp.array([[1.0, -2.0, np.log(2.0), 0.0]])
    np.testing.assert_allclose(gaussian_code(out, jnp.array([[0.5, 1.0]])), [[2.0, -1.0]], rtol=1e-6)
    np.testing.assert_allclose(gaussian_code(out, None), [[1.0, -2.0]])


def ali_config(**overrides):
    c = tiny_config(**overrides)
    c.family = family_config("ali", e={"hidden": (16,)})
    c.model.discriminator = "joint_mlp"
    return c


def test_the_family_losses_are_the_formulas_on_d_of_the_two_pairs():
    """family.loss on one device equals loss_fn applied to D(x, E(x)) and D(G(z), z) computed by hand."""
    exp = build(ali_config(loss="hinge"), num_devices=1)
    state, family = jax.device_get(exp.init_state()), exp.family
    x = jnp.asarray(exp.dataset.local_batch(0, 16)["x"][0])
    key = jax.random.key(3)
    ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
    d_loss, g_loss = (on_one_device(lambda k, g=g: family.loss(g, ctx, {"x": x}, k).loss)(key) for g in ("d", "g"))
    real, fake, _ = jax.vmap(lambda k: family._pairs(ctx, x, jax.random.split(k, 3)[0]), axis_name=DATA_AXIS)(
        key[None])
    real, fake = jax.tree.map(lambda a: a[0], (real, fake))
    d_fn = lambda pair: exp.nets["discriminator"].apply({"params": state.params["discriminator"]}, pair, train=True)
    r, f = d_fn(real), d_fn(fake)
    np.testing.assert_allclose(d_loss[0], np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)),
                               rtol=1e-5)
    np.testing.assert_allclose(g_loss[0], np.mean(np.maximum(0, 1 - f)) + np.mean(np.maximum(0, 1 + r)),
                               rtol=1e-5)
    assert real["z"].shape == (16, 2) and np.array_equal(real["x"], x)


@pytest.mark.parametrize("leaves", [None, ("x",), ("z",)])
def test_r1_on_the_x_z_pytree_matches_float64_finite_differences(leaves):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    pair = {"x": rng.normal(size=(5, 3)), "z": rng.normal(size=(5, 2))}

    def d_np(x, z):  # one logit per example, in float64
        return np.sin(x @ a + z @ b).sum(-1)

    def d_jax(params, p):
        return jnp.sin(p["x"] @ params[0] + p["z"] @ params[1]).sum(-1)

    inputs = penalties.PenaltyInputs(d_jax, (jnp.asarray(a, jnp.float32), jnp.asarray(b, jnp.float32)),
                                     jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), pair), None, None, None,
                                     jax.random.key(0))
    got, _ = penalties.r1(inputs, None, leaves=leaves)
    h, squares = 1e-6, np.zeros(5)
    for leaf in leaves or ("x", "z"):
        for j in range(pair[leaf].shape[1]):
            up, down = {k: v.copy() for k, v in pair.items()}, {k: v.copy() for k, v in pair.items()}
            up[leaf][:, j] += h
            down[leaf][:, j] -= h
            squares += ((d_np(**up) - d_np(**down)) / (2 * h)) ** 2
    np.testing.assert_allclose(got, 0.5 * squares.mean(), rtol=1e-4)


def test_r1_leaves_naming_no_key_of_the_input_is_one_clear_error():
    d_fn = lambda params, p: p["x"].sum(-1) + p["z"].sum(-1)
    pair = {"x": jnp.ones((2, 3)), "z": jnp.ones((2, 2))}
    inputs = penalties.PenaltyInputs(d_fn, None, pair, pair, None, None, jax.random.key(0))
    with pytest.raises(ValueError, match=r"leaves=\['y'\].*dict keys \['x', 'z'\]"):
        penalties.r1(inputs, None, leaves=("y",))
    plain = penalties.PenaltyInputs(lambda p, x: x.sum(-1), None, jnp.ones((2, 3)), None, None, None,
                                    jax.random.key(0))
    with pytest.raises(ValueError, match="drop 'leaves'"):
        penalties.r1(plain, None, leaves=("x",))


def test_encode_and_reconstruct_shapes_on_points_and_images():
    exp = build(ali_config(), num_devices=1)
    predictions = sampling.predictions(exp.family, jax.device_get(exp.init_state()))
    x = np.zeros((7, 2), np.float32)
    assert predictions["encode"](x).shape == (7, 2)
    assert predictions["reconstruct"](x).shape == (7, 2)
    assert predictions["generate"](jax.random.key(0), 5).shape == (5, 2)

    c = ali_config(batch_size=8)
    c.data.name, c.model.latent_dim = "fashion_mnist", 8
    c.model.generator, c.model.discriminator = "dcgan28", "joint_dcgan28"
    c.model.g, c.model.d = {"width": 4}, {"width": 4, "z_hidden": (8,), "hidden": (8,)}
    c.family = family_config("ali", encoder="dcgan28", e={"width": 4}, posterior="gaussian")
    with mock_images(num_examples=16):
        exp = build(c, num_devices=1)
    predictions = sampling.predictions(exp.family, jax.device_get(exp.init_state()))
    images = np.zeros((3, 28, 28, 1), np.float32)
    assert predictions["encode"](images).shape == (3, 8)
    assert predictions["reconstruct"](images).shape == (3, 28, 28, 1)


@pytest.mark.parametrize("posterior", [
    "deterministic",
    # CI's 15-minute budget: the posteriors differ only in the encoder network, not in how the step runs
    pytest.param("gaussian", marks=pytest.mark.slow),
    pytest.param("implicit", marks=pytest.mark.slow),
])
def test_shard_map_and_pmap_give_the_same_bits(posterior):
    c = ali_config(penalties={"r1": {"weight": 0.1}})
    c.family.posterior = posterior
    c.ema.decay = 0.9
    exp = build(c, num_devices=2)
    a, b = run_steps(exp, 3, "shard_map"), run_steps(exp, 3, "pmap")
    assert_trees_equal((a.params, a.collections, a.ema, a.opt_state), (b.params, b.collections, b.ema, b.opt_state))
    init = jax.device_get(exp.init_state())
    for role in ("generator", "encoder", "discriminator"):
        assert not np.array_equal(jax.tree.leaves(a.params[role])[0], jax.tree.leaves(init.params[role])[0])


def test_the_implicit_posterior_feeds_the_encoder_x_and_noise_and_encodes_with_zero_noise():
    c = ali_config(batch_size=8)
    c.family.posterior = "implicit"
    exp = build(c, num_devices=1)
    state = jax.device_get(exp.init_state())
    encoder = exp.nets["encoder"]
    assert state.params["encoder"]["mlp"]["Dense_0"]["kernel"].shape == (2 + 2, 16)  # [x, eps] -> 16
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    code = sampling.predictions(exp.family, state)["encode"](x)
    by_hand = encoder.apply({"params": state.params["encoder"]}, implicit_input(x, np.zeros((5, 2), np.float32)),
                            train=False)
    np.testing.assert_allclose(code, by_hand, rtol=1e-6)
    assert sampling.predictions(exp.family, state)["reconstruct"](x).shape == (5, 2)
    # In training, the same x gets other codes under other noise: the posterior is stochastic.
    ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
    pairs = jax.vmap(lambda k: exp.family._pairs(ctx, jnp.asarray(x[:4].repeat(2, 0)), k)[0]["z"],
                     axis_name=DATA_AXIS)(jax.random.key(1)[None])[0]
    assert not np.allclose(pairs[0], pairs[1])

    c.family.encoder, c.family.e = "dcgan28", {"width": 4}
    with pytest.raises(ValueError, match="posterior='implicit'.*only encoder 'mlp' takes; got encoder 'dcgan28'"):
        build(c)


def test_a_short_ali_run_scores_reconstructions_and_probes_and_draws_them(tmp_path):
    from jaxgan import train

    c = ali_config(total_steps=4)
    c.eval.evaluators = "samples,reconstruction,linear_probe"
    c.eval.reference_num_samples = 400
    results = train.train_and_evaluate(c, str(tmp_path))
    assert results["modes"] >= 0 and results["generator"] == "raw"
    assert 0 <= results["reconstruction/same_mode_percent"] <= 100 and results["reconstruction/rmse"] > 0
    # Ring modes are wedges around the origin: a linear probe on the points themselves finds them.
    assert results["probe/pixels_accuracy"] > 0.95
    assert 0 < results["probe/encoder_accuracy"] <= 1 and 0 < results["probe/untrained_encoder_accuracy"] <= 1
    assert (tmp_path / "samples" / "step_00000004_reconstructions.png").exists()


def test_a_role_can_learn_at_its_own_rate_inside_a_group():
    """optimizer.g.lr_multipliers: the encoder at 0x the group's lr stays put while G, in the same group, moves."""
    c = ali_config()
    c.optimizer.g.lr_multipliers = {"encoder": 0.0}
    exp = build(c, num_devices=2)
    init, state = jax.device_get(exp.init_state()), run_steps(exp, 2)
    assert_trees_equal(state.params["encoder"], init.params["encoder"])
    assert not np.array_equal(state.params["generator"]["Dense_0"]["kernel"], init.params["generator"]["Dense_0"]["kernel"])
    c.optimizer.g.lr_multipliers = {"mapping": 0.01}
    with pytest.raises(Exception, match=r"\['mapping'\] are not roles of group 'g': generator, encoder"):
        build(c)
