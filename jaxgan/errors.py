"""Errors a user can act on, beside `jaxgan.config.ConfigError`; `jaxgan.cli` prints each as one line."""


class DatasetNotPreparedError(FileNotFoundError):
    """A dataset that is not prepared where jaxgan reads it; says how to fix it (`jaxgan.data.storage`)."""


class NotKeptError(ValueError):
    """Something asked of a run that it does not keep (an EMA decay it was not trained with); lists what it keeps."""

    @classmethod
    def ema(cls, decay: float, main_decay: float, extra_decays) -> "NotKeptError":
        """No EMA kept at `decay`; the run keeps `main_decay` (0: none) and `extra_decays`."""
        choices = [main_decay, *extra_decays] if main_decay else []
        return cls(f"The run keeps no EMA at decay {decay}; it keeps {choices or 'none'} "
                   "(config.ema.decay and config.ema.extra_decays, set when the run starts).")


class RunError(RuntimeError):
    """A run that cannot go on (a failed save, a locked workdir, unreadable checkpoints); the message says what to do."""


class Stopped(RuntimeError):
    """The run was stopped by a signal after saving its state; the message says how to resume."""

    exit_code = 143  # 128 + SIGTERM, what a scheduler expects of a preempted job
