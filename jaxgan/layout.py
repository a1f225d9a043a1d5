"""The files of a run directory that tools read by name (names only, so table tools need no JAX)."""

CONFIG_FILE = "config.json"  # the config the run started with (`experiment.load_config` completes it)
FINAL_EVAL_FILE = "eval_final.json"  # the final evaluation, with the step and the wall time
