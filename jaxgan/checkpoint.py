"""Orbax checkpoints of the whole GAN state plus run metadata.

A checkpoint holds two items: `state` (every network's params and
collections, every group's optimizer state, the EMA, the family's extra state,
the base RNG key and the step) and `meta` (JSON: the config, the data
position and the layout's `format`). With both, a resumed run continues
bitwise-identically to an uninterrupted one. Checkpoints from before the
family seam (format 1) are read too (`upgrade_format_1`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import flax.serialization
import jax
import orbax.checkpoint as ocp
from absl import logging
from etils import epath
from jax.experimental import multihost_utils

from jaxgan.errors import RunError
from jaxgan.state import FORMAT_VERSION, GANState

UNREADABLE_DIR = "checkpoints_unreadable"  # beside checkpoints/: where unreadable steps are moved, never deleted


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


def _quiet_closed_loop_callbacks() -> None:
    """Drops the "Event loop is closed" errors that a failed restore's leftover TensorStore reads print.

    After Orbax gives up on a damaged checkpoint, reads still in flight finish
    later and call back into its closed event loop; each prints a traceback
    through `sys.excepthook` (dozens per restore) although nothing is wrong any
    more. Every other error still reaches the previous hook.
    """
    previous = sys.excepthook
    if getattr(previous, "_jaxgan_quiet", False):
        return

    def hook(kind, value, traceback):
        if not (kind is RuntimeError and str(value) == "Event loop is closed"):
            previous(kind, value, traceback)

    hook._jaxgan_quiet = True
    sys.excepthook = hook


class Checkpointer:
    """Saves every `every_steps`, keeps the last `keep`, restores the latest.

    Saves are asynchronous; `check()` raises RunError once one has failed, and
    `close()` waits for them (and raises the same way), so call it before exit.
    """

    def __init__(self, workdir: str | epath.Path, every_steps: int, keep: int):
        # Orbax needs an absolute path; local workdirs may be given relative (`--workdir runs/ring8`).
        workdir = epath.Path(workdir) if "://" in str(workdir) else epath.Path(workdir).resolve()
        self.directory = workdir / "checkpoints"
        self._every_steps = every_steps
        self._saving: int | None = None  # the step of the save that may still be in flight
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=keep, create=True, enable_async_checkpointing=True),
            item_names=("state", "meta"),
        )

    def _failed(self, error: BaseException) -> RunError:
        good = [s for s in self._manager.all_steps() if s != self._saving]
        last = f"step {max(good)}" if good else "none"
        return RunError(
            f"Saving the checkpoint of step {self._saving} in {self.directory} failed: {type(error).__name__}: "
            f"{error}. The last complete checkpoint ({last}) is intact; fix the cause (disk space, permissions, "
            f"another trainer on this workdir), then rerun the same command to resume from it.")

    def check(self) -> None:
        """Raises RunError if a background save has failed (the run must stop, not go on unsaved)."""
        try:
            self._manager.check_for_errors()
        except Exception as e:
            raise self._failed(e) from e

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def all_steps(self) -> list[int]:
        """The kept checkpoints' steps, oldest first."""
        return sorted(self._manager.all_steps())

    def should_save(self, step: int, final: bool = False) -> bool:
        """True at save intervals and at the end."""
        return final or step % self._every_steps == 0

    def preempted(self, step: int) -> bool:
        """True on every process at the same step once any process got SIGTERM (multi-process runs only:
        JAX's preemption sync; single-process runs see signals through `jaxgan.runguard.StopSignals`)."""
        return jax.process_count() > 1 and self._manager.reached_preemption(step)

    def save(self, state: GANState, meta: dict[str, Any]) -> None:
        step = int(state.step)
        if step in self._manager.all_steps():
            return
        self.check()
        meta = {**meta, "format": FORMAT_VERSION}
        self._saving = step
        try:
            self._manager.save(
                step,
                args=ocp.args.Composite(state=ocp.args.StandardSave(saveable_tree(state)), meta=ocp.args.JsonSave(meta)),
                force=True,
            )
        except Exception as e:
            raise self._failed(e) from e

    def wait(self) -> None:
        """Blocks until the save in flight is complete; RunError if it failed."""
        try:
            self._manager.wait_until_finished()
        except Exception as e:
            raise self._failed(e) from e

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

    def restore_readable(self, template: GANState, check_meta: Callable[[dict[str, Any]], None] = lambda meta: None,
                         ) -> tuple[GANState, dict[str, Any]] | None:
        """The newest checkpoint that reads back (None when there is none), moving newer unreadable ones aside.

        A checkpoint cut short (a kill during a save, a full disk, a garbled
        file) is moved to `UNREADABLE_DIR`, never deleted, with a warning that
        names it, so the run resumes from the one before and can save that step
        anew. When none is readable, nothing is moved and RunError says so.
        `check_meta` sees each readable step's meta before its state is read;
        what it raises (a config that does not match) propagates and moves nothing.
        """
        bad = []
        for step in sorted(self._manager.all_steps(), reverse=True):
            try:
                meta = self.read_meta(step)
            except Exception as e:  # whatever Orbax raises for a damaged step
                self._unreadable(step, e, bad)
                continue
            check_meta(meta)
            try:
                restored = self.restore(template, step)
            except Exception as e:
                self._unreadable(step, e, bad)
                continue
            for unreadable in bad:
                self._move_aside(unreadable)
            if bad:
                logging.warning("Resuming from step %d, the newest readable checkpoint.", step)
            return restored
        if bad:
            raise RunError(f"No checkpoint in {self.directory} is readable (steps {bad}; the log says why). Restore "
                           f"them from a backup, or start a new --workdir.")
        return None

    def _unreadable(self, step: int, error: Exception, bad: list[int]) -> None:
        _quiet_closed_loop_callbacks()
        first_line = str(error).splitlines()[0] if str(error) else ""
        logging.warning("Checkpoint %s is unreadable (%s: %s).", self.directory / str(step), type(error).__name__,
                        first_line)
        bad.append(step)

    def _move_aside(self, step: int) -> None:
        """Moves step `step` to UNREADABLE_DIR (once, on process 0) so that a resumed run can save it anew."""
        if jax.process_index() == 0:
            target = self.directory.parent / UNREADABLE_DIR
            target.mkdir(parents=True, exist_ok=True)
            (self.directory / str(step)).rename(target / f"{step}_{len(list(target.iterdir()))}")
            logging.warning("Moved unreadable checkpoint %d to %s.", step, target)
        if jax.process_count() > 1:
            multihost_utils.sync_global_devices(f"jaxgan_move_aside_{step}")
        self._manager.reload()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._manager.close()
