"""Samples exported from a run and scored elsewhere score exactly as `jaxgan.evaluate` scores the run."""

import json

import numpy as np
import pytest

from conftest import tiny_config
from jaxgan import experiment, sampling, train
from jaxgan.evaluation import evaluators
from jaxgan.tools import export_eval_samples, score_samples
from test_train import SMOKE, run_cli


def test_exported_eval_samples_score_as_evaluate_does(tmp_path):
    c = tiny_config(**{"ema.decay": 0.9, "ema.extra_decays": (0.05,)})
    train.train_and_evaluate(c, str(tmp_path / "run"))
    exp, state = experiment.restore_latest(tmp_path / "run")
    exported = []
    for use_ema, decay, label, standing in ((True, None, "ema", 0), (False, None, "raw", 0),
                                            (True, 0.05, "ema@0.05", 0), (True, None, "ema", 2)):
        with exp.config.unlocked():
            exp.config.eval.standing_stats = standing
        want = evaluators.evaluate(exp, sampling.with_ema_decay(state, c.ema, decay), use_ema=use_ema).results
        samples, meta = export_eval_samples.export(str(tmp_path / "run"), use_ema, ema_decay=decay,
                                                   standing=standing)
        assert meta == {"step": 8, "seed": c.seed, "generator": label, "num_samples": 200,
                        **({"standing_stats": standing} if standing else {})}
        want.pop("generator")
        assert want.pop("standing_stats", 0) == standing
        got = score_samples.score(exp.config, samples)
        assert got == want
        exported.append(samples)
    # --noema exports the live G, --ema_decay another average, standing statistics other BatchNorm statistics:
    # four different generators
    assert not any(np.array_equal(exported[i], exported[j]) for i in range(4) for j in range(i + 1, 4))
    with pytest.raises(ValueError, match="--noema samples the live generator; --ema_decay picks an EMA"):
        export_eval_samples.export(str(tmp_path / "run"), False, ema_decay=0.05)


def test_export_and_score_clis_and_a_wrong_shape(tmp_path):
    c = tiny_config()
    train.train_and_evaluate(c, str(tmp_path / "run"))
    out = tmp_path / "samples.npy"
    run_cli("jaxgan.tools.export_eval_samples", f"--workdir={tmp_path / 'run'}", f"--output={out}", "--float16",
            "--num=64")
    samples = np.load(out)
    assert samples.shape == (64, 2) and samples.dtype == np.float16
    scores = tmp_path / "ring8_s0.json"
    proc = run_cli("jaxgan.tools.score_samples", f"--config={SMOKE}", f"--samples={out}", f"--output={scores}")
    assert '"num_samples": 64' in proc.stdout
    # The scores file says what was scored (the export's sidecar), so image_table makes it a row.
    got = json.loads(scores.read_text())
    assert {k: got[k] for k in ("dataset", "step", "generator", "float16")} == {
        "dataset": "ring8", "step": 8, "generator": "raw", "float16": True}
    table = run_cli("jaxgan.tools.image_table", str(tmp_path / "run"), str(scores)).stdout
    run_row, score_row = table.splitlines()[2:4]
    assert run_row.startswith("| run | ring8 | 8 |") and score_row.startswith("| ring8_s0 | ring8 | 8 |"), table
    assert "[2] 64 samples; HQ = within 3 sigma" in table  # the scores' own protocol line
    (tmp_path / "other.json").write_text('{"fid": 1.0}')
    proc = run_cli("jaxgan.tools.image_table", str(tmp_path / "other.json"), check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "is not a scores file of python -m jaxgan.tools.score_samples" in proc.stderr
    sidecar = tmp_path / "samples.json"
    before = sidecar.read_text()
    proc = run_cli("jaxgan.tools.score_samples", f"--config={SMOKE}", f"--samples={out}", f"--output={sidecar}",
                   check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "is the export's own description of the samples" in proc.stderr and sidecar.read_text() == before
    np.save(tmp_path / "bad.npy", np.zeros((8, 3), np.float32))
    proc = run_cli("jaxgan.tools.score_samples", f"--config={SMOKE}", f"--samples={tmp_path / 'bad.npy'}", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "The samples are (3,) images, but ring8 has (2,)" in proc.stderr
    for args, message in (([f"--workdir={tmp_path / 'none'}", f"--output={out}"], "No config.json in"),
                          ([f"--workdir={tmp_path / 'run'}", f"--output={tmp_path / 'x.png'}"], "must end in .npy")):
        proc = run_cli("jaxgan.tools.export_eval_samples", *args, check=False)
        assert proc.returncode != 0 and "Traceback" not in proc.stderr and message in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "x.png").exists()
