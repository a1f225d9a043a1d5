"""Run a jaxgan command as a multi-process JAX job on this machine (CPU devices, gloo collectives).

  python -m jaxgan.tools.local_cluster --num_processes 2 --devices_per_process 2 -- \
      jaxgan.main --config experiments/ring8.py:smoke --workdir runs/ring8_2x2

What a multi-host run does, on one machine: each process gets
`--jax_coordinator_address` (a free localhost port), `--jax_num_processes`
and its `--jax_process_id`, and `devices_per_process` CPU devices; JAX's own
runtime (`jax.distributed`) connects them. Every process has a wall-clock
limit, and when one fails the others get `grace_s` to exit on their own
before they are killed, so a broken job never hangs. Logs go to
`<log_dir>/process_<i>.log`.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence

from absl import app, flags

FLAGS = flags.FLAGS


@dataclasses.dataclass
class Result:
    """How each process ended: exit codes (None: killed by the launcher), seconds, log files."""

    returncodes: list[int | None]
    seconds: list[float]
    logs: list[str]

    def log(self, i: int) -> str:
        with open(self.logs[i]) as f:
            return f.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def process_env(devices: int) -> dict[str, str]:
    """This environment with JAX on `devices` CPU devices (replacing any device-count flag)."""
    xla = [f for f in os.environ.get("XLA_FLAGS", "").split() if "xla_force_host_platform_device_count" not in f]
    return dict(os.environ, JAX_PLATFORMS="cpu", XLA_FLAGS=" ".join([*xla, f"--xla_force_host_platform_device_count={devices}"]))


def launch(module_args: Sequence[str], num_processes: int, devices_per_process: int, log_dir: str,
           timeout_s: float = 600, grace_s: float = 60, on_start=None) -> Result:
    """Runs `python -m <module_args>` as `num_processes` processes of one JAX job and waits for them.

    `on_start(processes)` (optional) is called once they are started, e.g. to
    signal or kill one of them.
    """
    os.makedirs(log_dir, exist_ok=True)
    address = f"localhost:{free_port()}"
    env = process_env(devices_per_process)
    procs, logs, files = [], [], []
    start = time.monotonic()
    for i in range(num_processes):
        logs.append(os.path.join(log_dir, f"process_{i}.log"))
        files.append(open(logs[-1], "w"))
        cmd = [sys.executable, "-m", *module_args, f"--jax_coordinator_address={address}",
               f"--jax_num_processes={num_processes}", f"--jax_process_id={i}"]
        procs.append(subprocess.Popen(cmd, stdout=files[-1], stderr=subprocess.STDOUT, env=env))
    if on_start is not None:
        on_start(procs)
    ended: dict[int, float] = {}
    deadline = start + timeout_s
    while len(ended) < num_processes and time.monotonic() < deadline:
        for i, p in enumerate(procs):
            if i not in ended and p.poll() is not None:
                ended[i] = time.monotonic() - start
                if p.returncode != 0:  # a failed process: the others get grace_s to notice and exit
                    deadline = min(deadline, time.monotonic() + grace_s)
        time.sleep(0.2)
    codes = []
    for i, p in enumerate(procs):
        if p.poll() is None:
            p.kill()
            p.wait()
            codes.append(None)
        else:
            codes.append(p.returncode)
        files[i].close()
    return Result(codes, [ended.get(i, time.monotonic() - start) for i in range(num_processes)], logs)


def main(argv):
    if len(argv) < 2:
        raise app.UsageError("Give the command after --, e.g. -- jaxgan.main --config ... --workdir ...")
    result = launch(argv[1:], FLAGS.num_processes, FLAGS.devices_per_process, FLAGS.logs_dir, FLAGS.timeout_s)
    for i, (code, seconds) in enumerate(zip(result.returncodes, result.seconds)):
        print(f"process {i}: {'killed after the timeout' if code is None else f'exit {code}'} after {seconds:.0f} s "
              f"(log: {result.logs[i]})")
    sys.exit(0 if all(c == 0 for c in result.returncodes) else 1)


if __name__ == "__main__":
    flags.DEFINE_integer("num_processes", 2, "Processes in the job.", lower_bound=1)
    flags.DEFINE_integer("devices_per_process", 2, "CPU devices per process.", lower_bound=1)
    flags.DEFINE_string("logs_dir", "runs/local_cluster_logs", "Where each process's log goes.")
    flags.DEFINE_float("timeout_s", 3600, "Wall-clock limit for the whole job.", lower_bound=1)
    app.run(main)
