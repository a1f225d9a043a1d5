"""Metric writers: TensorBoard event files without torch, and eval rows as JSON lines."""

import json
import subprocess
import sys

from test_train import REPO

# In a fresh interpreter: a test worker may have imported torch already (the conversion tests do).
_WRITE_WITHOUT_TORCH = """
import importlib.util, json, sys
import numpy as np
from jaxgan import writers
w = writers.MetricWriter(sys.argv[1])
w.write_scalars(3, {"loss": np.float32(0.5), "skipped": np.zeros(2)}, prefix="train/")
w.write_image(3, "samples", np.zeros((4, 4, 3), np.uint8))
w.write_eval(3, {"fid": 1.5})
w.close()
torch_loaded = "torch" in sys.modules
torch_importable = importlib.util.find_spec("torch") is None or __import__("torch") is not None
print(json.dumps({"torch_loaded": torch_loaded, "torch_importable": torch_importable}))
"""


def test_tensorboard_and_eval_rows_are_written_without_importing_torch(tmp_path):
    """tensorboardX imports torch when it can (4 s per run start); the writer keeps it out, and importable."""
    proc = subprocess.run([sys.executable, "-c", _WRITE_WITHOUT_TORCH, str(tmp_path)], capture_output=True,
                          text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"torch_loaded": False, "torch_importable": True}
    events = list((tmp_path / "tensorboard").iterdir())
    assert len(events) == 1 and events[0].name.startswith("events.out.tfevents") and events[0].stat().st_size > 100
    assert [json.loads(line) for line in (tmp_path / "eval.jsonl").read_text().splitlines()] == [{"step": 3, "fid": 1.5}]


def test_the_run_clock_leaves_out_evaluations_and_what_older_checkpoints_did_not_count():
    import time

    from jaxgan.train import RunClock

    clock = RunClock(wall_before=100.0, train_before=40.0, cpu_before=30.0)
    with clock.evaluating():
        time.sleep(0.05)
        end = time.process_time() + 0.05
        while time.process_time() < end:  # an evaluation's CPU work
            pass
    meta = clock.meta()
    assert meta["wall_s"] - 100.0 >= 0.1 > meta["train_s"] - 40.0 >= 0  # the evaluation is wall time, not training
    assert 0.05 > meta["train_cpu_s"] - 30.0 >= 0  # nor training CPU time
    assert RunClock(wall_before=100.0, train_before=None).meta().keys() == {"wall_s"}  # unknown, not zero
    assert RunClock(None, None).meta() == {}
