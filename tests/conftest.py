"""Test setup: two fake CPU devices, and small configs."""

import os
import shutil
import tempfile

# Must be set before JAX starts its backends. Two fake devices exercise the
# collectives while keeping the suite fast on 2 cores.
NUM_FAKE_DEVICES = 2
# Compiling, not running, dominates this suite, and about half of XLA:CPU's compile time is LLVM
# optimising kernels that then run a few steps on tiny shapes: skipping that halves the suite's
# compile time (CycleGAN's step: 34 s -> 18 s on 2 cores). Every comparison in the suite is between
# runs made here under the same flags (subprocesses inherit them); the goldens still match bit for bit.
# A flag already in XLA_FLAGS wins, e.g. XLA_FLAGS=--xla_backend_optimization_level=2 pytest.
_XLA_TEST_FLAGS = [f"--xla_force_host_platform_device_count={NUM_FAKE_DEVICES}"]
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    _XLA_TEST_FLAGS.append("--xla_backend_optimization_level=0")
os.environ["XLA_FLAGS"] = " ".join([os.environ.get("XLA_FLAGS", ""), *_XLA_TEST_FLAGS]).strip()
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


# The longest test files first. Workers take whole files (`--dist loadfile`) in collection order
# (`--no-loadscope-reorder`); starting the long ones first keeps the run from ending on one worker
# while the other idles. Seconds per file in a clean-clone CI run on 2 AMD EPYC cores (2026-12-05),
# in this order: 128 126 76 66 61 60 57 56 53 43 37 31 30 30 (the 13th is CI only: torch and
# the wheel). A stale list only costs speed; files not named keep their usual order after these.
LONGEST_FIRST = ("test_train.py", "test_multiprocess.py", "test_faults.py", "test_cyclegan.py", "test_stargan.py",
                 "test_families.py", "test_learning.py", "test_ali.py", "test_goldens.py", "test_precision.py",
                 "test_inception.py", "test_score_samples.py", "test_inception_torchscript.py", "test_step.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: tests keep their order in a file


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
