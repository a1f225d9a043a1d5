"""Mixed precision (config.model.dtype): bfloat16 compute, float32 storage, a loss curve that tracks float32's."""

import jax
import jax.numpy as jnp
import numpy as np

from conftest import tiny_config
from helpers import build, data_config, mock_images
from jaxgan import parallel
from jaxgan.step import make_train_step


def _curve(config, steps):
    """d_loss and g_loss of every step, and the final state, of `config` on 2 devices."""
    exp = build(config)
    state = exp.init_state()
    step_fn = parallel.shard_step(make_train_step(exp.family, exp.config), exp.mesh, donate=False)
    rng, curve = jax.random.key(config.seed), []
    for i in range(steps):
        batch = parallel.place_batch(exp.dataset.local_batch(i, config.batch_size, exp.family.batches_per_step()),
                                     exp.mesh)
        state, metrics = step_fn(state, batch, rng)
        jax.block_until_ready(state)
        curve.append([float(metrics["d_loss"]), float(metrics["g_loss"])])
    return np.array(curve), exp, state


def _floating_dtypes(tree):
    return {str(x.dtype) for x in jax.tree.leaves(tree) if jnp.issubdtype(x.dtype, jnp.floating)}


def test_bfloat16_runs_in_bfloat16_and_stores_float32():
    config = tiny_config(**{"model.dtype": "bfloat16", "ema.decay": 0.99, "model.d.spectral_norm": True})
    curve, exp, state = _curve(config, 3)
    assert np.isfinite(curve).all()
    stored = (state.params, state.collections, state.ema, state.opt_state)
    assert _floating_dtypes(stored) == {"float32"}  # params, BN and spectral-norm state, EMA, Adam moments
    g = exp.nets["generator"]
    jaxpr = str(jax.make_jaxpr(lambda p, z: g.apply({"params": p, **state.collections["generator"]}, z, train=False))(
        state.params["generator"], jnp.zeros((4, 2))))
    assert "bf16" in jaxpr and "dot_general" in jaxpr
    out = g.apply({"params": state.params["generator"], **state.collections["generator"]}, jnp.zeros((4, 2)), train=False)
    assert out.dtype == jnp.float32


def test_a_bfloat16_ring8_loss_curve_tracks_float32():
    steps, window = 200, 25
    f32, _, _ = _curve(tiny_config(total_steps=steps), steps)
    bf16, _, _ = _curve(tiny_config(total_steps=steps, **{"model.dtype": "bfloat16"}), steps)
    assert np.isfinite(bf16).all()
    gap = np.abs(f32.reshape(-1, window, 2).mean(1) - bf16.reshape(-1, window, 2).mean(1))
    print("max |bf16 - f32| of 25-step means (d_loss, g_loss):", gap.max(0))
    # Measured: 0.003 (d_loss) and 0.001 (g_loss); the band leaves room for other CPUs.
    assert gap.max() < 0.02 and not np.array_equal(f32, bf16), gap


def test_a_bfloat16_dcgan_step_tracks_float32():
    with mock_images(64):
        curves = []
        for dtype in ("float32", "bfloat16"):
            c = data_config("fashion_mnist")
            c.batch_size, c.model.generator, c.model.discriminator, c.model.latent_dim = 8, "dcgan28", "dcgan28", 16
            c.model.dtype = dtype
            c.model.g.width = c.model.d.width = 16  # the same layers, narrower: the test is about dtypes
            curves.append(_curve(c, 3)[0])
    print("dcgan28 losses, float32 then bfloat16:", curves)
    # Measured: at most 0.001 apart over the 3 steps.
    assert np.isfinite(curves[1]).all() and 0 < np.abs(curves[0] - curves[1]).max() < 0.02
