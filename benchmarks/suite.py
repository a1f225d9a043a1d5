"""The whole speed suite in one command: every network class's train step, the input pipeline, the PyTorch twin.

  python benchmarks/suite.py --output runs/benchmarks.json [--steps 5] [--rounds 3] [--dtype float32|bfloat16]

For each case (a network class in its experiment's setting; see CASES) it
times the real compiled train step on synthetic data (`step_speed.benchmark`)
and reports steps/s, images/s, compile time, GFLOP per step (XLA's cost
analysis) and MFU: achieved FLOP/s over the device's peak. Peaks come from
PEAK_TFLOPS for accelerators; on CPU the "peak" is measured here, as the best
of a few large float32 matmuls (so CPU MFU says how close the step gets to
this machine's own matmul speed). It also reads real prepared Fashion-MNIST
through the training input pipeline and reports its images/s against the
dcgan28 step's (training needs the pipeline >= 5x faster than the step).

With torch installed it times the PyTorch twin of the dcgan32 step
(`benchmarks/torch_twin.py`) in the same run, alternating `--rounds` rounds
of jaxgan and twin, and reports the median of the per-round ratios
jaxgan/twin: only same-run ratios compare, never figures from another day.
Prints a table and writes everything to `--output` as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import step_speed  # noqa: E402
import torch_twin  # noqa: E402

from jaxgan.config import load_experiment, set_dotted  # noqa: E402

_OUTPUT = flags.DEFINE_string("output", "runs/benchmarks.json", "Where the JSON goes.")
_STEPS = flags.DEFINE_integer("steps", 5, "Timed steps per case and round (after one warm-up step).")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Alternating jaxgan/twin rounds for the dcgan32 ratio.")
_DTYPE = flags.DEFINE_enum("dtype", "float32", ["float32", "bfloat16"], "config.model.dtype of every case.")
_CASES = flags.DEFINE_list("cases", [], "Only these cases (default: all).")

# case -> (experiment[:arg] or benchmark config path, data shape, batch size[, config overrides])
CASES = {
    "mlp": ("ring8", (2,), 256),
    "ali_joint_mlp": ("ring8_ali", (2,), 256),
    "dcgan28": ("dcgan_fashion_mnist", (28, 28, 1), 64),
    "infogan28": ("lucic_fashion_mnist:ns", (28, 28, 1), 64),
    "dcgan32": ("benchmarks/configs/dcgan32.py", (32, 32, 3), 64),
    # A lever: D once on [real; fake] (family.fused_d_pass; the same arithmetic for this D).
    "dcgan32_fused_d": ("benchmarks/configs/dcgan32.py", (32, 32, 3), 64, {"family.fused_d_pass": True}),
}
# Dense peak TFLOP/s per device (vendor figures): bfloat16 tensor-core/MXU, and float32 (TF32 on NVIDIA).
PEAK_TFLOPS = {
    "H200": {"bfloat16": 989.0, "float32": 494.0},
    "H100": {"bfloat16": 989.0, "float32": 494.0},
    "A100": {"bfloat16": 312.0, "float32": 156.0},
    "TPU v4": {"bfloat16": 275.0, "float32": 275.0},
    "TPU v5 lite": {"bfloat16": 197.0, "float32": 197.0},
    "TPU v5e": {"bfloat16": 197.0, "float32": 197.0},
    "TPU v5p": {"bfloat16": 459.0, "float32": 459.0},
}


def load_config(spec: str):
    if spec.endswith(".py"):
        import importlib.util

        module_spec = importlib.util.spec_from_file_location("bench_config", spec)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return module.get_config()
    name, _, arg = spec.partition(":")
    return load_experiment(name, arg or None)


def peak_tflops(dtype: str) -> tuple[float, str]:
    """This device's peak TFLOP/s for `dtype`, and where the figure comes from."""
    kind = jax.devices()[0].device_kind
    for name, peaks in PEAK_TFLOPS.items():
        if name.lower() in kind.lower():
            return peaks[dtype], f"{name} datasheet"
    n = 2048
    a = jnp.ones((n, n), jnp.float32 if dtype == "float32" else jnp.bfloat16)
    matmul = jax.jit(lambda x: x @ x)
    jax.block_until_ready(matmul(a))
    best = min(_timed(lambda: jax.block_until_ready(matmul(a))) for _ in range(5))
    return 2 * n**3 / best / 1e12, f"measured ({n}x{n} {dtype} matmul on {kind})"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def case_config(name: str, dtype: str):
    """The config of suite case `name` in `dtype`, and its data shape."""
    spec, shape, batch, *overrides = CASES[name]
    config = load_config(spec)
    config.batch_size, config.model.dtype = batch, dtype
    for key, value in (overrides[0] if overrides else {}).items():
        set_dotted(config, key, value)
    return config, shape


def step_case(name: str, steps: int, dtype: str) -> dict:
    config, shape = case_config(name, dtype)
    result = step_speed.benchmark(config, shape, steps)
    return {"config": CASES[name][0], "shape": list(shape), "batch_size": config.batch_size, **result}


