"""Train a GAN: `python -m jaxgan.main --config experiments/ring8.py --workdir runs/ring8`.

Flags only; the logic is in `jaxgan.train`. Override any config value with
`--config.key=value` (e.g. `--config.total_steps=1000`).
"""

import sys

import jax
from absl import app, flags, logging
from ml_collections import config_flags

from jaxgan import config as config_lib
from jaxgan import train, writers
from jaxgan.data.storage import DatasetNotPreparedError

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for checkpoints, logs and samples.")
_DISTRIBUTED = flags.DEFINE_bool(
    "jax_distributed", False, "Call jax.distributed.initialize() first (multi-host runs; see launch/)."
)
_COORDINATOR = flags.DEFINE_string(
    "coordinator_address", None, "host:port of process 0 (GPU hosts without Slurm/MPI; auto-detected on TPU)."
)
_NUM_PROCESSES = flags.DEFINE_integer("num_processes", None, "Number of processes (with --coordinator_address).")
_PROCESS_ID = flags.DEFINE_integer("process_id", None, "This process's index (with --coordinator_address).")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    writers.quiet_library_logs()
    if _DISTRIBUTED.value:
        # JAX's own multi-host runtime; arguments left None are auto-detected (TPU, Slurm, Open MPI).
        jax.distributed.initialize(
            coordinator_address=_COORDINATOR.value, num_processes=_NUM_PROCESSES.value, process_id=_PROCESS_ID.value
        )
    logging.info("JAX process %d/%d, local devices: %s", jax.process_index(), jax.process_count(), jax.local_devices())
    try:
        train.train_and_evaluate(_CONFIG.value, _WORKDIR.value)
    except config_lib.ConfigError as e:
        logging.error("%s", e)
        sys.exit(f"jaxgan: config error: {e}")
    except DatasetNotPreparedError as e:
        logging.error("%s", e)
        sys.exit(f"jaxgan: {e}")


if __name__ == "__main__":
    app.run(main)
