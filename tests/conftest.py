"""Test setup: two fake CPU devices, and small configs."""

import os
import shutil
import tempfile

# Must be set before JAX starts its backends. Two fake devices exercise the
# collectives while keeping the suite fast on 2 cores.
NUM_FAKE_DEVICES = 2
os.environ["XLA_FLAGS"] = (
    os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={NUM_FAKE_DEVICES}"
).strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# Compiling dominates this suite. Tests (and the subprocesses they start)
# build the same programs again and again, so share a persistent cache.
_OWN_CACHE = "JAX_COMPILATION_CACHE_DIR" not in os.environ
if _OWN_CACHE:
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="jaxgan-test-xla-cache-")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

import jax  # noqa: E402
import pytest  # noqa: E402

from jaxgan.config import base_config, set_dotted  # noqa: E402


def tiny_config(**overrides):
    """A small ring8 run: tiny MLPs, a few steps, frequent checkpoints."""
    c = base_config()
    c.data.name = "ring8"
    c.total_steps = 8
    c.batch_size = 16
    c.log_every_steps = 4
    c.eval_every_steps = 4
    c.checkpoint_every_steps = 4
    c.model.g.hidden = (16, 16)
    c.model.g.batch_norm = True
    c.model.d.hidden = (16, 16)
    c.optimizer.g.lr = 1e-3
    c.optimizer.d.lr = 1e-3
    c.eval.num_samples = 200
    for k, v in overrides.items():
        set_dotted(c, k, v)
    return c


@pytest.fixture(scope="session", autouse=True)
def _check_devices():
    assert jax.device_count() == NUM_FAKE_DEVICES, "XLA_FLAGS was set after JAX started"


def pytest_unconfigure(config):
    """Remove the shared compile cache once the run ends.

    Only the process that made it removes it: under pytest-xdist that is the
    controller (its workers inherit the variable and never own the cache), which
    runs no fixtures, so a session fixture would leave ~200 MB in /tmp per run.
    """
    if _OWN_CACHE:
        shutil.rmtree(os.environ["JAX_COMPILATION_CACHE_DIR"], ignore_errors=True)
