"""shard_map vs pmap, and 1 device vs several."""

import jax

from conftest import NUM_FAKE_DEVICES, tiny_config
from helpers import assert_trees_close, assert_trees_equal, build, max_abs_diff, params_of, run_steps

STEPS = 4


def test_shard_map_and_pmap_give_the_same_parameters():
    exp = build(tiny_config(**{"ema.decay": 0.99}))
    assert exp.mesh.size == NUM_FAKE_DEVICES
    via_shard_map = run_steps(exp, STEPS, "shard_map")
    via_pmap = run_steps(exp, STEPS, "pmap")
    assert_trees_equal(params_of(via_shard_map), params_of(via_pmap))


def test_one_device_and_several_agree_within_float_tolerance():
    # Latents are drawn for the global batch and BatchNorm statistics are
    # global, so only the order of float reductions differs between layouts.
    # SGD: Adam's first steps divide by sqrt(v), which turns float noise in
    # near-zero gradients into whole learning-rate steps.
    config = tiny_config(**{"optimizer.g.name": "sgd", "optimizer.d.name": "sgd"})
    one = run_steps(build(config, num_devices=1), STEPS)
    several = run_steps(build(config), STEPS)
    print("max |1 device - 2 devices| =", max_abs_diff(params_of(one), params_of(several)))
    assert_trees_close(params_of(one), params_of(several), rtol=1e-4, atol=1e-5)
    assert jax.device_count() > 1


def test_sharded_map_covers_every_row_and_reports_long_maps(caplog):
    """Any row count (padded to the devices, padding dropped); `progress` names the work in the log."""
    import logging

    import numpy as np

    from jaxgan.parallel import sharded_map

    rows = np.arange(10, dtype=np.float32)[:, None]
    with caplog.at_level(logging.INFO):
        out = sharded_map(lambda scale, x: {"y": x * scale}, np.float32(2.0), rows, batch_size=4,
                          progress="doubling")
    np.testing.assert_array_equal(out["y"], rows * 2)
    assert "doubling: 4 of 10 rows" in caplog.text
