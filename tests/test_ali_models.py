"""ALI/BiGAN networks: encoders E(x) and joint discriminators D({"x", "z"})."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgan import models
from jaxgan.models.mlp import MLPDiscriminator
from jaxgan.parallel import DATA_AXIS

IMAGE = (28, 28, 1)
# Small conv widths keep compiles short where only behaviour is checked.
SMALL = {"mlp": {"hidden": (8,)}, "dcgan28": {"width": 4},
         "joint_mlp": {"hidden": (8,)}, "joint_dcgan28": {"width": 4, "z_hidden": (8,), "hidden": (8,)}}


def _count(tree) -> int:
    return sum(math.prod(leaf.shape) for leaf in jax.tree.leaves(tree))


def _shapes(model, inputs):
    return jax.eval_shape(functools.partial(model.init, train=False), jax.random.key(0), inputs)


def _random_variables(model, inputs, seed=0):
    """Variables of `model` drawn with numpy: no init program to compile."""
    rng = np.random.default_rng(seed)
    return jax.tree.map(lambda s: jnp.asarray(0.3 * rng.standard_normal(s.shape), s.dtype), _shapes(model, inputs))


def _normal(*shape, seed=0):
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape), jnp.float32)


def _spec(*shape):
    return jax.ShapeDtypeStruct(shape, jnp.float32)


def _with_axis(fn):
    """Binds the data axis that cross-device BatchNorm averages over (one device's worth)."""
    mapped = jax.vmap(fn, axis_name=DATA_AXIS)
    return lambda *args: jax.tree.map(lambda y: y[0], mapped(*jax.tree.map(lambda x: x[None], args)))


def test_networks_are_registered():
    assert {"mlp", "dcgan28"} <= set(models.ENCODERS.names())
    assert {"joint_mlp", "joint_dcgan28"} <= set(models.DISCRIMINATORS.names())


@pytest.mark.parametrize(
    "name, x_shape, out_dim",
    [("mlp", (2,), 2), ("mlp", (2,), 4), ("mlp", IMAGE, 16), ("mlp", IMAGE, 32),
     ("dcgan28", IMAGE, 16), ("dcgan28", IMAGE, 32)],
)
def test_encoder_output_shapes(name, x_shape, out_dim):
    e = models.build_encoder(name, {}, out_dim)
    x = _spec(5, *x_shape)
    out = jax.eval_shape(lambda v, x: e.apply(v, x, train=False), _shapes(e, x), x)
    assert out.shape == (5, out_dim) and out.dtype == jnp.float32


@pytest.mark.parametrize(
    "name, x_shape, latent", [("joint_mlp", (2,), 2), ("joint_mlp", IMAGE, 16), ("joint_dcgan28", IMAGE, 16)]
)
def test_joint_discriminator_output_shapes(name, x_shape, latent):
    d = models.build_discriminator(name, {})
    inputs = {"x": _spec(5, *x_shape), "z": _spec(5, latent)}
    assert jax.eval_shape(lambda v, i: d.apply(v, i, train=False), _shapes(d, inputs), inputs).shape == (5,)


# (build, input specs, trainable parameters counted by hand)
COUNTS = {
    "mlp encoder, PacGAN's 2x400 on 2-D": (
        lambda: models.build_encoder("mlp", {"hidden": (400, 400)}, 4),
        _spec(3, 2),
        (2 * 400 + 400) + (400 * 400 + 400) + (400 * 4 + 4),
    ),
    "mlp encoder with BN, on images": (
        lambda: models.build_encoder("mlp", {"hidden": (400, 400), "batch_norm": True}, 16),
        _spec(3, *IMAGE),
        (784 * 400 + 400) + 2 * 400 + (400 * 400 + 400) + 2 * 400 + (400 * 16 + 16),
    ),
    "dcgan28 encoder": (
        lambda: models.build_encoder("dcgan28", {}, 32),
        _spec(3, *IMAGE),
        (5 * 5 * 1 * 64 + 64) + (5 * 5 * 64 * 128 + 128) + (7 * 7 * 128 * 32 + 32),
    ),
    "joint_mlp, PacGAN's ALI D on 2-D": (
        lambda: models.build_discriminator("joint_mlp", {"hidden": (200, 200, 200), "maxout_pieces": 5}),
        {"x": _spec(3, 2), "z": _spec(3, 2)},
        (4 * 1000 + 1000) + 2 * (200 * 1000 + 1000) + (200 + 1),  # maxout: 5 pieces of 200 units
    ),
    "joint_mlp on images": (
        lambda: models.build_discriminator("joint_mlp", {}),
        {"x": _spec(3, *IMAGE), "z": _spec(3, 16)},
        ((784 + 16) * 128 + 128) + (128 * 128 + 128) + (128 + 1),
    ),
    "joint_dcgan28": (
        lambda: models.build_discriminator("joint_dcgan28", {}),
        {"x": _spec(3, *IMAGE), "z": _spec(3, 16)},
        (5 * 5 * 1 * 64 + 64) + (5 * 5 * 64 * 128 + 128)  # x trunk
        + (16 * 512 + 512)  # z embedding
        + ((7 * 7 * 128 + 512) * 1024 + 1024) + (1024 + 1),  # joint layers
    ),
}


@pytest.mark.parametrize("case", sorted(COUNTS))
def test_parameter_counts_match_a_hand_count(case):
    build, inputs, expected = COUNTS[case]
    assert _count(_shapes(build(), inputs)["params"]) == expected


def test_joint_mlp_is_mlp_discriminator_on_the_concatenation():
    d = models.build_discriminator("joint_mlp", {"hidden": (8, 8), "maxout_pieces": 3})
    inputs = {"x": _normal(4, 2), "z": _normal(4, 3, seed=1)}
    variables = _random_variables(d, inputs)
    plain = MLPDiscriminator(hidden=(8, 8), maxout_pieces=3)
    concat = jnp.concatenate([inputs["x"], inputs["z"]], axis=-1)
    np.testing.assert_allclose(
        d.apply(variables, inputs, train=False),
        plain.apply({"params": variables["params"]["trunk"]}, concat, train=False),
        rtol=1e-6,
    )


@pytest.mark.parametrize("name, x_shape, latent", [("joint_mlp", (2,), 2), ("joint_dcgan28", IMAGE, 16)])
def test_joint_discriminator_depends_smoothly_on_x_and_z(name, x_shape, latent):
    d = models.build_discriminator(name, SMALL[name])
    inputs = {"x": _normal(4, *x_shape), "z": _normal(4, latent, seed=1)}
    variables = _random_variables(d, inputs)

    def input_grads(params, inputs):
        return jax.grad(lambda i: jnp.sum(d.apply({"params": params}, i, train=False)))(inputs)

    def r1(params):  # an R1-style penalty on the whole pair, differentiated again for D's update
        return sum(jnp.sum(g**2) for g in jax.tree.leaves(input_grads(params, inputs)))

    @jax.jit
    def run(inputs):
        logits = lambda i: d.apply(variables, i, train=False)  # noqa: E731
        new_x = {"x": -inputs["x"], "z": inputs["z"]}
        new_z = {"x": inputs["x"], "z": -inputs["z"]}
        grads = input_grads(variables["params"], inputs)
        return logits(inputs), logits(new_x), logits(new_z), grads, jax.grad(r1)(variables["params"])

    base, only_x, only_z, grads, penalty_grads = run(inputs)
    assert not np.allclose(base, only_x) and not np.allclose(base, only_z)
    assert set(grads) == {"x", "z"}
    for leaf in ("x", "z"):
        assert grads[leaf].shape == inputs[leaf].shape
        assert np.all(np.isfinite(grads[leaf])) and np.any(grads[leaf] != 0), leaf
    assert all(np.all(np.isfinite(g)) for g in jax.tree.leaves(penalty_grads))
    assert any(np.any(g != 0) for g in jax.tree.leaves(penalty_grads))


# (registry, name, options): the variants with BatchNorm, spectral norm or dropout.
TRAIN_VARIANTS = [
    ("encoder", "mlp", {"hidden": (8, 8), "batch_norm": True}),
    ("encoder", "dcgan28", {"width": 4, "batch_norm": True}),
    ("discriminator", "joint_mlp", {"hidden": (8, 8), "batch_norm": True, "dropout": 0.5}),
    ("discriminator", "joint_mlp", {"hidden": (8, 8), "maxout_pieces": 2, "spectral_norm": True}),
    ("discriminator", "joint_dcgan28", {**SMALL["joint_dcgan28"], "spectral_norm": True}),
]


@pytest.mark.parametrize("kind, name, options", TRAIN_VARIANTS, ids=lambda v: str(v))
def test_training_mode_runs_across_the_data_axis_and_updates_its_statistics(kind, name, options):
    x_shape, latent = (IMAGE, 16) if "dcgan28" in name else ((2,), 2)
    x = _normal(6, *x_shape)
    if kind == "encoder":
        model, inputs, out_shape = models.build_encoder(name, options, 2 * latent), x, (6, 2 * latent)
    else:
        model, inputs, out_shape = models.build_discriminator(name, options), {"x": x, "z": _normal(6, latent)}, (6,)
    variables = _random_variables(model, inputs)
    mutable = [c for c in ("batch_stats", "spectral_stats") if c in variables]
    assert mutable  # every variant here keeps statistics

    @jax.jit
    @_with_axis
    def run(inputs):
        return model.apply(variables, inputs, train=True, mutable=mutable, rngs={"dropout": jax.random.key(1)})

    out, updates = run(inputs)
    assert out.shape == out_shape and np.all(np.isfinite(out))
    changed = jax.tree.map(lambda a, b: not np.allclose(a, b), {c: variables[c] for c in mutable}, updates)
    assert any(jax.tree.leaves(changed))


def test_unknown_options_fail_listing_the_valid_ones():
    with pytest.raises(ValueError, match="Valid options: activation, batch_norm, hidden\\."):
        models.build_encoder("mlp", {"widths": (8,)}, 4)
    with pytest.raises(ValueError, match="Valid options: batch_norm, conv_impl, width\\."):
        models.build_encoder("dcgan28", {"dropout": 0.3}, 4)
    with pytest.raises(ValueError, match="'num_classes'.*Valid options: activation, batch_norm, dropout, hidden"):
        models.build_discriminator("joint_mlp", {"num_classes": 10})
    valid = "conv_impl, dropout, hidden, spectral_norm, width, z_hidden"
    with pytest.raises(ValueError, match=f"Valid options: {valid}\\."):
        models.build_discriminator("joint_dcgan28", {"batch_norm": True})


def test_bad_values_and_inputs_fail_clearly():
    with pytest.raises(ValueError, match="is unconditional"):
        models.build_discriminator("joint_mlp", {}, num_classes=10)
    with pytest.raises(ValueError, match="Unknown activation"):
        models.build_encoder("mlp", {"activation": "relu6"}, 4)
    with pytest.raises(ValueError, match="subpixel"):
        models.build_encoder("dcgan28", {"conv_impl": "fast"}, 4)
    d = models.build_discriminator("joint_mlp", {})
    with pytest.raises(ValueError, match=r"keys \['x', 'z'\]"):
        jax.eval_shape(functools.partial(d.init, train=False), jax.random.key(0), _spec(3, 4))
