"""The family seam: a family and a loss defined outside the package train, resume, sample and evaluate;
bad family config fails with the choices; workdirs from before the seam still resume exactly."""

import importlib
import json
import os
import shutil

import jax
import numpy as np
import pytest

from conftest import tiny_config
from golden_runs import OTHER_MACHINE_ATOL, RECORDED_HERE
from helpers import assert_trees_equal
from jaxgan import experiment, extensions, sampling, train
from jaxgan.checkpoint import saveable_tree
from jaxgan.config import ConfigError
from jaxgan.families import FAMILIES
from jaxgan.losses import LOSSES
from test_train import REPO, run_cli

EXTENSION = os.path.join(REPO, "tests", "extension_experiment.py")
OLD_WORKDIR = os.path.join(REPO, "tests", "goldens", "old_workdir")


@pytest.fixture(scope="module")
def extension_experiment():
    """The experiment file's module, its loss and family registered only while this module's tests run."""
    module = importlib.import_module("extension_experiment")
    yield module
    LOSSES.unregister("my_hinge")
    FAMILIES.unregister("two_generators")


def _state(workdir):
    return jax.device_get(saveable_tree(experiment.restore_latest(workdir)[1]))


def test_a_family_from_a_test_file_trains_checkpoints_resumes_bit_for_bit_and_samples(tmp_path, extension_experiment):
    config = extension_experiment.get_config()
    train.train_and_evaluate(config, str(tmp_path / "full"))
    half = extension_experiment.get_config()
    half.total_steps = 4
    train.train_and_evaluate(half, str(tmp_path / "split"))
    train.train_and_evaluate(config, str(tmp_path / "split"))
    full, split = _state(tmp_path / "full"), _state(tmp_path / "split")
    assert int(full["step"]) == 8 and sorted(full["params"]) == ["discriminator", "g1", "g2"]
    assert sorted(full["opt_state"]) == ["d", "g"] and sorted(full["ema"]) == ["g1", "g2"]
    assert_trees_equal(full, split)
    exp, state = experiment.restore_latest(tmp_path / "full")
    samples = sampling.predictions(exp.family, state)["generate"](jax.random.key(0), 10)
    assert samples.shape == (10, 2) and np.isfinite(samples).all()
    # Both generators trained, and differently (they started from different keys).
    assert not np.allclose(state.params["g1"]["Dense_0"]["kernel"], state.params["g2"]["Dense_0"]["kernel"])


def test_a_loss_and_a_family_from_an_experiment_file_work_at_every_cli(tmp_path):
    workdir = str(tmp_path / "w")
    run_cli("jaxgan.main", f"--config={EXTENSION}", f"--workdir={workdir}")
    recorded = json.loads((tmp_path / "w" / extensions.IMPORTS_FILE).read_text())
    assert {(r["kind"], r["name"]) for r in recorded} == {("loss", "my_hinge"), ("family", "two_generators")}
    run_cli("jaxgan.sample", f"--workdir={workdir}", "--num=20", f"--output={tmp_path / 's.npy'}")
    assert np.load(tmp_path / "s.npy").shape == (20, 2)
    evaluated = json.loads(run_cli("jaxgan.evaluate", f"--workdir={workdir}").stdout)
    final = json.loads((tmp_path / "w" / train.FINAL_EVAL_FILE).read_text())
    assert evaluated["hq_percent"] == final["hq_percent"] and evaluated["step"] == 8
    # Resuming in a new process finds them too.
    resumed = run_cli("jaxgan.main", f"--config={EXTENSION}", f"--workdir={workdir}", "--config.total_steps=12")
    assert "Resumed from" in resumed.stderr


@pytest.mark.parametrize("change, message", [
    ({"family.name": "stylegan9"}, r"Unknown family 'stylegan9'. Choices: ali, cyclegan, fanogan, gan, pix2pix, progan, srgan, stargan"),
    ({"family.posterior": "laplace"}, r"Unknown option\(s\) \['posterior'\] for family 'gan'. Valid options: fused_d_pass"),
    ({"eval.evaluators": "linear_probe"}, r"Evaluator 'linear_probe' needs prediction\(s\) \['encode'\].*makes: generate"),
    ({"eval.evaluators": "fid"}, r"Unknown evaluator 'fid'. Choices: .*samples"),
    ({"model.discriminator": "joint_mlp"}, r"Family 'gan' needs a discriminator of x alone; 'joint_mlp' is not one"),
    ({"penalties": {"r1": {"weight": 1.0, "group": "g2"}}}, r"group 'g2' is not one of family 'gan'"),
])
def test_bad_family_config_fails_before_the_workdir_is_touched(tmp_path, change, message):
    config = tiny_config()
    for key, value in change.items():
        if key == "penalties":
            config.penalties = value
        else:
            parent, leaf = key.split(".")
            config[parent][leaf] = value
    with pytest.raises(ConfigError, match=message):
        train.train_and_evaluate(config, str(tmp_path / "w"))
    assert not (tmp_path / "w").exists()


def _old_workdir_config(total_steps):
    c = tiny_config(total_steps=total_steps)
    c.model.g.hidden = c.model.d.hidden = (4,)
    c.eval.num_samples = 16
    return c


def test_a_workdir_from_before_the_seam_resumes_exactly_like_a_run_made_today(tmp_path):
    """The fixture was trained 4 steps by the old trainer; resumed to 8 it equals today's 8-step run."""
    old = tmp_path / "old"
    shutil.copytree(OLD_WORKDIR, old)
    train.train_and_evaluate(_old_workdir_config(8), str(old))
    train.train_and_evaluate(_old_workdir_config(8), str(tmp_path / "new"))
    if RECORDED_HERE:  # the fixture's first 4 steps ran on this machine kind: bit for bit
        assert_trees_equal(_state(old), _state(tmp_path / "new"))
    else:  # another CPU made the first 4 steps: equal up to its float32 bits, amplified by 4 more steps
        # (measured across two CPU models: 2.2e-3)
        def close(a, b):
            a, b = np.asarray(a), np.asarray(b)
            if np.issubdtype(a.dtype, np.floating):
                np.testing.assert_allclose(a, b, rtol=0, atol=OTHER_MACHINE_ATOL)
            else:  # step, RNG key, data position: exact everywhere
                np.testing.assert_array_equal(a, b)

        jax.tree.map(close, _state(old), _state(tmp_path / "new"))
    run_cli("jaxgan.sample", f"--workdir={old}", "--num=5", f"--output={tmp_path / 's.npy'}")
    assert np.load(tmp_path / "s.npy").shape == (5, 2)


def test_a_workdir_from_before_the_seam_is_refused_for_another_family(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(OLD_WORKDIR, old)
    config = json.loads((old / "config.json").read_text())
    config["family"] = {"name": "ali"}
    config["model"]["discriminator"] = "joint_mlp"
    (old / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="before the family seam"):
        experiment.restore_latest(old)
