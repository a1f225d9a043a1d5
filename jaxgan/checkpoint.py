"""Orbax checkpoints of the whole GAN state plus run metadata.

A checkpoint holds two items: `state` (every network's params and
collections, every group's optimizer state, the EMA, the family's extra state,
the base RNG key and the step) and `meta` (JSON: the config, the data
position and the layout's `format`). With both, a resumed run continues
bitwise-identically to an uninterrupted one. Checkpoints from before the
family seam (format 1) are read too (`upgrade_format_1`).
"""

from __future__ import annotations

from typing import Any

import flax.serialization
import jax
import orbax.checkpoint as ocp
from etils import epath

from jaxgan.state import FORMAT_VERSION, GANState


def saveable_tree(state: GANState) -> dict:
    """The state as a nested dict of arrays: what a checkpoint holds."""
    tree = flax.serialization.to_state_dict(state)
    tree["rng"] = jax.random.key_data(state.rng)  # typed keys are saved as raw data
    return tree


def from_saveable_tree(template: GANState, tree: dict) -> GANState:
    tree = dict(tree)
    tree["rng"] = jax.random.wrap_key_data(tree["rng"], impl=jax.random.key_impl(template.rng))
    return flax.serialization.from_state_dict(template, tree)


def _same_leaves(old: Any, like: Any, what: str, where: epath.Path) -> Any:
    """`old`'s leaves in `like`'s structure; ValueError unless shapes and dtypes agree leaf for leaf."""
    old_leaves, new_leaves = jax.tree.leaves(old), jax.tree.leaves(like)
    ok = len(old_leaves) == len(new_leaves) and all(
        a.shape == b.shape and a.dtype == b.dtype for a, b in zip(old_leaves, new_leaves))
    if not ok:
        raise ValueError(
            f"{where} was written by jaxgan before the family seam, and its {what} does not match this run's "
            f"networks and optimizers, so it cannot be resumed or read here. Rebuild it with the config it was "
            f"trained with, or start a new --workdir.")
    return jax.tree.unflatten(jax.tree.structure(like), old_leaves)


def upgrade_format_1(raw: dict, target: dict, where: epath.Path) -> dict:
    """A format-1 checkpoint tree (one G, one D as `g_*`/`d_*` fields) in the layout of `target` (a GAN run).

    Optimizer states keep their leaves: wrapping the param tree in
    `{"generator": ...}` does not change the order of their leaves.
    """
    if set(target["params"]) != {"generator", "discriminator"}:
        raise ValueError(f"{where} was written before the family seam by a GAN run; it cannot be read as "
                         f"family with roles {sorted(target['params'])}.")
    ema = raw.get("g_ema_params")
    new = {
        "step": raw["step"],
        "rng": raw["rng"],
        "params": {"generator": raw["g_params"], "discriminator": raw["d_params"]},
        "collections": {"generator": raw.get("g_state") or {}, "discriminator": raw.get("d_state") or {}},
        "opt_state": {"g": raw["g_opt_state"], "d": raw["d_opt_state"]},
        "ema": {"generator": ema} if ema else {},
        "extra": {**target["extra"], "penalties": {"d": raw.get("penalty_state") or {}}},
    }
    return {key: _same_leaves(new[key], target[key], key, where) for key in target}


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
        meta = {**meta, "format": FORMAT_VERSION}
        self._manager.save(
            step,
            args=ocp.args.Composite(state=ocp.args.StandardSave(saveable_tree(state)), meta=ocp.args.JsonSave(meta)),
            force=True,
        )

    def read_meta(self, step: int | None = None) -> dict[str, Any]:
        step = self.latest_step() if step is None else step
        return self._manager.restore(step, args=ocp.args.Composite(meta=ocp.args.JsonRestore()))["meta"]

    def restore(self, template: GANState, step: int | None = None) -> tuple[GANState, dict[str, Any]]:
        """Restores `step` (default latest) into arrays shaped and placed like `template`.

        Checkpoints written before the family seam (format 1: `g_params`,
        `d_params`, ... fields) are mapped onto today's layout, leaf for leaf.
        """
        step = self.latest_step() if step is None else step
        meta = self.read_meta(step)
        target = saveable_tree(template)
        if "format" not in meta:  # written before checkpoints recorded their layout: look at the tree itself
            raw = self._manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore()))["state"]
            if "g_params" in raw:
                tree = jax.device_put(upgrade_format_1(raw, target, self.directory / str(step)),
                                      jax.tree.map(lambda x: x.sharding, target))
                return from_saveable_tree(template, tree), meta
        abstract = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), target)
        restored = self._manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore(abstract)))
        return from_saveable_tree(template, restored["state"]), meta

    def close(self) -> None:
        self._manager.wait_until_finished()
        self._manager.close()
