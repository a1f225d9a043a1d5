"""Standing statistics: BatchNorm statistics recomputed for the EMA generator (jaxgan.standing_stats)."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import build, mock_images, run_steps
from jaxgan import parallel, sampling, standing_stats
from jaxgan.config import load_experiment
from jaxgan.evaluation import evaluators
from jaxgan.parallel import DATA_AXIS
from jaxgan.state import EMA_COLLECTIONS


class DenseBN(nn.Module):
    """z -> Dense(3) -> BatchNorm (momentum 0.9): the statistics are of z @ W + b, known by hand."""

    @nn.compact
    def __call__(self, z, train):
        h = nn.Dense(3)(z)
        return nn.BatchNorm(use_running_average=not train, momentum=0.9, axis_name=DATA_AXIS)(h)


def test_standing_stats_are_the_mean_of_each_batchs_statistics_and_leave_the_momentum_alone():
    model, key = DenseBN(), jax.random.key(0)
    variables = model.init(key, jnp.zeros((4, 2)), train=False)
    params, collections = variables["params"], {"batch_stats": variables["batch_stats"]}
    mesh = parallel.make_mesh(jax.devices()[:1])
    stats = standing_stats.standing_batch_stats(model, params, collections, key, 3, 16, 2, mesh=mesh)
    w, b = np.asarray(params["Dense_0"]["kernel"]), np.asarray(params["Dense_0"]["bias"])
    hs = [np.asarray(sampling.latents(jax.random.fold_in(key, i), 16, 2)) @ w + b for i in range(3)]
    bn = stats["BatchNorm_0"]
    np.testing.assert_allclose(bn["mean"], np.mean([h.mean(0) for h in hs], 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn["var"], np.mean([h.var(0) for h in hs], 0), rtol=1e-4, atol=1e-6)
    # Outside the interceptor BatchNorm still keeps a running average with its own momentum.
    f = jax.vmap(lambda z: model.apply({"params": params, **collections}, z, train=True, mutable=["batch_stats"])[1],
                 axis_name=DATA_AXIS)
    after = f(sampling.latents(jax.random.fold_in(key, 0), 16, 2)[None])  # from init's zero means
    np.testing.assert_allclose(after["batch_stats"]["BatchNorm_0"]["mean"][0], 0.1 * hs[0].mean(0), rtol=1e-5,
                               atol=1e-6)


@pytest.fixture(scope="module")
def trained():
    """An InfoGAN-network GAN (BatchNorm in G) with an EMA, 3 steps on mock Fashion-MNIST."""
    with mock_images(num_examples=40):
        c = load_experiment("infogan_fashion_mnist", "smoke")
        c.ema.decay, c.eval.metrics = 0.5, ""
        exp = build(c, num_devices=1)
        state = run_steps(exp, 3)
    return exp, state


def test_the_ema_generator_gets_its_own_statistics_and_nothing_else_changes(trained):
    exp, state = trained
    standing = standing_stats.with_standing_stats(exp.family, state, 2, exp.config.batch_size, exp.config.seed)
    again = standing_stats.with_standing_stats(exp.family, state, 2, exp.config.batch_size, exp.config.seed)
    jax.tree.map(np.testing.assert_array_equal, standing.extra[EMA_COLLECTIONS], again.extra[EMA_COLLECTIONS])
    jax.tree.map(np.testing.assert_array_equal, standing.collections, state.collections)  # training's untouched
    new, old = (s.extra.get(EMA_COLLECTIONS, s.collections)["generator"]["batch_stats"] for s in (standing, state))
    assert jax.tree.structure(new) == jax.tree.structure(old)
    assert not np.allclose(jax.tree.leaves(new)[0], jax.tree.leaves(old)[0])
    # The first BatchNorm normalises Dense(z) of the EMA weights: its mean is the latents' mean through them.
    dense = state.ema["generator"]["Dense_0"]
    key = standing_stats.standing_key(exp.config.seed)
    means = [np.asarray(sampling.latents(jax.random.fold_in(key, i), exp.config.batch_size, exp.family.latent_dim))
             .mean(0) @ np.asarray(dense["kernel"]) + np.asarray(dense["bias"]) for i in range(2)]
    np.testing.assert_allclose(new["BatchNorm_0"]["mean"], np.mean(means, 0), rtol=1e-4, atol=1e-5)
    key = jax.random.key(7)
    live = [sampling.predictions(exp.family, s, use_ema=False)["generate"](key, 8) for s in (state, standing)]
    np.testing.assert_array_equal(*live)  # the live G keeps its running statistics
    ema = [sampling.predictions(exp.family, s)["generate"](key, 8) for s in (state, standing)]
    assert not np.allclose(*ema)


def test_evaluate_reports_it_for_the_ema_generator_only(trained):
    exp, state = trained
    with mock_images(num_examples=40):
        with exp.config.unlocked():
            exp.config.eval.standing_stats = 2
        try:
            results = evaluators.evaluate(exp, state).results
            raw = evaluators.evaluate(exp, state, use_ema=False).results
        finally:
            with exp.config.unlocked():
                exp.config.eval.standing_stats = 0
    assert results["standing_stats"] == 2 and results["generator"] == "ema"
    assert "standing_stats" not in raw  # the live networks keep theirs
