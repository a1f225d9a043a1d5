"""The benchmark scripts time and count the program that training runs."""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import count_flops  # noqa: E402
import step_speed  # noqa: E402
import suite  # noqa: E402


def test_step_speed_times_a_real_step_and_count_flops_counts_the_same_program():
    config, shape = suite.case_config("mlp", "float32")
    result = step_speed.benchmark(config, shape, steps=2)
    assert result["steps_per_s"] > 0
    assert math.isclose(result["images_per_s"], config.batch_size * result["steps_per_s"])
    assert result["gflop_source"] == "lowered" and result["gflop_per_step"] > 0
    # count_flops builds its step through the same `build_step`: the same lowered program, the same count.
    assert math.isclose(count_flops.lowered_gflops("mlp", "float32"), result["gflop_per_step"])


def test_layer_speed_counts_each_layers_flops_and_times_both_frameworks(monkeypatch):
    import layer_speed
    from helpers import require

    # The dcgan32 layer list: G's 4x4 s2 transposed conv from 4x4x512 to 8x8x256, by hand.
    assert math.isclose(layer_speed.gflop(layer_speed.LAYERS[0], 64), 3 * 2 * 64 * 4 * 4 * 16 * 512 * 256 / 1e9)
    # A strided conv counts its output pixels: 4x4 s2 from 32x32x64 to 16x16x64.
    assert math.isclose(layer_speed.gflop(layer_speed.LAYERS[5], 64), 3 * 2 * 64 * 16 * 16 * 16 * 64 * 64 / 1e9)
    try:
        import torch  # noqa: F401
    except ImportError:
        torch = None
    require(torch is not None, "torch (pip install torch) for the PyTorch side of layer_speed")
    tiny = [("convT", True, 4, 8, 4, 4, 2, 1), ("conv s2", False, 8, 4, 8, 4, 2, 1)]
    monkeypatch.setattr(layer_speed, "LAYERS", tiny)
    rows = layer_speed.measure(batch=2, rounds=1, repeats=1, impl="auto")
    assert [r["layer"] for r in rows] == ["convT", "conv s2"]
    assert all(r["jax_ms"] > 0 and r["torch_ms"] > 0 and r["torch_layout"] in ("cl", "nchw") for r in rows)


def test_step_speed_times_families_whose_batches_carry_labels():
    """StarGAN's batches carry domain labels and its networks read `dataset.task`: both come from the real data."""
    from jaxgan import config as config_lib

    config = config_lib.load_experiment("stargan_attributed_fashion_mnist", "smoke")
    data = step_speed.synthetic_like(config, (32, 32, 3))
    batch = data.local_batch(0, 4)
    assert set(batch) == {"x", "attributes", "domain"} and data.task is not None
    assert batch["domain"].dtype.kind == "i" and batch["x"].dtype == "float32"
    built = step_speed.build_step(config, (32, 32, 3))
    assert built.updates == "d x2, g"
    assert step_speed.cost_gflops(built.lower()) > 0  # the step traces on them (compiling and timing it is
    # what the test above does for the same code path)
