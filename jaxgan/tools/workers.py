"""Re-running a sweep tool in N worker processes, each pinned to its own CPU core (Linux).

One core per run keeps runs from competing for threads, so their wall times
are comparable. XLA:CPU's results depend on its thread count: a pinned run is
not bitwise equal to a run given 2 cores.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

from absl import app


def usable_cores() -> list[int]:
    """The CPU cores this process may run on."""
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))


def spawn_pinned(module: str, args: list[str], num_workers: int) -> None:
    """Runs `python -m module *args --shard=i/n` for i < n, worker i pinned to core i; waits for all.

    Raises SystemExit naming the failed workers (rerunning the sweep finishes their runs).
    """
    if not hasattr(os, "sched_setaffinity"):
        raise app.UsageError("--workers > 1 pins each worker to a core, which needs Linux; use --workers=1.")
    cores = usable_cores()
    if num_workers > len(cores):
        raise app.UsageError(f"--workers={num_workers}, but this process may use only {len(cores)} cores.")
    procs = []
    for i in range(num_workers):
        cmd = [sys.executable, "-m", module, *args, f"--shard={i}/{num_workers}"]
        procs.append(subprocess.Popen(cmd, preexec_fn=functools.partial(os.sched_setaffinity, 0, {cores[i]})))
    try:
        failed = [i for i, p in enumerate(procs) if p.wait() != 0]
    except KeyboardInterrupt:  # pass the stop on: each worker saves a checkpoint and exits
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        raise
    if failed:
        raise SystemExit(f"Sweep workers {failed} failed; rerun the same command to finish (done runs are kept).")
