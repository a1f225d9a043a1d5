"""JAX's own multi-process runtime for every program that runs networks (train, evaluate, sample).

Each program calls `define_flags()` once when run as a program and wraps its
work in `runtime()`: `jax.distributed.initialize` when the flags ask for it
(cluster auto-detection for TPU, Slurm and Open MPI with `--jax_distributed`,
or an explicit coordinator for GPU hosts and CPU), and a clean shutdown after.
Every process then runs the same program; predictions split their rows over
the processes (`sampling.prediction_mesh`) and only process 0 writes.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from absl import flags

FLAGS = flags.FLAGS


def define_flags() -> None:
    """Defines the --jax_* flags of the multi-process runtime."""
    flags.DEFINE_bool(
        "jax_distributed", False,
        "Call jax.distributed.initialize() first, auto-detecting the cluster (TPU, Slurm, Open MPI; see launch/). "
        "Implied by --jax_coordinator_address.")
    flags.DEFINE_string(
        "jax_coordinator_address", None, "host:port of process 0, for clusters JAX cannot detect (GPU hosts, CPU).")
    flags.DEFINE_integer("jax_num_processes", None, "Number of processes (with --jax_coordinator_address).")
    flags.DEFINE_integer("jax_process_id", None, "This process's index (with --jax_coordinator_address).")
    flags.DEFINE_integer(
        "jax_heartbeat_timeout_s", 100,
        "Seconds without a heartbeat after which JAX's runtime declares a process dead and stops the others.")


def initialize() -> None:
    """JAX's own multi-process runtime, when the flags ask for it (arguments left None are auto-detected)."""
    import jax  # here, not at the top: the programs parse their flags before JAX loads (see jaxgan.main)

    given = {"--jax_num_processes": FLAGS.jax_num_processes, "--jax_process_id": FLAGS.jax_process_id}
    if FLAGS.jax_coordinator_address is None:
        if any(v is not None for v in given.values()):
            raise flags.ValidationError(f"{', '.join(k for k, v in given.items() if v is not None)}: give "
                                        "--jax_coordinator_address (host:port of process 0) too.")
        if not FLAGS.jax_distributed:
            return
    jax.distributed.initialize(coordinator_address=FLAGS.jax_coordinator_address,
                               num_processes=FLAGS.jax_num_processes, process_id=FLAGS.jax_process_id,
                               heartbeat_timeout_seconds=FLAGS.jax_heartbeat_timeout_s)


@contextlib.contextmanager
def runtime() -> Iterator[None]:
    """`initialize()`, then the body, then `jax.distributed.shutdown()` in multi-process runs (even on errors)."""
    import jax

    initialize()
    try:
        yield
    finally:
        if jax.process_count() > 1:
            jax.distributed.shutdown()
