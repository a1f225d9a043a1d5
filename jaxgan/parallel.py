"""Device mesh, the two ways to run a per-device step, and batch placement.

The train step is written per device with named-axis collectives over
`DATA_AXIS` (pmap semantics). `shard_step` runs it under `jax.jit` +
`jax.shard_map` over a 1-D mesh (the default path); `pmap_step` runs the very
same function under `jax.pmap`, which tests use as a reference.

Batches have a leading axis of the batches one step reads: `[num_batches, global_batch, ...]`, split
over devices along axis 1.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import jax
import numpy as np
from absl import logging
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

DATA_AXIS = "data"
BATCH_SPEC = P(None, DATA_AXIS)

StepFn = Callable[[Any, Any, jax.Array], tuple[Any, Any]]


def make_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A 1-D data-parallel mesh over `devices` (default: all devices)."""
    devices = list(jax.devices() if devices is None else devices)
    return jax.make_mesh(
        (len(devices),), (DATA_AXIS,), axis_types=(jax.sharding.AxisType.Explicit,), devices=devices
    )


def process_mesh() -> Mesh:
    """A 1-D mesh of one device per process (each process's first): where predictions run.

    One process: a single device, so predictions do not depend on how many
    devices a run had. Several processes: each computes an even share of the
    rows, and `sharded_map` gathers the whole result on every process.
    """
    first: dict[int, jax.Device] = {}
    for device in sorted(jax.devices(), key=lambda d: d.id):
        first.setdefault(device.process_index, device)
    return make_mesh([first[p] for p in sorted(first)])


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def check_batch_size(global_batch_size: int, num_devices: int, num_processes: int = 1) -> None:
    """Raises a clear error unless the global batch splits evenly."""
    for count, what in ((num_devices, "device"), (num_processes, "process")):
        if global_batch_size % count:
            raise ValueError(
                f"batch_size={global_batch_size} is not divisible by the {what} count "
                f"{count}. Set --config.batch_size to a multiple of {count} "
                f"(e.g. {max(count, global_batch_size // count * count)})."
            )


def shard_step(step_fn: StepFn, mesh: Mesh, donate: bool = True) -> StepFn:
    """Compiles a per-device step under jit + shard_map over `mesh`.

    State and rng are replicated; the batch is split along its batch axis.
    `check_vma=False` keeps pmap semantics: gradients are averaged only by the
    step's own `lax.pmean`, exactly as under `jax.pmap`.
    """
    mapped = jax.shard_map(
        step_fn,
        mesh=mesh,
        in_specs=(P(), BATCH_SPEC, P()),
        out_specs=(P(), P()),
        check_vma=False,
    )
    return jax.jit(mapped, donate_argnums=(0,) if donate else ())


