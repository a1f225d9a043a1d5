"""Train a GAN: `python -m jaxgan.main --config experiments/ring8.py --workdir runs/ring8`.

Flags only; the logic is in `jaxgan.train`. Override any config value with
`--config.key=value` (e.g. `--config.total_steps=1000`). Errors a user can fix
are one line (`jaxgan.cli`); `--verbosity=1` adds the traceback.
"""

from absl import flags, logging
from ml_collections import config_flags

from jaxgan import cli, distributed
from jaxgan import config as config_lib

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for checkpoints, logs and samples.")
_ALLOW_CHANGES = flags.DEFINE_list(
    "allow_changes", [],
    "Config keys (or prefixes, e.g. optimizer) that may differ from the run being resumed, such as lower "
    "learning rates after a divergence. Step counts, intervals and eval settings may always change.")
distributed.define_flags()
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
    if len(argv) > 1:
        raise flags.ValidationError(f"Unexpected arguments: {argv[1:]}")
    config = cli.loaded(_CONFIG)
    config_lib.validate(config)  # structural errors (keys, counts, ranges) need no JAX
    # Imported only now: a bad flag, config file or value is reported in 0.2 s, not after the ~5 s that JAX,
    # Flax, Orbax and TensorFlow Datasets take to load on 2 cores.
    import jax

    from jaxgan import train, writers

    writers.quiet_library_logs()
    with distributed.runtime():
        logging.info("JAX process %d/%d, local devices: %s", jax.process_index(), jax.process_count(),
                     jax.local_devices())
        train.train_and_evaluate(config, _WORKDIR.value, allow_changes=tuple(_ALLOW_CHANGES.value))


if __name__ == "__main__":
    cli.run(main)
