"""Orbax checkpoints of the whole GAN state plus run metadata.

A checkpoint holds two items: `state` (both networks, both optimizer states,
their collections, the EMA, the base RNG key and the step) and `meta` (JSON:
the config and the data position). With both, a resumed run continues
bitwise-identically to an uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import flax.serialization
import jax
import orbax.checkpoint as ocp
from etils import epath

from jaxgan.state import GANState


def saveable_tree(state: GANState) -> dict:
    """The state as a nested dict of arrays: what a checkpoint holds."""
    tree = flax.serialization.to_state_dict(state)
    tree["rng"] = jax.random.key_data(state.rng)  # typed keys are saved as raw data
    return tree


def from_saveable_tree(template: GANState, tree: dict) -> GANState:
    tree = dict(tree)
    tree["rng"] = jax.random.wrap_key_data(tree["rng"], impl=jax.random.key_impl(template.rng))
    return flax.serialization.from_state_dict(template, tree)


class Checkpointer:
    """Saves every `every_steps`, keeps the last `keep`, restores the latest.

    Saves are asynchronous; `close()` waits for them, so call it before exit.
    """

    def __init__(self, workdir: str | epath.Path, every_steps: int, keep: int):
        # Orbax needs an absolute path; local workdirs may be given relative (`--workdir runs/ring8`).
        workdir = epath.Path(workdir) if "://" in str(workdir) else epath.Path(workdir).resolve()
        self.directory = workdir / "checkpoints"
        self._every_steps = every_steps
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=keep, create=True, enable_async_checkpointing=True),
            item_names=("state", "meta"),
        )

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def should_save(self, step: int, final: bool = False) -> bool:
        """True at save intervals, at the end, and when a preemption is signalled."""
        return final or step % self._every_steps == 0 or self._manager.reached_preemption(step)

    def save(self, state: GANState, meta: dict[str, Any]) -> None:
        step = int(state.step)
        if step in self._manager.all_steps():
            return
        self._manager.save(
            step,
            args=ocp.args.Composite(state=ocp.args.StandardSave(saveable_tree(state)), meta=ocp.args.JsonSave(meta)),
            force=True,
        )

    def read_meta(self, step: int | None = None) -> dict[str, Any]:
        step = self.latest_step() if step is None else step
        return self._manager.restore(step, args=ocp.args.Composite(meta=ocp.args.JsonRestore()))["meta"]

    def restore(self, template: GANState, step: int | None = None) -> tuple[GANState, dict[str, Any]]:
        """Restores `step` (default latest) into arrays shaped and placed like `template`."""
        step = self.latest_step() if step is None else step
        abstract = jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), saveable_tree(template)
        )
        restored = self._manager.restore(
            step, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract), meta=ocp.args.JsonRestore())
        )
        return from_saveable_tree(template, restored["state"]), restored["meta"]

    def close(self) -> None:
        self._manager.wait_until_finished()
        self._manager.close()
