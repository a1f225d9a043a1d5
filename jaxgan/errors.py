"""Errors a user can act on, beside `jaxgan.config.ConfigError`; `jaxgan.cli` prints each as one line."""


class DatasetNotPreparedError(FileNotFoundError):
    """A dataset that is not prepared where jaxgan reads it; says how to fix it (`jaxgan.data.storage`)."""


class NotKeptError(ValueError):
    """Something asked of a run that it does not keep (an EMA decay it was not trained with); lists what it keeps."""


class RunError(RuntimeError):
    """A run that cannot go on (a failed save, a locked workdir, unreadable checkpoints); the message says what to do."""


class Stopped(RuntimeError):
    """The run was stopped by a signal after saving its state; the message says how to resume."""

    exit_code = 143  # 128 + SIGTERM, what a scheduler expects of a preempted job
