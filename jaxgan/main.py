"""Train a GAN: `python -m jaxgan.main --config experiments/ring8.py --workdir runs/ring8`.

Flags only; the logic is in `jaxgan.train`. Override any config value with
`--config.key=value` (e.g. `--config.total_steps=1000`). Errors a user can fix
are one line (`jaxgan.cli`); `--verbosity=1` adds the traceback.
"""

import jax
from absl import flags, logging
from ml_collections import config_flags

from jaxgan import cli, train, writers

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for checkpoints, logs and samples.")
_DISTRIBUTED = flags.DEFINE_bool(
    "jax_distributed", False,
    "Call jax.distributed.initialize() first, auto-detecting the cluster (TPU, Slurm, Open MPI; see launch/). "
    "Implied by --jax_coordinator_address.")
_COORDINATOR = flags.DEFINE_string(
    "jax_coordinator_address", None, "host:port of process 0, for clusters JAX cannot detect (GPU hosts, CPU).")
_NUM_PROCESSES = flags.DEFINE_integer("jax_num_processes", None, "Number of processes (with --jax_coordinator_address).")
_PROCESS_ID = flags.DEFINE_integer("jax_process_id", None, "This process's index (with --jax_coordinator_address).")
_HEARTBEAT = flags.DEFINE_integer(
    "jax_heartbeat_timeout_s", 100,
    "Seconds without a heartbeat after which JAX's runtime declares a process dead and stops the others.")
_ALLOW_CHANGES = flags.DEFINE_list(
    "allow_changes", [],
    "Config keys (or prefixes, e.g. optimizer) that may differ from the run being resumed, such as lower "
    "learning rates after a divergence. Step counts, intervals and eval settings may always change.")
flags.mark_flags_as_required(["config", "workdir"])


def initialize_distributed() -> None:
    """JAX's own multi-process runtime, when the flags ask for it (arguments left None are auto-detected)."""
    given = {"--jax_num_processes": _NUM_PROCESSES.value, "--jax_process_id": _PROCESS_ID.value}
    if _COORDINATOR.value is None:
        if any(v is not None for v in given.values()):
            raise flags.ValidationError(f"{', '.join(k for k, v in given.items() if v is not None)}: give "
                                        "--jax_coordinator_address (host:port of process 0) too.")
        if not _DISTRIBUTED.value:
            return
    jax.distributed.initialize(coordinator_address=_COORDINATOR.value, num_processes=_NUM_PROCESSES.value,
                               process_id=_PROCESS_ID.value, heartbeat_timeout_seconds=_HEARTBEAT.value)


def main(argv):
    if len(argv) > 1:
        raise flags.ValidationError(f"Unexpected arguments: {argv[1:]}")
    writers.quiet_library_logs()
    initialize_distributed()
    logging.info("JAX process %d/%d, local devices: %s", jax.process_index(), jax.process_count(), jax.local_devices())
    try:
        train.train_and_evaluate(cli.loaded(_CONFIG), _WORKDIR.value, allow_changes=tuple(_ALLOW_CHANGES.value))
    finally:
        if jax.process_count() > 1:
            jax.distributed.shutdown()


if __name__ == "__main__":
    cli.run(main)