def input_pipeline(batches: int = 50) -> dict:
    """Real prepared Fashion-MNIST through the training pipeline's reader: images/s (batch 64).

    Two figures: the first epoch, which decodes every image, and the same
    steps again, which read the decoded examples kept in memory
    (`jaxgan.data.images.CACHE_MAX_BYTES`), as every later epoch does.
    `images_per_s` is the latter, the rate of all but the first epoch.
    """
    from jaxgan.data import build_dataset

    config = load_experiment("dcgan_fashion_mnist")
    try:
        dataset = build_dataset(config)
    except Exception as e:  # noqa: BLE001 - not prepared: say how, skip the figure
        return {"error": f"{e}"}
    dataset.local_batch(0, 64)

    def rate() -> float:
        start = time.perf_counter()
        for step in range(1, batches + 1):
            dataset.local_batch(step, 64)
        return 64 * batches / (time.perf_counter() - start)

    first = rate()
    return {"dataset": "fashion_mnist", "batch_size": 64, "first_epoch_images_per_s": first, "images_per_s": rate()}


def main(argv):
    del argv
    dtype = _DTYPE.value
    peak, peak_source = peak_tflops(dtype)
    device = {"kind": jax.devices()[0].device_kind, "backend": jax.default_backend(), "count": jax.device_count(),
              "cpu_cores": os.cpu_count(), "peak_tflops": peak, "peak_source": peak_source, "dtype": dtype}
    out = {"date": time.strftime("%Y-%m-%d"), "jax": jax.__version__, "device": device, "cases": {}}
    print(f"{device['count']} x {device['kind']} ({device['backend']}, {device['cpu_cores']} CPU cores), {dtype}; "
          f"peak {peak:.3g} TFLOP/s per device ({peak_source})", flush=True)
    for name in _CASES.value or CASES:
        try:
            r = step_case(name, _STEPS.value, dtype)
        except Exception as e:  # noqa: BLE001 - one broken case must not lose the others' figures
            out["cases"][name] = {"error": f"{type(e).__name__}: {e}"}
            print(f"{name:14s} FAILED: {type(e).__name__}: {e}", flush=True)
            continue
        r["mfu"] = r["gflop_per_step"] * jax.device_count() * r["steps_per_s"] / (peak * 1e3)
        out["cases"][name] = r
        print(f"{name:14s} {r['steps_per_s']:9.3f} steps/s {r['images_per_s']:9.1f} images/s  compile "
              f"{r['compile_s']:5.1f} s  {r['gflop_per_step']:8.3f} GFLOP/step  MFU {100 * r['mfu']:.2f}%", flush=True)
    out["input_pipeline"] = input_pipeline()
    if "images_per_s" in out["cases"].get("dcgan28", {}) and "images_per_s" in out["input_pipeline"]:
        pipe, step_rate = out["input_pipeline"], out["cases"]["dcgan28"]["images_per_s"]
        pipe["times_dcgan28_step"] = pipe["images_per_s"] / step_rate
        pipe["first_epoch_times_dcgan28_step"] = pipe["first_epoch_images_per_s"] / step_rate
        print(f"input pipeline {pipe['images_per_s']:.0f} images/s = {pipe['times_dcgan28_step']:.1f}x the dcgan28 "
              f"step (first epoch, decoding: {pipe['first_epoch_images_per_s']:.0f} images/s = "
              f"{pipe['first_epoch_times_dcgan28_step']:.1f}x)")
    else:
        print("input pipeline:", out["input_pipeline"])
    try:
        out["torch_twin"] = twin_ratio(_STEPS.value, _ROUNDS.value, dtype)
    except Exception as e:  # noqa: BLE001 - keep the figures measured so far
        out["torch_twin"] = {"error": f"{type(e).__name__}: {e}"}
    print("dcgan32 jaxgan/twin:", json.dumps(out["torch_twin"]))
    os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
    with open(_OUTPUT.value, "w") as f:
        json.dump(out, f, indent=2)
    print("wrote", _OUTPUT.value)


def twin_ratio(steps: int, rounds: int, dtype: str) -> dict:
    """Alternating rounds of the jaxgan dcgan32 step and its PyTorch twin; the median same-round ratio."""
    try:
        import torch
    except ImportError:
        return {"error": "torch is not installed: pip install torch (CPU wheel)"}
    # The twin at its best: each round times both of PyTorch's memory formats and keeps the faster.
    # On a GPU backend it runs on the same GPU (CUDA), in the same precision.
    device = "cuda" if jax.default_backend() == "gpu" and torch.cuda.is_available() else "cpu"
    jax_rates, twin_rates, layouts = [], [], []
    for _ in range(rounds):
        jax_rates.append(step_case("dcgan32", steps, dtype)["steps_per_s"])
        twins = [torch_twin.benchmark(steps, channels_last=cl, device=device, dtype=dtype) for cl in (False, True)]
        best = max(twins, key=lambda t: t["steps_per_s"])
        twin_rates.append(best["steps_per_s"])
        layouts.append({str(t["channels_last"]): t["steps_per_s"] for t in twins})
    ratios = [a / b for a, b in zip(jax_rates, twin_rates)]
    return {"jaxgan_steps_per_s": jax_rates, "twin_steps_per_s": twin_rates, "twin_by_channels_last": layouts,
            "ratios": ratios, "median_ratio": float(np.median(ratios)), "twin_device": device, "twin_dtype": dtype}


if __name__ == "__main__":
    app.run(main)
