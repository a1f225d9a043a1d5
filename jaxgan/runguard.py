"""What guards a run from outside events: a second trainer on its workdir, and stop signals.

- `WorkdirLock`: one trainer per workdir. Process 0 holds an exclusive
  `flock` on `<workdir>/.lock` for the whole run; a second trainer refuses at
  start. The kernel drops the lock when its process dies, so a killed run
  never leaves a stale lock behind. (`flock` is per machine: on a network
  filesystem shared by several hosts it guards each host only.)
- `StopSignals`: SIGTERM (a preemption notice) and SIGINT (Ctrl-C) ask the
  loop to stop; it saves at the current step and exits. In multi-process
  runs SIGTERM is left to JAX's preemption sync (`jax.distributed`), which
  makes every process stop at the same step; see `Checkpointer.should_save`.
"""

from __future__ import annotations

import fcntl
import os
import signal
import types

import jax
from absl import logging
from etils import epath

from jaxgan.errors import RunError

LOCK_FILE = ".lock"


class WorkdirLock:
    """An exclusive lock on a local workdir, held by process 0 from `__enter__` to `__exit__`."""

    def __init__(self, workdir: epath.Path):
        self._path = workdir / LOCK_FILE
        self._file = None

    def __enter__(self) -> "WorkdirLock":
        if jax.process_index() != 0 or "://" in str(self._path):  # cloud storage has no flock
            return self
        self._file = open(self._path, "a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            self._file.close()
            self._file = None
            raise RunError(f"Another trainer ({holder}) is running in {self._path.parent}; two trainers on one "
                           f"workdir would overwrite each other's checkpoints. Wait for it to finish, stop it, or "
                           f"use another --workdir.") from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
        self._file.flush()
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()  # closing releases the flock
            self._file = None


class StopSignals:
    """Records SIGTERM/SIGINT instead of dying, so the loop can save first; restores the handlers on exit."""

    def __init__(self):
        self.received: str | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: types.FrameType | None) -> None:
        del frame
        if self.received is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C stops at once
        self.received = signal.Signals(signum).name
        logging.warning("%s received: saving a checkpoint at the end of this step, then stopping.", self.received)

    def __enter__(self) -> "StopSignals":
        # JAX's preemption sync owns SIGTERM in multi-process runs; Python only handles signals in the main thread.
        wanted = [signal.SIGINT] + ([signal.SIGTERM] if jax.process_count() == 1 else [])
        try:
            for signum in wanted:
                self._previous[signum] = signal.signal(signum, self._handle)
        except ValueError:  # not the main thread (e.g. a notebook worker): keep the defaults
            pass
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
