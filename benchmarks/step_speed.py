"""Speed of one experiment's real train step on synthetic data.

  python benchmarks/step_speed.py --config experiments/X.py [--steps N] [--batch_size B] [--image_shape H,W,C]

Builds the experiment's networks, optimizers and train step exactly as training
does (`experiment.build`, `step.make_train_step`, `parallel.shard_step`), but
feeds one fixed batch of uniform noise in [-1, 1] of the data's shape, so no
dataset is read and input time is excluded. The data shape is `--image_shape`,
or else the configured dataset's (if that cannot be built, it says to pass
`--image_shape`). After one warm-up step it times `--steps` steps (default
10), each waited for.

Prints two lines: what runs (G/D, data shape, global batch, the convolution
implementation each network resolves to, device count, kind and backend);
then compile time, GFLOP per step from XLA's cost analysis of the lowered
program (one device's share; see `cost_gflops`), the median step time, the
median process CPU time per step (all threads), the mean step time, steps/s,
images/s (global batch x steps/s from the median) and the family's updates
per step (`d x5, g`: StarGAN's 5 D updates, then one G update). On a shared machine, wall time / CPU time shows how much of it we got.
Override config values as in training, e.g.
`--config.model.g.conv_impl=xla --config.model.d.conv_impl=xla` for XLA's own
strided and transposed convolutions; the config is locked, so only keys it
sets can be overridden (benchmarks/configs/dcgan32.py sets `conv_impl`, the
experiments' configs do not). See benchmarks/README.md.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from typing import Any, Callable

import jax
import ml_collections
import numpy as np
from absl import app, flags
from ml_collections import config_flags

from jaxgan import config as config_lib
from jaxgan import experiment, parallel
from jaxgan.data import DATASETS, build_dataset
from jaxgan.models.conv import resolve_impl
from jaxgan.step import make_train_step

FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags; only when run as a program, so benchmarks/suite.py can import this module."""
    config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
    flags.DEFINE_integer("steps", 10, "Timed steps (after one warm-up step).")
    flags.DEFINE_integer("batch_size", None, "Global batch size (default: the config's).")
    flags.DEFINE_string("image_shape", "", "Data shape H,W,C (default: the configured dataset's).")
    flags.mark_flags_as_required(["config"])

SYNTHETIC = "benchmark_synthetic"
_DATA: list["SyntheticData | None"] = [None]


