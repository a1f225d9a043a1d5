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
