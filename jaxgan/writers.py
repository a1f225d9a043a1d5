"""Where metrics go: absl logging, TensorBoard (tensorboardX) and JSON lines.

Only process 0 writes files; every process logs. TensorBoard uses
tensorboardX, which writes event files without TensorFlow.
"""

from __future__ import annotations

import errno
import json
import logging as std_logging
import math
import sys
import threading
import time
from typing import Any, Mapping

import jax
import numpy as np
from absl import logging
from etils import epath


def _quiet_disk_full_in_threads() -> None:
    """One warning, not a traceback per thread, when a background writer (TensorBoard's) hits a full disk.

    The run itself stops on the same error with a clear message (`jaxgan.train`).
    """
    previous = threading.excepthook
    if getattr(previous, "_jaxgan_quiet", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if isinstance(args.exc_value, OSError) and args.exc_value.errno in (errno.ENOSPC, errno.EDQUOT):
            logging.warning("Background writer %s stopped: %s", args.thread.name if args.thread else "?", args.exc_value)
        else:
            previous(args)

    hook._jaxgan_quiet = True
    threading.excepthook = hook


def _summary_writer_class() -> type:
    """tensorboardX's SummaryWriter, imported without torch.

    tensorboardX imports torch at import time when it is installed (the
    `inception` extra installs it), only to accept torch tensors: about 4 s at
    every run's start on 2 cores. jaxgan passes numpy, so torch is hidden while
    tensorboardX loads and importable again afterwards.
    """
    if "tensorboardX" in sys.modules or "torch" in sys.modules:
        from tensorboardX import SummaryWriter
        return SummaryWriter
    sys.modules["torch"] = None  # `import torch` raises ImportError, which tensorboardX expects
    try:
        from tensorboardX import SummaryWriter
    finally:
        del sys.modules["torch"]
    return SummaryWriter


class MetricWriter:
    """Writes scalars and images to TensorBoard and eval results to `eval.jsonl`."""

    def __init__(self, workdir: str | epath.Path):
        self._workdir = epath.Path(workdir)
        self._enabled = jax.process_index() == 0
        self._tb = None
        if self._enabled:
            _quiet_disk_full_in_threads()
            self._tb = _summary_writer_class()(str(self._workdir / "tensorboard"))

    def write_scalars(self, step: int, scalars: Mapping[str, Any], prefix: str = "") -> None:
        if self._tb is None:
            return
        for k, v in scalars.items():
            if isinstance(v, (int, float, np.number, np.ndarray)) and np.ndim(v) == 0:
                self._tb.add_scalar(f"{prefix}{k}", float(v), step)

    def write_image(self, step: int, tag: str, image: np.ndarray) -> None:
        """Writes an HWC uint8 image."""
        if self._tb is not None:
            self._tb.add_image(tag, image, step, dataformats="HWC")

    def write_eval(self, step: int, results: Mapping[str, Any], when: Mapping[str, float] | None = None) -> None:
        """Appends `{"step": step, **when, **results}` to eval.jsonl and logs the results.

        `when`: where the run stood (e.g. `kimg`, `train_s`), in the file only, not TensorBoard's scalars.
        """
        logging.info("eval @ %d: %s", step, json.dumps(results))
        self.write_scalars(step, results, prefix="eval/")
        if self._enabled:
            with (self._workdir / "eval.jsonl").open("a") as f:
                f.write(json.dumps({"step": step, **(when or {}), **results}) + "\n")

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()


class Progress:
    """Formats the progress line: step, metrics, steps/s and ETA."""

    def __init__(self, total_steps: int, start_step: int):
        self._total = total_steps
        self._last_step, self._last_time = start_step, time.perf_counter()

    def line(self, step: int, metrics: Mapping[str, float]) -> str:
        now = time.perf_counter()
        rate = (step - self._last_step) / max(now - self._last_time, 1e-9)
        self._last_step, self._last_time = step, now
        eta = (self._total - step) / rate if rate > 0 else math.inf
        shown = " ".join(f"{k}={v:.4g}" for k, v in sorted(metrics.items()))
        return f"step {step}/{self._total} | {shown} | {rate:.1f} steps/s | ETA {_duration(eta)}"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


class _DropLibraryInfo(std_logging.Filter):
    """Drops INFO-level chatter from Orbax, which logs every save step by step."""

    def filter(self, record: std_logging.LogRecord) -> bool:
        return record.levelno >= std_logging.WARNING or "/orbax/" not in record.pathname


def quiet_library_logs() -> None:
    """Keeps absl logs readable: our progress lines, library warnings and errors."""
    logging.get_absl_handler().addFilter(_DropLibraryInfo())