@dataclasses.dataclass(frozen=True)
class SyntheticData:
    """One fixed batch of uniform noise in [-1, 1], whatever the step.

    `x` of `element_shape` by default; datasets with other image keys (paired
    `input`/`target`, unpaired `a`/`b`) get noise of the same keys and shapes
    (`input` of `input_shape`). A dataset with label keys (StarGAN's
    `attributes`/`domain`) is kept as `source`: its labels come from its
    real first batch, and attributes the family reads (`task`) from it.
    """

    element_shape: tuple[int, ...]
    keys: tuple[str, ...] = ("x",)
    input_shape: tuple[int, ...] | None = None
    source: Any = None

    def local_batch(
        self, step: int, global_batch: int, num_batches: int = 1, process_index: int = 0, process_count: int = 1
    ) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(0)
        lead = (num_batches, global_batch // process_count)
        real = (self.source.local_batch(0, global_batch, num_batches, process_index, process_count)
                if self.source is not None else {})
        return {k: real[k] if k in real and k not in IMAGE_KEYS else
                rng.uniform(-1.0, 1.0, (*lead, *(self.input_shape if k == "input" else self.element_shape)))
                .astype(np.float32) for k in self.keys}

    def __getattr__(self, name: str) -> Any:
        source = self.__dict__.get("source")
        if source is None:
            raise AttributeError(name)
        return getattr(source, name)


IMAGE_KEYS = ("x", "input", "target", "a", "b")


def synthetic_like(config: ml_collections.ConfigDict, shape: tuple[int, ...]) -> SyntheticData:
    """Noise data with the batch keys of the configured dataset (its shapes, for keys other than `x`)."""
    keys = tuple(DATASETS.meta(config.data.name).get("batch_keys", ("x",)))
    if keys == ("x",):
        return SyntheticData(tuple(shape))
    real = build_dataset(config)
    source = real if set(keys) - set(IMAGE_KEYS) else None
    return SyntheticData(tuple(real.element_shape), keys, tuple(getattr(real, "input_shape", real.element_shape)),
                         source)


def data_shape(config: ml_collections.ConfigDict, image_shape: str) -> tuple[int, ...]:
    """`image_shape` as a tuple, or the element shape of the configured dataset."""
    if image_shape:
        return tuple(int(n) for n in image_shape.split(","))
    try:
        return tuple(build_dataset(config).element_shape)
    except Exception as e:  # noqa: BLE001 - any failure means: ask for the shape
        sys.exit(f"Cannot build dataset {config.data.name!r} ({e}); pass --image_shape H,W,C.")


def cost_gflops(stage) -> float:
    """GFLOP of one run of a lowered or compiled program, from XLA's cost analysis.

    Count the lowered program (the step as written, before the backend's own
    rewrites): XLA:GPU compiles convolutions into cuDNN custom calls that its
    cost analysis does not count (a 175-GFLOP dcgan32 step reads as ~1 GFLOP
    compiled), so only the lowered count is the same on every backend.
    """
    cost = stage.cost_analysis()
    if isinstance(cost, (list, tuple)):
        cost = cost[0]
    if not cost:  # jax 0.11's GPU backend analyses no lowered program
        return float("nan")
    return float(cost.get("flops", float("nan"))) / 1e9


def flop_counts(lowered, compiled) -> dict:
    """gflop_per_step (the lowered count, else the compiled one), its source, and both counts."""
    counts = {"gflop_lowered": cost_gflops(lowered), "gflop_compiled": cost_gflops(compiled)}
    source = "lowered" if np.isfinite(counts["gflop_lowered"]) else "compiled"
    return {"gflop_per_step": counts[f"gflop_{source}"], "gflop_source": source, **counts}


@dataclasses.dataclass(frozen=True)
class BuiltStep:
    """The real sharded train step of an experiment and one set of its arguments (synthetic batch)."""

    step: Callable  # jit(shard_map(train step)), as training runs it
    state: Any
    batch: Any
    rng: jax.Array
    updates: str = ""  # the family's updates per step, e.g. "d x5, g"

    def lower(self):
        return self.step.lower(self.state, self.batch, self.rng)


def build_step(config: ml_collections.ConfigDict, shape: tuple[int, ...]) -> BuiltStep:
    """The train step of `config` exactly as training builds it, fed by synthetic data of `shape`.

    The dataset is swapped for `SyntheticData` (one fixed noise batch with
    the configured dataset's batch keys); everything else, networks,
    optimizers, family, mesh and sharding, comes from `experiment.build`.
    Shared by `benchmark` and benchmarks/count_flops.py, so both measure the
    same program.
    """
    data = synthetic_like(config, shape)
    _DATA[0] = data  # read by the registered factory, so one process can time several shapes
    if SYNTHETIC not in DATASETS:
        DATASETS.register(SYNTHETIC, batch_keys=("x",))(lambda c: _DATA[0])
    DATASETS.meta(SYNTHETIC)["batch_keys"] = data.keys
    config = ml_collections.ConfigDict(config.to_dict())
    config.data.name = SYNTHETIC
    exp = experiment.build(config)
    batch = parallel.place_batch(
        exp.dataset.local_batch(0, config.batch_size, exp.family.batches_per_step(), jax.process_index(),
                                jax.process_count()),
        exp.mesh,
    )
    step = parallel.shard_step(make_train_step(exp.family, exp.config), exp.mesh)
    updates = ", ".join(u.group + (f" x{u.repeats}" if u.repeats else "") for u in exp.family.schedule())
    return BuiltStep(step, exp.init_state(), batch, jax.random.key(config.seed), updates)


def benchmark(config: ml_collections.ConfigDict, shape: tuple[int, ...], steps: int) -> dict[str, float]:
    """Compiles and times the train step of `config` on synthetic data of `shape`.

    Returns:
      compile_s, gflop_per_step (lowered program), gflop_compiled (after the
      backend's rewrites), step_s (median), cpu_s_per_step (median
      process CPU time, all threads), step_mean_s (what a penalty applied every k-th step, lazily,
      costs on average: time a multiple of k steps), steps_per_s, images_per_s.
    """
    start = time.perf_counter()
    built = build_step(config, shape)
    state, batch, rng = built.state, built.batch, built.rng
    lowered = built.lower()
    compiled = lowered.compile()
    compile_s = time.perf_counter() - start
    state, _ = compiled(state, batch, rng)  # warm-up
    jax.block_until_ready(state)
    times, cpu_times = [], []
    for _ in range(steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        state, _ = compiled(state, batch, rng)
        jax.block_until_ready(state)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    step_s = float(np.median(times))
    return {
        "step_mean_s": float(np.mean(times)),
        "compile_s": compile_s,
        **flop_counts(lowered, compiled),
        "step_s": step_s,
        "cpu_s_per_step": float(np.median(cpu_times)),
        "steps_per_s": 1.0 / step_s,
        "images_per_s": config.batch_size / step_s,
        "updates": built.updates,
    }


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    config = FLAGS.config
    if FLAGS.batch_size:
        config.batch_size = FLAGS.batch_size
    shape = data_shape(config, FLAGS.image_shape)
    impls = {net: resolve_impl(config.model[net].conv_impl) if "conv_impl" in config.model[net] else "n/a" for net in ("g", "d")}
    print(
        f"{config.model.generator}/{config.model.discriminator} on {shape}, batch {config.batch_size}, "
        f"conv_impl G={impls['g']} D={impls['d']}, "
        f"{jax.device_count()} x {jax.devices()[0].device_kind} ({jax.default_backend()})"
    )
    try:
        r = benchmark(config, shape, FLAGS.steps)
    except config_lib.ConfigError as e:
        sys.exit(f"config error: {e}")
    print(
        f"compile {r['compile_s']:.1f} s | {r['gflop_per_step']:.1f} GFLOP/step | step {r['step_s'] * 1e3:.0f} ms "
        f"(median of {FLAGS.steps}; mean {r['step_mean_s'] * 1e3:.0f} ms; CPU time {r['cpu_s_per_step']:.2f} s) | {r['steps_per_s']:.3f} steps/s | "
        f"{r['images_per_s']:.1f} images/s | updates per step: {r['updates']}"
    )


if __name__ == "__main__":
    define_flags()
    app.run(main)
