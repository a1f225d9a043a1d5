"""The family seam kept the GAN's arithmetic: runs recorded before it (tests/goldens) give the same samples."""

import pathlib

import jax
import numpy as np
import pytest

import golden_runs
from golden_runs import OTHER_MACHINE_ATOL, RECORDED_HERE
from jaxgan import experiment, sampling, train

GOLDENS = pathlib.Path(__file__).parent / "goldens"


def assert_matches_golden(got, want, what: str) -> None:
    """Bit for bit on the machine kind that recorded the goldens; within `OTHER_MACHINE_ATOL` elsewhere."""
    if RECORDED_HERE:
        np.testing.assert_array_equal(got, want, err_msg=what)
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=OTHER_MACHINE_ATOL, err_msg=f"{what} (other machine)")


@pytest.mark.parametrize("name", sorted(golden_runs.RUNS))
def test_samples_equal_those_recorded_before_the_family_seam(name, tmp_path):
    config = golden_runs.RUNS[name]()
    with golden_runs.data_context(name):
        train.train_and_evaluate(config, str(tmp_path))
        exp, state = experiment.restore_latest(tmp_path)
    key = jax.random.key(golden_runs.SAMPLE_SEED)
    golden = np.load(GOLDENS / f"{name}.npz")
    for tag, use_ema in (("ema", True), ("raw", False)):
        got = sampling.predictions(exp.family, state, use_ema)["generate"](key, golden_runs.num_samples(name))
        assert_matches_golden(got, golden[tag], f"{name} {tag}")
