"""From a dataset's per-process rows to global batches on the device mesh.

Batches are produced and placed by a background thread a few steps ahead, so
the input never makes the step wait. The stream starts at any step, which is
how a resumed run sees exactly the batches an uninterrupted one would.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Iterator

import jax
from jax.sharding import Mesh

from jaxgan.parallel import place_batch


class BatchStream:
    """Iterates placed global batches for steps `start_step, start_step + 1, ...`.

    Args:
      dataset: has `local_batch(step, global_batch, num_batches, index, count)`.
      mesh: the device mesh the batches go on.
      global_batch: examples per batch, over all processes.
      num_batches: batches one train step reads (`family.batches_per_step()`, the leading axis).
      start_step: the first step to produce.
      prefetch: how many batches to prepare ahead.
    """

    def __init__(
        self, dataset: Any, mesh: Mesh, global_batch: int, num_batches: int, start_step: int, prefetch: int = 2
    ):
        self._dataset, self._mesh = dataset, mesh
        self._global_batch, self._num_batches = global_batch, num_batches
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, prefetch))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(start_step,), daemon=True)
        self._thread.start()

    def _produce(self, step: int) -> None:
        try:
            while not self._stop.is_set():
                local = self._dataset.local_batch(
                    step, self._global_batch, self._num_batches, jax.process_index(), jax.process_count()
                )
                item = place_batch(local, self._mesh)
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                step += 1
        except Exception as e:  # surfaced in the training thread by __next__
            self._queue.put(e)

    def __iter__(self) -> Iterator[dict[str, jax.Array]]:
        return self

    def __next__(self) -> dict[str, jax.Array]:
        item = self._queue.get()
        if isinstance(item, Exception):
            raise item
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
