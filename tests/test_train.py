"""End-to-end: determinism, resume in a new process, CLIs, and bad input."""

import json
import os
import re
import subprocess
import sys

import chex
import jax
import numpy as np
import pytest
from etils import epath

from conftest import tiny_config
from helpers import assert_trees_equal, build, params_of, run_steps
from jaxgan import experiment, sampling, train
from jaxgan.checkpoint import Checkpointer, saveable_tree
from jaxgan.errors import NotKeptError
from jaxgan.evaluation import evaluators
from jaxgan.state import EXTRA_EMA, extra_ema_key
from jaxgan.config import ConfigError, load_experiment, set_dotted

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE = os.path.join(REPO, "experiments", "ring8.py") + ":smoke"


def run_cli(module, *args, check=True):
    env = dict(os.environ)  # conftest's XLA_FLAGS (fake devices, compile options) and JAX_PLATFORMS
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env, cwd=REPO)
    if check and proc.returncode != 0:
        raise AssertionError(f"{module} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc


def latest_params(workdir):
    return params_of(jax.device_get(experiment.restore_latest(workdir)[1]))


def test_same_seed_same_bits_different_seed_different_bits(tmp_path):
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        train.train_and_evaluate(tiny_config(seed=seed), str(tmp_path / name))
    a, b, c = (latest_params(tmp_path / n) for n in "abc")
    assert_trees_equal(a, b)
    assert not np.array_equal(jax.tree.leaves(a["params"]["generator"])[0], jax.tree.leaves(c["params"]["generator"])[0])
    final = json.loads((tmp_path / "a" / train.FINAL_EVAL_FILE).read_text())
    assert final["step"] == 8 and final["num_samples"] == 200 and "protocol" in final


def test_resume_in_a_new_process_equals_an_uninterrupted_run(tmp_path):
    """A run stopped at step 8, resumed by a new `jaxgan.main` process, equals one trained to 16 in one go.

    Both halves before the resume run in this process (a subprocess costs ~7 s of imports); the resume is
    the CLI's, from the checkpoint alone.
    """
    full, split = str(tmp_path / "full"), str(tmp_path / "split")
    for workdir, total_steps in ((full, 16), (split, 8)):
        c = load_experiment("ring8", "smoke")
        c.total_steps, c.checkpoint_every_steps, c.ema.decay = total_steps, 4, 0.9
        train.train_and_evaluate(c, workdir)
    steps = ["--config.checkpoint_every_steps=4", "--config.ema.decay=0.9"]
    resumed = run_cli("jaxgan.main", f"--config={SMOKE}", f"--workdir={split}", "--config.total_steps=16", *steps)
    assert "Resumed from" in resumed.stderr and "at step 8" in resumed.stderr
    (exp, a), (_, b) = experiment.restore_latest(full), experiment.restore_latest(split)
    assert int(a.step) == int(b.step) == 16
    assert_trees_equal(*jax.device_get((saveable_tree(a), saveable_tree(b))))  # params, opt states, EMA, BN stats, rng
    # What `jaxgan.sample` writes (its CLI is tested below), in this process: a subprocess costs ~8 s.
    sa, sb = (np.asarray(sampling.predictions(exp.family, s)["generate"](jax.random.key(3), 300)) for s in (a, b))
    assert sa.shape == (300, 2) and sa.dtype == np.float32
    np.testing.assert_array_equal(sa, sb)
    # The run's clock counts on over the resume: training seconds at step 16 exceed those the first half saved.
    rows = [json.loads(line) for line in (tmp_path / "split" / "eval.jsonl").read_text().splitlines()]
    final = json.loads((tmp_path / "split" / train.FINAL_EVAL_FILE).read_text())
    assert rows[-1]["step"] == 16 and rows[-1]["train_s"] > rows[0]["train_s"] > 0
    assert final["train_s"] >= rows[-1]["train_s"] and final["wall_s"] >= final["train_s"]
    assert final["train_cpu_s"] >= rows[-1]["train_cpu_s"] > rows[0]["train_cpu_s"] > 0  # CPU time counts on too


@pytest.fixture(scope="module")
def trained_workdir(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("trained")
    train.train_and_evaluate(tiny_config(), str(workdir))
    return workdir


def test_sample_cli_writes_npy_and_png(trained_workdir, tmp_path):
    run_cli("jaxgan.sample", f"--workdir={trained_workdir}", "--num=50", "--seed=1", f"--output={tmp_path / 's.npy'}")
    run_cli("jaxgan.sample", f"--workdir={trained_workdir}", "--num=50", f"--output={tmp_path / 's.png'}")
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (50, 2) and samples.dtype == np.float32 and np.isfinite(samples).all()
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (trained_workdir / "samples").iterdir()) == ["step_00000004.png", "step_00000008.png"]


def test_evaluate_cli_matches_the_final_eval(trained_workdir, tmp_path):
    out = tmp_path / "e.json"
    proc = run_cli("jaxgan.evaluate", f"--workdir={trained_workdir}", f"--output={out}")
    printed, written = json.loads(proc.stdout), json.loads(out.read_text())
    final = json.loads((trained_workdir / train.FINAL_EVAL_FILE).read_text())
    assert final.pop("wall_s") >= final.pop("train_s") > 0  # the run's times; not part of an evaluation
    assert final.pop("train_cpu_s") > 0
    assert printed == written == final
    assert set(final) >= {"modes", "hq_percent", "reverse_kl", "num_samples", "protocol"}


def test_rescoring_into_the_runs_own_final_eval_keeps_its_clock(tmp_path):
    from jaxgan.evaluate import run_clock

    final = tmp_path / train.FINAL_EVAL_FILE
    final.write_text(json.dumps({"step": 8, "wall_s": 5.0, "train_s": 3.0, "modes": 8}))
    assert run_clock(epath.Path(final), str(tmp_path), 8) == {"wall_s": 5.0, "train_s": 3.0}
    assert run_clock(epath.Path(final), str(tmp_path), 4) == {}  # another step's evaluation: not the run's end
    assert run_clock(epath.Path(tmp_path / "other.json"), str(tmp_path), 8) == {}
    assert run_clock(None, str(tmp_path), 8) == {}


def test_evaluate_cli_scores_every_kept_checkpoint_and_names_the_best(trained_workdir, tmp_path):
    out = tmp_path / "curve.json"
    run_cli("jaxgan.evaluate", f"--workdir={trained_workdir}", "--all_steps", "--best_by=reverse_kl", f"--output={out}")
    report = json.loads(out.read_text())
    logged = [json.loads(line) for line in (trained_workdir / "eval.jsonl").read_text().splitlines()]
    when = ("kimg", "train_s", "train_cpu_s", "wall_s")  # where the run stood; training's rows alone say it
    assert report["checkpoints"] == [{k: v for k, v in r.items() if k not in when} for r in logged]  # same scores
    best = min(logged, key=lambda r: r["reverse_kl"])
    assert report["best"] == {"by": "reverse_kl", "step": best["step"], "reverse_kl": best["reverse_kl"]}


def test_evaluate_cli_noema_scores_the_live_networks_and_ema_decay_another_average(tmp_path):
    """--noema on a run that keeps an EMA scores what the same run without an EMA scores (EMA never feeds training);
    --ema_decay scores an EMA kept at `ema.extra_decays` (test_step: bitwise a run's EMA at that decay)."""
    final = {}  # each run's final eval, which the evaluate CLI reproduces (test_evaluate_cli_matches_the_final_eval)
    for name, decay in (("ema", 0.9), ("none", 0.0)):
        c = tiny_config(**({"ema.decay": decay, "ema.extra_decays": (0.05,)} if decay else {}))
        final[name] = {"step": 8, **train.train_and_evaluate(c, str(tmp_path / name))}
    noema = json.loads(run_cli("jaxgan.evaluate", f"--workdir={tmp_path / 'ema'}", "--noema").stdout)
    assert noema["generator"] == final["none"]["generator"] == "raw" and final["ema"]["generator"] == "ema"
    assert noema == final["none"]
    assert final["ema"] != noema
    # 0.05 and 0.9 are apart within 8 steps of warm-up, min(decay, (1 + t) / (10 + t)).
    swept = json.loads(run_cli("jaxgan.evaluate", f"--workdir={tmp_path / 'ema'}", "--ema_decay=0.05").stdout)
    exp, state = experiment.restore_latest(tmp_path / "ema")
    other = sampling.with_ema_decay(state, exp.config.ema, 0.05)
    assert swept == {"step": 8, **evaluators.evaluate(exp, other).results, "generator": "ema@0.05"}
    assert not np.array_equal(jax.tree.leaves(other.ema)[0], jax.tree.leaves(state.ema)[0])
    # what the checkpoint kept is what training computed
    trained = run_steps(build(exp.config), 8).extra[EXTRA_EMA][extra_ema_key(0.05)]
    chex.assert_trees_all_equal(jax.device_get(other.ema), jax.device_get(trained))
    # A decay the run does not keep: one line from its config.json, before JAX starts (both CLIs).
    for module in ("jaxgan.evaluate", "jaxgan.sample"):
        failed = run_cli(module, f"--workdir={tmp_path / 'ema'}", "--ema_decay=0.99", f"--output={tmp_path / 'x.npy'}"
                         if module == "jaxgan.sample" else f"--output={tmp_path / 'x.json'}", check=False)
        assert failed.returncode != 0 and "Traceback" not in failed.stderr
        assert "keeps no EMA at decay 0.99; it keeps [0.9, 0.05]" in failed.stderr, failed.stderr[-2000:]
        assert not list(tmp_path.glob("x.*"))
    with pytest.raises(NotKeptError, match=r"keeps no EMA at decay 0.99; it keeps \[0.9, 0.05\]"):
        sampling.with_ema_decay(state, exp.config.ema, 0.99)  # the state's own check, for callers in Python


@pytest.mark.parametrize("args, message", [
    (["--step=5"], r"No checkpoint of step 5 in .*; the kept steps are \[4, 8\]"),
    (["--step=4", "--all_steps"], "Give --step or --all_steps, not both"),
    (["--noema", "--ema_decay=0.5"], "--noema scores the live networks; --ema_decay picks an EMA"),
    (["--noema", "--standing_stats=2"], "--standing_stats recomputes the EMA generator's BatchNorm statistics"),
    (["--standing_stats=2"], "config.eval.standing_stats recomputes BatchNorm statistics for the EMA generator"),
])
def test_evaluate_cli_bad_step_says_which_are_kept(trained_workdir, args, message):
    proc = run_cli("jaxgan.evaluate", f"--workdir={trained_workdir}", *args, check=False)
    assert proc.returncode != 0 and re.search(message, proc.stderr), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


def test_eval_and_tensorboard_outputs(trained_workdir):
    lines = [json.loads(line) for line in (trained_workdir / "eval.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [4, 8]
    batch = tiny_config().batch_size
    assert [line["kimg"] for line in lines] == [4 * batch / 1000, 8 * batch / 1000]  # real images read
    assert 0 < lines[0]["train_s"] < lines[1]["train_s"] and lines[1]["train_s"] <= lines[1]["wall_s"]
    assert lines[1]["wall_s"] - lines[0]["wall_s"] > lines[1]["train_s"] - lines[0]["train_s"]  # evals are not training
    assert any(p.name.startswith("events.out.tfevents") for p in (trained_workdir / "tensorboard").iterdir())


# --- bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"loss": "hinj"}, r"config.loss: Unknown loss 'hinj'. Choices: .*minimax, non_saturating"),
        ({"model.generator": "resnet"}, r"Unknown generator 'resnet'. Choices: .*dcgan28.*mlp"),
        ({"data.name": "ring9"}, r"Unknown dataset 'ring9'. Choices: .*grid25, .*mnist, .*ring8"),
        ({"optimizer.d.name": "adamax"}, r"config.optimizer.d.name: Unknown optimizer 'adamax'. Choices: adam, adamw, rmsprop, sgd"),
        ({"model.g.widths": (8,)}, r"Unknown option\(s\) \['widths'\] for generator 'mlp'. Valid options: .*hidden"),
        ({"model.d.activation": "relu6"}, r"Unknown activation 'relu6'. Choices: .*leaky_relu"),
        ({"batch_size": 15}, r"batch_size=15 is not divisible by the device count 2"),
        ({"total_steps": 0}, r"config.total_steps must be a positive integer"),
        ({"ema.decay": 1.0}, r"config.ema.decay must be in \[0, 1\)"),
        ({"ema.decay": 0.9, "ema.extra_decays": (1.0,)}, r"config.ema.extra_decays must be a tuple of decays in \(0, 1\)"),
        ({"ema.extra_decays": (0.99,)}, r"config.ema.extra_decays needs config.ema.decay > 0"),
        ({"ema.decay": 0.9, "ema.extra_decays": (0.99, 0.9)}, r"must differ from each other and from config.ema.decay"),
        ({"eval.standing_stats": -1}, r"config.eval.standing_stats must be a number of batches >= 0"),
        ({"eval.standing_stats": 4}, r"recomputes BatchNorm statistics for the EMA generator; this run keeps no EMA"),
        ({"ema.decay": 0.9, "model.g.batch_norm": False, "eval.standing_stats": 4},
         r"generator has no BatchNorm statistics to recompute"),
    ],
)
def test_bad_config_fails_at_start_with_a_clear_error(tmp_path, overrides, message):
    config = tiny_config()
    with config.unlocked():
        for k, v in overrides.items():
            set_dotted(config, k, v)
    with pytest.raises(ConfigError, match=message):
        train.train_and_evaluate(config, str(tmp_path / "w"))
    assert not (tmp_path / "w").exists(), "a bad config must not touch the workdir"


def test_unknown_config_key_lists_valid_keys():
    config = tiny_config()
    config.unlock()
    config.lr = 0.1
    with pytest.raises(ConfigError, match=r"Unknown config key\(s\) \['lr'\]. Valid keys: .*batch_size"):
        experiment.build(config)


def test_cli_reports_bad_names_and_keys_in_one_line(tmp_path):
    proc = run_cli("jaxgan.main", f"--config={SMOKE}", f"--workdir={tmp_path / 'w'}", "--config.loss=hinj", check=False)
    assert proc.returncode != 0
    assert "jaxgan: config error: config.loss: Unknown loss 'hinj'. Choices: hinge, least_squares, minimax" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("jaxgan.main", f"--config={SMOKE}", f"--workdir={tmp_path / 'w'}", "--config.lrate=1", check=False)
    assert proc.returncode != 0 and "lrate" in proc.stderr


def test_resuming_with_a_different_model_is_refused_and_keeps_the_checkpoint(trained_workdir):
    config = tiny_config(**{"model.d.hidden": (32, 32)})
    before = latest_params(trained_workdir)
    with pytest.raises(ConfigError, match=r"different config \(model.d.hidden\); refusing to resume"):
        train.train_and_evaluate(config, str(trained_workdir))
    assert_trees_equal(before, latest_params(trained_workdir))


def test_divergence_stops_with_an_error_and_saves_no_bad_checkpoint(tmp_path):
    config = tiny_config(**{"optimizer.g.name": "sgd", "optimizer.d.name": "sgd", "optimizer.d.lr": 1e30})
    with pytest.raises(FloatingPointError, match=r"Non-finite metrics .* at step 4: training diverged"):
        train.train_and_evaluate(config, str(tmp_path / "w"))
    ckpt = Checkpointer(tmp_path / "w", 4, 3)
    assert ckpt.latest_step() is None
    ckpt.close()


def test_sample_cli_on_a_non_workdir_says_so(tmp_path):
    proc = run_cli("jaxgan.sample", f"--workdir={tmp_path}", f"--output={tmp_path / 'x.npy'}", check=False)
    assert proc.returncode != 0 and "is it a jaxgan workdir?" in proc.stderr


def test_a_relative_workdir_trains_and_samples(tmp_path, monkeypatch):
    """The README's command gives `--workdir runs/ring8`, relative; Orbax wants absolute paths.

    `jaxgan.main` hands the flag's string to `train_and_evaluate` as is; training runs in this process
    (a subprocess costs ~7 s of imports), sampling through the CLI.
    """
    monkeypatch.chdir(tmp_path)
    train.train_and_evaluate(tiny_config(total_steps=4), "runs/rel")
    env = dict(os.environ)  # conftest's XLA_FLAGS (fake devices, compile options) and JAX_PLATFORMS
    args = ["jaxgan.sample", "--workdir=runs/rel", "--num=5", "--output=s.npy"]
    proc = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert np.load(tmp_path / "s.npy").shape == (5, 2)


def test_a_run_stopped_during_its_final_eval_keeps_its_final_checkpoint(tmp_path, monkeypatch):
    """The checkpoint is written before the (possibly hour-long) eval, so a stop during it loses no steps."""

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt("stopped during the eval")

    monkeypatch.setattr(train, "_write_eval", stopped)
    c = tiny_config(total_steps=6, eval_every_steps=6, checkpoint_every_steps=4)
    with pytest.raises(KeyboardInterrupt):
        train.train_and_evaluate(c, str(tmp_path))
    assert Checkpointer(tmp_path, 4, 3).latest_step() == 6


def test_profile_steps_writes_a_trace_and_a_bad_range_is_refused(tmp_path):
    train.train_and_evaluate(tiny_config(total_steps=4, profile_steps="2,3"), str(tmp_path / "w"))
    assert list((tmp_path / "w" / "profile").rglob("*.xplane.pb"))
    with pytest.raises(ConfigError, match=r"config.profile_steps must be 'a,b' with 1 <= a <= b"):
        train.train_and_evaluate(tiny_config(profile_steps="5,2"), str(tmp_path / "x"))
