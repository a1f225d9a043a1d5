"""Shared test helpers."""

import contextlib
import os

import jax
import numpy as np
import pytest
import tensorflow_datasets as tfds
from tensorflow_datasets.testing import mocking

from jaxgan import experiment, parallel
from jaxgan.config import base_config
from jaxgan.evaluation import vgg19
from jaxgan.parallel import DATA_AXIS
from jaxgan.step import make_train_step


def build(config, num_devices=None):
    devices = jax.devices()[:num_devices] if num_devices else None
    return experiment.build(config, parallel.make_mesh(devices))


def run_steps(exp, num_steps, path="shard_map"):
    """Runs `num_steps` train steps from a fresh state; returns the final state on host."""
    c = exp.config
    state = exp.init_state()
    step_fn = make_train_step(exp.family, exp.config)
    rng = jax.random.key(c.seed)
    if path == "pmap":
        devices = list(exp.mesh.devices.flat)
        state = parallel.stack_replicas(state, devices)
        run = parallel.pmap_step(step_fn, devices)
    else:
        run = parallel.shard_step(step_fn, exp.mesh, donate=False)
    for step in range(num_steps):
        local = exp.dataset.local_batch(step, c.batch_size, exp.family.batches_per_step())
        batch = {k: np.asarray(v) for k, v in local.items()} if path == "pmap" else parallel.place_batch(local, exp.mesh)
        state, _ = run(state, batch, rng)
        jax.block_until_ready(state)
    state = jax.device_get(state)
    if path == "pmap":
        state = jax.tree.map(lambda x: x[0], state)
    return state


def on_one_device(fn):
    """`fn(key)` as one device of the data axis (a size-1 vmap, so `lax.pmean` works), compiled once.

    Run eagerly, each of a loss's few hundred ops compiles on its own: StarGAN's WGAN-GP loss took 25 s
    on 2 loaded cores that way, and 3 s under jit.
    """
    mapped = jax.jit(jax.vmap(fn, axis_name=DATA_AXIS))
    return lambda key: mapped(key[None])


def params_of(state):
    return {"params": state.params, "collections": state.collections, "ema": state.ema}


def assert_trees_equal(a, b):
    jax.tree.map(np.testing.assert_array_equal, a, b)


def assert_trees_close(a, b, rtol, atol):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=rtol, atol=atol), a, b)


def max_abs_diff(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


class _FakeSource:
    """What `tfds.data_source` gives, with tfds's random mock examples (fixed per index)."""

    def __init__(self, info, num_examples):
        self.dataset_info = info
        self._examples = mocking.RandomFakeGenerator(info.features, num_examples)
        self._num_examples = num_examples

    def __len__(self):
        return self._num_examples

    def __getitems__(self, keys):
        assert all(0 <= k < self._num_examples for k in keys)
        return [self._examples[k] for k in keys]


@contextlib.contextmanager
def mock_images(num_examples):
    """`tfds.testing.mock_data`, with data sources that support batched reads."""

    def as_data_source(builder, split=None, **kwargs):
        return _FakeSource(builder.info, num_examples)

    with tfds.testing.mock_data(num_examples=num_examples, as_data_source_fn=as_data_source):
        yield


def data_config(name, seed=0, **data):
    """A base config reading dataset `name` with `seed`, plus `data.*` overrides."""
    c = base_config()
    c.seed = seed
    c.data.name = name
    c.data.update(data)
    return c


def machine_fingerprint() -> str:
    """What XLA:CPU's bits depend on here: CPU model and instruction-set flags, core count, jax version.

    Goldens and fixtures recorded on a machine with the same fingerprint must
    match bit for bit; elsewhere only within a stated tolerance.
    """
    import hashlib

    model, flags = "unknown", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown":
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = " ".join(sorted(value.split()))
    except OSError:
        pass
    digest = hashlib.sha256(flags.encode()).hexdigest()[:12]
    return f"{model} | flags {digest} | {os.cpu_count()} cores | jax {jax.__version__}"


def require(condition: bool, why: str) -> None:
    """Skips the test when a prerequisite is missing, except under CI (`CI` set), where `.ci/run` provides it."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {why} (see .ci/run)")
    pytest.skip(why)


def random_vgg19_state_dict(seed=0):
    """torchvision VGG19 `features` names and shapes, random (He-scaled) values: real VGG19 is not to be had offline."""
    rng = np.random.default_rng(seed)
    state = {}
    for _, index, c_in, c_out in vgg19.LAYERS:
        scale = np.sqrt(2.0 / (9 * c_in))  # He init keeps activations O(1) through 16 layers
        state[f"features.{index}.weight"] = (rng.standard_normal((c_out, c_in, 3, 3)) * scale).astype(np.float32)
        state[f"features.{index}.bias"] = (rng.standard_normal(c_out) * 0.1).astype(np.float32)
    return state


def write_random_vgg19(directory, seed=0):
    """A cache directory holding random VGG19 weights as `jaxgan.evaluation.vgg19` converts them."""
    arrays = vgg19.convert_state_dict(random_vgg19_state_dict(seed))
    directory.mkdir(parents=True, exist_ok=True)
    np.savez(directory / vgg19.WEIGHTS_FILE, **arrays)
    return directory
