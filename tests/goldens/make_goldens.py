"""Records the golden samples of tests/golden_runs.py (run from the repo root).

  python tests/goldens/make_goldens.py

First recorded at commit c22456a, before the family seam, on the 2-core CPU
machine with 2 fake devices (as the tests run). Re-recorded on 2026-12-02 with
the same pre-seam trainer (commit 4bb8bf4) on another CPU model, whose bits
differ (goldens/machine.json names it; the tests are bit for bit only there).
Recording writes machine.json's fingerprint too.
"""

import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import conftest  # noqa: E402,F401  (fake devices, before JAX starts)
import jax  # noqa: E402
import numpy as np  # noqa: E402

import golden_runs  # noqa: E402
from jaxgan import experiment, sampling, train  # noqa: E402


def record(name: str) -> dict[str, np.ndarray]:
    config = golden_runs.RUNS[name]()
    with tempfile.TemporaryDirectory() as workdir, golden_runs.data_context(name):
        train.train_and_evaluate(config, workdir)
        exp, state = experiment.restore_latest(workdir)
        key = jax.random.key(golden_runs.SAMPLE_SEED)
        out = {}
        for tag, use_ema in (("ema", True), ("raw", False)):
            out[tag] = sampling.predictions(exp.family, state, use_ema)["generate"](key, golden_runs.num_samples(name))
    return out


if __name__ == "__main__":
    assert jax.device_count() == conftest.NUM_FAKE_DEVICES
    for name in golden_runs.RUNS:
        samples = record(name)
        np.savez_compressed(HERE / f"{name}.npz", **samples)
        print(name, {k: (v.shape, float(np.abs(v).mean())) for k, v in samples.items()})
    import json

    from helpers import machine_fingerprint

    machine = json.loads(golden_runs.MACHINE_FILE.read_text()) if golden_runs.MACHINE_FILE.exists() else {}
    machine["fingerprint"] = machine_fingerprint()
    golden_runs.MACHINE_FILE.write_text(json.dumps(machine, indent=2) + "\n")