def pmap_step(step_fn: StepFn, devices: Sequence[jax.Device]) -> Callable:
    """The same per-device step under `jax.pmap` (reference path).

    Takes a state replicated with a leading device axis (`stack_replicas`) and
    a batch `[num_batches, global_batch, ...]`; returns stacked outputs.
    """
    n = len(devices)
    mapped = jax.pmap(step_fn, axis_name=DATA_AXIS, in_axes=(0, 1, None), devices=devices)

    def run(state, batch, rng):
        split = jax.tree.map(lambda x: x.reshape(x.shape[0], n, x.shape[1] // n, *x.shape[2:]), batch)
        return mapped(state, split, rng)

    return run


def stack_replicas(tree: Any, devices: Sequence[jax.Device]) -> Any:
    """One replica of `tree` per device, stacked on a leading axis, placed as `pmap` places its outputs.

    Placing the first input exactly like the outputs that later steps get back
    makes `pmap_step` compile once instead of twice (a host array and a
    device-sharded one are different inputs to the jit under `jax.pmap`).
    """
    devices = list(devices)
    sharding = NamedSharding(Mesh(np.array(devices), (DATA_AXIS,)), P(DATA_AXIS))

    def put(x: np.ndarray) -> jax.Array:
        return jax.device_put(np.broadcast_to(x, (len(devices), *x.shape)), sharding)

    def stack(x: Any) -> jax.Array:
        if jax.dtypes.issubdtype(getattr(x, "dtype", None), jax.dtypes.prng_key):  # typed keys: via their data
            return jax.random.wrap_key_data(put(np.asarray(jax.random.key_data(x))), impl=jax.random.key_impl(x))
        return put(np.asarray(x))

    return jax.tree.map(stack, jax.device_get(tree))


def place_batch(local_batch: dict[str, np.ndarray], mesh: Mesh) -> dict[str, jax.Array]:
    """Puts this process's rows of a batch onto the mesh as one global array.

    Each process passes only its own shard `[num_batches, local_batch, ...]`; the
    result is a global `[num_batches, global_batch, ...]` array split over devices.
    """
    sharding = NamedSharding(mesh, BATCH_SPEC)
    return {
        k: jax.make_array_from_process_local_data(
            sharding, v, (v.shape[0], v.shape[1] * jax.process_count(), *v.shape[2:])
        )
        for k, v in local_batch.items()
    }


def must_block_each_step() -> bool:
    """True where back-to-back steps with collectives can deadlock (XLA:CPU).

    On CPU with several devices, dispatching collective-bearing steps without
    waiting can hang XLA's CPU runtime; accelerators stay asynchronous.
    """
    return jax.default_backend() == "cpu"


def sharded_map(
    fn: Callable[[Any, Any], Any], params: Any, inputs: Any, batch_size: int = 256, mesh: Mesh | None = None,
    progress: str | None = None,
) -> Any:
    """Applies `jit(fn)(params, batch)` over the rows of `inputs` in batches split across the mesh's devices.

    The way evaluation runs networks (extractors, predictions): no
    collectives, so `fn` sees its device's rows only. The last batch is padded
    to a whole number of per-device rows and the padding dropped, so any row
    count works. Returns `fn`'s outputs for all rows, as numpy, concatenated
    along the first axis.

    Args:
      fn: a pure function of (params, rows) -> pytree of `[B, ...]` arrays.
      params: replicated on every device.
      inputs: an array or pytree of arrays `[N, ...]` (numpy or jax).
      batch_size: rows per call (rounded up to a multiple of the device count).
      mesh: a 1-D mesh over `DATA_AXIS` (default: all devices).
      progress: when given, names the work in a log line at most once a minute
        (`progress: 2048 of 10000 rows`), for maps that take minutes to an hour
        (10k Inception features on a CPU).
    """
    mesh = make_mesh() if mesh is None else mesh
    n_dev = mesh.size
    batch_size = -(-batch_size // n_dev) * n_dev
    rows = NamedSharding(mesh, P(DATA_AXIS))
    params = jax.tree.map(lambda x: to_global(x, NamedSharding(mesh, P())), params)
    jitted = _compiled(fn, mesh)
    total = len(jax.tree.leaves(inputs)[0])
    outs = []
    for start in range(0, total, batch_size):
        if progress and start:
            logging.log_every_n_seconds(logging.INFO, "%s: %d of %d rows", 60, progress, start, total)
        chunk = jax.tree.map(lambda x: np.asarray(x[start : start + batch_size]), inputs)
        n = len(jax.tree.leaves(chunk)[0])
        pad = -n % n_dev
        if pad:
            chunk = jax.tree.map(lambda x: np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]), chunk)
        out = jitted(params, jax.tree.map(lambda x: to_global(x, rows), chunk))
        outs.append(jax.tree.map(lambda x: to_host(x)[:n], out))
    return jax.tree.map(lambda *xs: np.concatenate(xs), *outs)


def to_global(x: Any, sharding: NamedSharding) -> jax.Array:
    """`x` as one global array with `sharding`, in single- and multi-process runs alike.

    `x` is a global array or a host value that is the same on every process
    (each process then places only its own devices' part).
    """
    if isinstance(x, jax.Array):
        if x.sharding == sharding:
            return x
        if jax.process_count() == 1:
            return jax.device_put(x, sharding)
        x = to_host(x)
    if jax.process_count() == 1:
        return jax.device_put(np.asarray(x), sharding)
    host = np.asarray(x)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def to_host(x: jax.Array) -> np.ndarray:
    """The whole of a global array on every process (gathered across processes when it spans several)."""
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        from jax.experimental import multihost_utils

        return np.asarray(multihost_utils.process_allgather(x, tiled=True))
    return np.asarray(x)


_COMPILED: dict[tuple[Callable, Mesh], Callable] = {}


def _compiled(fn: Callable, mesh: Mesh) -> Callable:
    """`fn` per device under jit + shard_map, built once per (fn, mesh) so repeated evals do not re-trace."""
    key = (fn, mesh)
    if key not in _COMPILED:
        _COMPILED[key] = jax.jit(
            jax.shard_map(fn, mesh=mesh, in_specs=(P(), P(DATA_AXIS)),
                          out_specs=P(DATA_AXIS), check_vma=False)
        )
    return _COMPILED[key]
