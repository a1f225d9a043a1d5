"""Real multi-process runs on CPU: 2 processes x 2 devices through jax.distributed, against 1 process x 4 devices.

Every subprocess has a wall-clock limit (`local_cluster.launch`), so a broken
job fails the test instead of hanging it.
"""

import json
import re
import shutil
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest
import tensorflow_datasets as tfds

from helpers import assert_trees_close, assert_trees_equal, data_config, max_abs_diff, mock_images, require
from jaxgan.data import build_dataset
from jaxgan.tools import local_cluster
from test_train import REPO, SMOKE, latest_params

ARGS = [f"--config={SMOKE}", "--config.batch_size=32", "--jax_heartbeat_timeout_s=10"]


def _two_by_two(workdir, tmp_path, *extra, **kwargs):
    result = local_cluster.launch(["jaxgan.main", *ARGS, f"--workdir={workdir}", *extra], 2, 2,
                                  str(tmp_path / f"{workdir.name}_logs"), **{"timeout_s": 300, "grace_s": 60, **kwargs})
    return result


def _fingerprints(result):
    return [re.findall(r"Process (\d) state fingerprint at step (\d+): (\w+)", result.log(i)) for i in range(2)]


def _one_by_four(workdir, *extra):
    cmd = [sys.executable, "-m", "jaxgan.main", *ARGS[:-1], f"--workdir={workdir}", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=local_cluster.process_env(4), cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Ring8 to step 20 as 2x2 in one go, as 2x2 resumed from that run's checkpoint of step 10, and as 1x4."""
    tmp = tmp_path_factory.mktemp("multiprocess")
    full = _two_by_two(tmp / "full", tmp)
    assert full.returncodes == [0, 0], full.log(0)[-3000:] + full.log(1)[-3000:]
    # The split run starts from the full run's step-10 checkpoint as its 2 processes wrote it (a launch that
    # stopped there would write the same bits: same seed, same steps), without its later files.
    shutil.copytree(tmp / "full", tmp / "split")
    for later in ("checkpoints/20", "eval.jsonl", "eval_final.json", "tensorboard", "samples"):
        path = tmp / "split" / later
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    resumed = _two_by_two(tmp / "split", tmp)
    _one_by_four(tmp / "single")
    assert resumed.returncodes == [0, 0], resumed.log(0)[-3000:] + resumed.log(1)[-3000:]
    return tmp, full, resumed


def test_both_processes_hold_the_same_state(runs):
    _, full, resumed = runs
    for result in (full, resumed):
        p0, p1 = _fingerprints(result)
        assert p0 and [row[1:] for row in p0] == [row[1:] for row in p1], (p0, p1)


def test_two_processes_equal_one_process_on_four_devices(runs):
    tmp, _, _ = runs
    two, one = latest_params(tmp / "full"), latest_params(tmp / "single")
    # The same global batches and the same pmean; gloo may sum the 4 devices' gradients in another order.
    print("max |2x2 - 1x4|:", max_abs_diff(two, one))
    assert_trees_close(two, one, rtol=1e-5, atol=1e-6)


def test_a_second_launch_resumes_the_checkpoint_to_the_uninterrupted_result(runs):
    tmp, full, resumed = runs
    assert "Resumed from" in resumed.log(0) and "at step 10" in resumed.log(0)
    assert_trees_equal(latest_params(tmp / "full"), latest_params(tmp / "split"))
    assert _fingerprints(full)[0][-1] == _fingerprints(resumed)[0][-1]
    # Written once, by Orbax's multi-host save: one step directory per save, no per-process copies.
    steps = sorted(p.name for p in (tmp / "full" / "checkpoints").iterdir())
    assert steps == ["10", "20"], steps


def _printed_json(log):
    """The JSON object a CLI printed with indent=2 (from its '{' line to its '}' line) among the log lines."""
    lines = log.splitlines()
    start = lines.index("{")
    return json.loads("\n".join(lines[start : lines.index("}", start) + 1]))


def test_evaluate_and_sample_on_two_processes_split_the_rows_and_agree_with_one(runs, tmp_path):
    tmp, _, _ = runs
    workdir = tmp / "full"
    launched = {}
    for module, extra in (("jaxgan.evaluate", [f"--output={tmp_path / 'e2.json'}"]),
                          ("jaxgan.sample", ["--num=300", f"--output={tmp_path / 's2.npy'}"])):
        result = local_cluster.launch([module, f"--workdir={workdir}", *extra], 2, 2, str(tmp_path / f"{module}_logs"),
                                      timeout_s=300, grace_s=60)
        assert result.returncodes == [0, 0], result.log(0)[-3000:] + result.log(1)[-3000:]
        for i in range(2):  # each process generated only its own half of the rows
            assert f"process {i} computes rows {i + 1}/2 of every batch" in result.log(i), result.log(i)[-3000:]
        launched[module] = result
    for module, extra in (("jaxgan.evaluate", [f"--output={tmp_path / 'e1.json'}"]),
                          ("jaxgan.sample", ["--num=300", f"--output={tmp_path / 's1.npy'}"])):
        cmd = [sys.executable, "-m", module, f"--workdir={workdir}", *extra]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=local_cluster.process_env(4), cwd=REPO,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    # Both processes hold the whole result; process 0 wrote it, once.
    evaluated = launched["jaxgan.evaluate"]
    two = json.loads((tmp_path / "e2.json").read_text())
    assert _printed_json(evaluated.log(0)) == _printed_json(evaluated.log(1)) == two
    one = json.loads((tmp_path / "e1.json").read_text())
    # Half the rows per call: XLA may round the same rows differently (~1e-7), so the scores agree closely.
    assert set(two) == set(one) and two["num_samples"] == one["num_samples"]
    for key, value in one.items():
        if isinstance(value, float):
            assert abs(two[key] - value) <= 1e-4 * max(1.0, abs(value)), (key, two[key], value)
    s2, s1 = np.load(tmp_path / "s2.npy"), np.load(tmp_path / "s1.npy")
    print("samples |2 processes - 1 process|:", np.abs(s2 - s1).max())
    assert s2.shape == s1.shape == (300, 2)
    np.testing.assert_allclose(s2, s1, rtol=1e-5, atol=1e-6)


def test_each_process_reads_only_its_own_rows_of_every_batch():
    with mock_images(64):
        datasets = [build_dataset(data_config("ring8")), build_dataset(data_config("fashion_mnist"))]
        for dataset in datasets:
            whole = dataset.local_batch(3, 8, 2)
            parts = [dataset.local_batch(3, 8, 2, process_index=i, process_count=2) for i in range(2)]
            for key in whole:
                assert all(p[key].shape[:2] == (2, 4) for p in parts)
                np.testing.assert_array_equal(np.concatenate([p[key] for p in parts], axis=1), whole[key])
                assert not np.array_equal(parts[0][key], parts[1][key])


def test_a_killed_process_stops_the_other_with_a_clear_error(tmp_path):
    def kill_process_1_once_training(procs):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "step 10/" not in open(tmp_path / "k_logs" / "process_1.log").read():
            time.sleep(0.2)
        procs[1].kill()

    result = _two_by_two(tmp_path / "k", tmp_path, "--config.total_steps=1000000", "--config.log_every_steps=10",
                         on_start=kill_process_1_once_training, grace_s=90)
    assert result.returncodes[1] == -9
    assert result.returncodes[0] not in (0, None), "process 0 must exit on its own, not hang"
    assert "another task died" in result.log(0) or "unhealthy" in result.log(0), result.log(0)[-3000:]
    assert result.seconds[0] - result.seconds[1] < 60  # heartbeat timeout 10 s, plus slack for a loaded machine


# CI's 15-minute budget (100 s on 2 cores: three processes compile a DCGAN). The default run keeps the 2x2
# ring8 runs above and the per-process rows of Fashion-MNIST batches; `pytest -m slow` runs this one.
@pytest.mark.slow
def test_an_image_dcgan_on_two_processes_equals_one_process(tmp_path):
    require(tfds.builder("fashion_mnist").is_prepared(), "Fashion-MNIST is not prepared: python -m jaxgan.data.prepare fashion_mnist")
    dcgan = ["--config=experiments/dcgan_fashion_mnist.py:smoke", "--config.batch_size=16", "--config.total_steps=3"]
    result = local_cluster.launch(["jaxgan.main", *dcgan, f"--workdir={tmp_path / 'two'}"], 2, 2,
                                  str(tmp_path / "logs"), timeout_s=300, grace_s=60)
    assert result.returncodes == [0, 0], result.log(0)[-3000:] + result.log(1)[-3000:]
    p0, p1 = _fingerprints(result)
    assert p0 and [row[1:] for row in p0] == [row[1:] for row in p1]
    cmd = [sys.executable, "-m", "jaxgan.main", *dcgan, f"--workdir={tmp_path / 'one'}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=local_cluster.process_env(4), cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    two, one = latest_params(tmp_path / "two"), latest_params(tmp_path / "one")
    diffs = np.concatenate([np.abs(np.asarray(a) - np.asarray(b)).ravel()
                            for a, b in zip(jax.tree.leaves(two), jax.tree.leaves(one))])
    print(f"dcgan28 |2x2 - 1x4|: max {diffs.max():.2e}, share > 1e-6: {np.mean(diffs > 1e-6):.2e}")
    # Gloo sums the 4 gradients in another order. Adam divides by sqrt(v), so where a gradient is ~0 that
    # reordering can move a weight by up to lr (2e-4) per step; everywhere else the runs agree to float noise.
    assert diffs.max() < 3 * 2e-4 * 3 and np.mean(diffs > 1e-6) < 1e-3


def test_sigterm_to_one_process_stops_both_at_the_same_saved_step(tmp_path):
    def preempt_process_1_once_training(procs):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "step 10/" not in open(tmp_path / "t_logs" / "process_1.log").read():
            time.sleep(0.2)
        procs[1].send_signal(signal.SIGTERM)

    result = _two_by_two(tmp_path / "t", tmp_path, "--config.total_steps=1000000", "--config.log_every_steps=10",
                         on_start=preempt_process_1_once_training)
    assert result.returncodes == [143, 143], result.log(0)[-3000:]
    stopped = [re.findall(r"jaxgan: Stopped by SIGTERM at step (\d+) of 1000000; the checkpoint of step \1 is saved",
                          result.log(i)) for i in range(2)]
    assert len(stopped[0]) == 1 and stopped[0] == stopped[1], stopped  # JAX's preemption sync: the same step
    assert (tmp_path / "t" / "checkpoints" / stopped[0][0]).is_dir()
