"""The faults a preemptible run meets, and bad input at every CLI: one clear message, no data lost."""

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import tiny_config
from helpers import assert_trees_equal
from jaxgan import runguard, train
from jaxgan.checkpoint import UNREADABLE_DIR, Checkpointer
from jaxgan.config import ConfigError
from jaxgan.errors import RunError
from test_train import REPO, SMOKE, latest_params, run_cli


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A tiny run trained to step 8 (checkpoints 4 and 8), and its final parameters."""
    workdir = tmp_path_factory.mktemp("finished")
    train.train_and_evaluate(tiny_config(), str(workdir))
    return workdir, latest_params(workdir)


def _copy(workdir, tmp_path):
    shutil.copytree(workdir, tmp_path / "w")
    return tmp_path / "w"


def test_sigterm_saves_at_the_current_step_and_the_resumed_run_equals_an_uninterrupted_one(tmp_path):
    workdir, full = tmp_path / "stopped", tmp_path / "full"
    args = [f"--config={SMOKE}", "--config.checkpoint_every_steps=100000", "--config.log_every_steps=10"]
    env = dict(os.environ)  # conftest's XLA_FLAGS (fake devices, compile options) and JAX_PLATFORMS
    proc = subprocess.Popen([sys.executable, "-m", "jaxgan.main", *args, f"--workdir={workdir}",
                             "--config.total_steps=100000"], stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    for line in proc.stderr:  # wait until it trains, then preempt it
        if re.search(r"step \d+/100000", line):
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-3000:]
    stopped_at = int(re.search(r"jaxgan: Stopped by SIGTERM at step (\d+) of 100000; the checkpoint of step \1 is "
                               r"saved\. Rerun the same command to resume\.", err).group(1))
    assert "Traceback" not in err
    total = stopped_at + 7
    run_cli("jaxgan.main", *args, f"--workdir={workdir}", f"--config.total_steps={total}")
    run_cli("jaxgan.main", *args, f"--workdir={full}", f"--config.total_steps={total}")
    assert_trees_equal(latest_params(full), latest_params(workdir))


def test_a_second_trainer_on_a_workdir_refuses_and_leaves_it_alone(finished, tmp_path):
    workdir = _copy(finished[0], tmp_path)
    with runguard.WorkdirLock(workdir):  # the first trainer
        with pytest.raises(RunError, match=rf"Another trainer \(pid {os.getpid()} on .*\) is running in {workdir}"):
            train.train_and_evaluate(tiny_config(total_steps=12), str(workdir))
    assert_trees_equal(finished[1], latest_params(workdir))
    train.train_and_evaluate(tiny_config(total_steps=12), str(workdir))  # the lock went with the first trainer


@pytest.mark.parametrize("damage", ["meta", "state", "manifest"])
def test_an_unreadable_latest_checkpoint_is_moved_aside_and_the_run_resumes_from_the_one_before(
        finished, tmp_path, damage, caplog):
    workdir = _copy(finished[0], tmp_path)
    step8 = workdir / "checkpoints" / "8"
    if damage == "meta":
        (step8 / "meta" / "metadata").write_text("garbage")
    elif damage == "state":
        shutil.rmtree(step8 / "state")
    else:
        manifest = step8 / "state" / "manifest.ocdbt"
        manifest.write_bytes(manifest.read_bytes()[:20])
    train.train_and_evaluate(tiny_config(), str(workdir))
    assert re.search(r"Checkpoint .*/checkpoints/8 is unreadable", caplog.text), caplog.text
    assert "Resuming from step 4, the newest readable checkpoint" in caplog.text
    assert (workdir / UNREADABLE_DIR / "8_0").is_dir()
    assert_trees_equal(finished[1], latest_params(workdir))  # retrained 4 -> 8, bit for bit


def test_no_readable_checkpoint_refuses_and_moves_nothing(finished, tmp_path):
    workdir = _copy(finished[0], tmp_path)
    for step in ("4", "8"):
        (workdir / "checkpoints" / step / "meta" / "metadata").write_text("garbage")
    with pytest.raises(RunError, match=r"No checkpoint in .* is readable \(steps \[8, 4\]"):
        train.train_and_evaluate(tiny_config(total_steps=12), str(workdir))
    assert sorted(p.name for p in (workdir / "checkpoints").iterdir() if p.name.isdigit()) == ["4", "8"]
    assert not (workdir / UNREADABLE_DIR).exists()


def test_a_failed_save_stops_the_run_naming_its_cause_and_the_last_good_step(tmp_path, monkeypatch):
    saves = []
    original = Checkpointer.save

    def save_then_fill_the_disk(self, state, meta):
        saves.append(int(state.step))
        if len(saves) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(self, state, meta)

    monkeypatch.setattr(Checkpointer, "save", save_then_fill_the_disk)
    start = time.monotonic()
    with pytest.raises(RunError, match=r"The disk holding .* is full .*No space left.* The last complete checkpoint "
                                       r"is step 4; free space, then rerun"):
        train.train_and_evaluate(tiny_config(total_steps=12), str(tmp_path / "w"))
    assert time.monotonic() - start < 120 and saves == [4, 8]
    monkeypatch.undo()
    train.train_and_evaluate(tiny_config(total_steps=12), str(tmp_path / "w"))  # resumes from step 4


def test_a_failed_background_save_is_reported_by_the_next_check(finished, tmp_path, monkeypatch):
    ckpt = Checkpointer(_copy(finished[0], tmp_path), 4, 3)
    monkeypatch.setattr(ckpt._manager, "check_for_errors", lambda: (_ for _ in ()).throw(OSError("disk gone")))
    ckpt._saving = 12
    with pytest.raises(RunError, match=r"Saving the checkpoint of step 12 .* failed: OSError: disk gone\. The last "
                                       r"complete checkpoint \(step 8\) is intact"):
        ckpt.check()
    monkeypatch.undo()
    ckpt.close()


def test_total_steps_below_the_checkpoint_says_so(finished, tmp_path):
    with pytest.raises(ConfigError, match=r"has a checkpoint at step 8, past total_steps=6. Raise --config.total_steps"):
        train.train_and_evaluate(tiny_config(total_steps=6), str(_copy(finished[0], tmp_path)))


def test_rerunning_a_finished_run_returns_its_results_without_new_eval_rows(finished, tmp_path):
    workdir = _copy(finished[0], tmp_path)
    rows = (workdir / "eval.jsonl").read_text()
    results = train.train_and_evaluate(tiny_config(), str(workdir))
    assert (workdir / "eval.jsonl").read_text() == rows
    saved = json.loads((workdir / train.FINAL_EVAL_FILE).read_text())
    assert results == {k: v for k, v in saved.items() if k not in ("step", "wall_s", "train_s")}


def test_a_learning_rate_change_on_resume_needs_allow_changes(finished, tmp_path):
    workdir = _copy(finished[0], tmp_path)
    lower = tiny_config(total_steps=12, **{"optimizer.d.lr": 1e-4})
    event_files = sorted((workdir / "tensorboard").iterdir())
    with pytest.raises(ConfigError, match=r"different config \(optimizer.d.lr\).*--allow_changes"):
        train.train_and_evaluate(lower, str(workdir))
    assert sorted((workdir / "tensorboard").iterdir()) == event_files  # a refused resume writes nothing
    train.train_and_evaluate(lower, str(workdir), allow_changes=("optimizer",))
    assert Checkpointer(workdir, 4, 3).latest_step() == 12


BAD_CLI_INPUT = [
    (["jaxgan.main", f"--config={SMOKE}", "--config.no_such=1"], r"--config.no_such: no such config key. Valid keys: "),
    (["jaxgan.main", f"--config={SMOKE[:-6]}:nonsense"], r"ring8.py takes no argument 'nonsense'; its arguments are: smoke"),
    (["jaxgan.main", f"--config={SMOKE}", "--config.optimizer.g.lr=-1"], r"config.optimizer.g.lr must be a number in \[0.0, inf\)"),
    (["jaxgan.main", f"--config={SMOKE}", "--config.model.g.hidden=abc"], r"The networks could not be built from config.model"),
    (["jaxgan.main", "--config=experiments/no_such.py"], r"the config could not be loaded: .*no_such.py"),
    (["jaxgan.sample", "--num=0", "--output=s.npy"], r"flag --num=0: 0 is not a positive integer"),
    (["jaxgan.evaluate", "--output=e.npy"], r"--output must end in .json"),
    (["jaxgan.evaluate"], r"No config.json in .*: is it a jaxgan workdir\?"),
]


def test_bad_input_at_every_cli_is_one_line_and_touches_nothing(tmp_path):
    for args, message in BAD_CLI_INPUT:
        workdir = tmp_path / "w"
        proc = run_cli(*args, f"--workdir={workdir}", check=False)
        lines = [line for line in proc.stderr.splitlines() if line.startswith("jaxgan:")]
        assert proc.returncode != 0 and "Traceback" not in proc.stderr, (args, proc.stderr[-2000:])
        assert len(lines) == 1 and re.search(message, lines[0]), (args, proc.stderr[-2000:])
        assert not workdir.exists(), args


@pytest.mark.parametrize("module, dataset", [("jaxgan.evaluation.train_classifier", "fashion_mnist"),
                                             ("jaxgan.evaluation.attribute_classifier", "celeb_a_stargan")])
def test_a_classifier_cli_without_its_data_says_how_to_prepare_it_in_one_line(module, dataset, tmp_path):
    proc = run_cli(module, dataset, f"--data_dir={tmp_path}", f"--cache_dir={tmp_path / 'cache'}", check=False)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("jaxgan:")]
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert len(lines) == 1 and "is not prepared in" in lines[0] and "python -m jaxgan.data.prepare" in proc.stderr
    assert not (tmp_path / "cache").exists()


def test_a_damaged_prepared_dataset_says_prepare_it_again():
    from helpers import data_config, mock_images
    from jaxgan.data import build_dataset
    from jaxgan.data.storage import DatasetNotPreparedError

    with mock_images(32):
        dataset = build_dataset(data_config("fashion_mnist"))

        def damaged(keys):
            raise RuntimeError("Invalid Riegeli/records file: chunk boundary is 12255232")

        dataset._source.__getitems__ = damaged
        with pytest.raises(DatasetNotPreparedError, match=r"The prepared fashion_mnist \(train split\) in .* could not "
                                                          r"be read: RuntimeError: Invalid Riegeli.*prepare it again"):
            dataset.local_batch(0, 8)
