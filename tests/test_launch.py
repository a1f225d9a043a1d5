"""launch/ scripts: --dry_run prints every worker's command; the GPU hosts' commands really run as one job."""

import os
import re
import shlex
import subprocess
import sys

import numpy as np

from jaxgan.tools import local_cluster
from test_train import REPO, SMOKE

LAUNCH = os.path.join(REPO, "launch")


def _dry_run(script, *args, env=None):
    proc = subprocess.run(["bash", os.path.join(LAUNCH, script), "--dry_run", *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_tpu_vm_dry_run_gives_each_worker_of_a_v4_32_the_same_run_and_its_process_id():
    lines = _dry_run("tpu_vm.sh", "--workers", "4", "my-v4-32", "us-central2-b", "experiments/ring8.py",
                     "gs://bucket/runs/ring8", "--config.seed=3")
    ssh = [line for line in lines if " tpu-vm ssh " in line]
    assert len(ssh) == 4
    for i, line in enumerate(ssh):
        assert f"--worker={i} " in line
        train = line[line.index("python -m jaxgan.main"):].rstrip('"')
        assert train == ("python -m jaxgan.main --jax_coordinator_address=WORKER0_INTERNAL_IP:8476 "
                         f"--jax_num_processes=4 --jax_process_id={i} --config experiments/ring8.py "
                         "--workdir gs://bucket/runs/ring8 --config.seed=3")
    assert any(" tpu-vm scp " in line and "--worker=all" in line for line in lines)


def test_gpu_hosts_dry_run_commands_run_as_one_two_process_job(tmp_path):
    port = local_cluster.free_port()
    lines = _dry_run("gpu_hosts.sh", SMOKE, str(tmp_path / "w"), "--config.total_steps=4",
                     env={"COORDINATOR": f"localhost:{port}", "NUM_PROCESSES": "2"})
    assert [line.split(":")[0] for line in lines] == ["host 0", "host 1"]
    commands = [shlex.split(line.split(": ", 1)[1]) for line in lines]
    for i, cmd in enumerate(commands):
        assert cmd[:3] == ["python", "-m", "jaxgan.main"] and f"--jax_process_id={i}" in cmd
        assert f"--jax_coordinator_address=localhost:{port}" in cmd and "--jax_num_processes=2" in cmd
        assert cmd[cmd.index("--config") + 1] == SMOKE and "--config.total_steps=4" in cmd
    # The very commands, on this machine as two hosts with 2 CPU devices each.
    env = local_cluster.process_env(2)
    procs = [subprocess.Popen([sys.executable, *cmd[1:]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env, cwd=REPO) for cmd in commands]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs[0][-3000:]
    fingerprints = [re.findall(r"state fingerprint at step 4: (\w+)", out) for out in outputs]
    assert fingerprints[0] and fingerprints[0] == fingerprints[1]


def test_gpu_seeds_trains_the_seeds_side_by_side_and_exports_their_eval_samples(tmp_path):
    prefix = str(tmp_path / "runs" / "ring8")
    lines = _dry_run("gpu_seeds.sh", SMOKE, prefix, "0,1", "--config.total_steps=4", env={"NUM": "16"})
    assert [line.split(":")[0] for line in lines] == ["train seed 0", "train seed 1", "export seed 0", "export seed 1"]
    assert shlex.split(lines[1].split(": ", 1)[1]) == [
        "python", "-m", "jaxgan.main", "--config", SMOKE, "--workdir", f"{prefix}_s1", "--config.seed=1",
        "--config.total_steps=4"]
    env = dict(os.environ, JAXGAN_ALLOW_CPU="1", NUM="16", PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ["PATH"])
    proc = subprocess.run(["bash", os.path.join(LAUNCH, "gpu_seeds.sh"), SMOKE, prefix, "0,1", "--config.total_steps=4"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    samples = [np.load(f"{prefix}_s{s}/eval_samples_ema.npy") for s in (0, 1)]
    assert all(x.shape == (16, 2) and x.dtype == np.float16 for x in samples)
    assert np.abs(samples[0].astype(np.float32) - samples[1]).max() > 0  # the seeds are different runs
    assert "state fingerprint at step 4" in open(f"{prefix}_s0.log").read()


def test_gpu_seeds_reports_a_failed_seed_with_its_log_and_refuses_bad_arguments(tmp_path):
    env = dict(os.environ, JAXGAN_ALLOW_CPU="1", PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    script = os.path.join(LAUNCH, "gpu_seeds.sh")
    proc = subprocess.run(["bash", script, SMOKE, str(tmp_path / "r"), "3", "--config.no_such_key=1"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1 and "seed 3 failed" in proc.stderr and "no_such_key" in proc.stderr
    for args, env_extra, message in [(["0,x"], {}, "SEEDS must be comma-separated integers"),
                                     (["0"], {"EXPORT": "live"}, "EXPORT takes ema and/or noema"),
                                     (["0"], {"NUM": "0"}, "NUM must be a positive integer")]:
        proc = subprocess.run(["bash", script, SMOKE, str(tmp_path / "r"), *args], capture_output=True, text=True,
                              env=dict(env, **env_extra), timeout=60)
        assert proc.returncode == 2 and message in proc.stderr
