"""The training loop: resume, train, log, evaluate, checkpoint."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import time
from typing import Any

import jax
import ml_collections
import numpy as np
from absl import logging
from etils import epath

from jaxgan import config as config_lib
from jaxgan import experiment as experiment_lib
from jaxgan import extensions, layout, parallel, registry, runguard, standing_stats, visualize
from jaxgan.checkpoint import Checkpointer
from jaxgan.data.pipeline import BatchStream
from jaxgan.errors import RunError, Stopped
from jaxgan.evaluation import evaluators
from jaxgan import state as state_lib
from jaxgan.state import GANState
from jaxgan.step import make_train_step
from jaxgan.writers import MetricWriter, Progress

FINAL_EVAL_FILE = layout.FINAL_EVAL_FILE
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _check_finite(step: int, metrics: dict[str, float], last_checkpoint: int | None) -> None:
    bad = sorted(k for k, v in metrics.items() if not np.isfinite(v))
    if bad:
        resume = ("resume it with lower learning rates (add --allow_changes=optimizer and e.g. "
                  "--config.optimizer.d.lr=...)" if last_checkpoint else "restart with lower learning rates")
        raise FloatingPointError(
            f"Non-finite metrics {bad} at step {step}: training diverged. The last good checkpoint is step "
            f"{last_checkpoint}; {resume}, or change the loss in a new --workdir.")


def _init_state(exp) -> GANState:
    """The fresh state; ConfigError (before the workdir is touched) if the networks' options cannot build it."""
    try:
        return exp.init_state()
    except (TypeError, ValueError) as e:
        raise config_lib.ConfigError(
            f"The networks could not be built from config.model ({exp.config.model.generator} / "
            f"{exp.config.model.discriminator}, options g={exp.config.model.g.to_dict()}, "
            f"d={exp.config.model.d.to_dict()}): {type(e).__name__}: {e}") from None


def _resume(exp, ckpt: Checkpointer, state: GANState, workdir: epath.Path,
            allow_changes: tuple[str, ...]) -> tuple[GANState, RunClock]:
    """The latest readable checkpoint's state (or `state` when there is none) and the run's clock, going on."""
    latest = ckpt.latest_step()
    if latest is None:
        return state, RunClock(0.0, 0.0, 0.0)
    if latest > exp.config.total_steps:
        raise config_lib.ConfigError(
            f"{workdir} has a checkpoint at step {latest}, past total_steps={exp.config.total_steps}. Raise "
            f"--config.total_steps to train on, or score it with python -m jaxgan.evaluate --workdir {workdir}.")

    def check_meta(meta: dict) -> None:
        saved = experiment_lib.complete_saved_config(meta["config"])
        conflicts = config_lib.resume_conflicts(saved, exp.config, allow_changes)
        if conflicts:
            raise config_lib.ConfigError(
                f"{workdir} holds a run with a different config ({', '.join(conflicts)}); refusing to resume it. "
                "Use a new --workdir, or the original values (only step counts, intervals and eval settings may "
                "change, and the keys given to --allow_changes).")

    state, meta = ckpt.restore_readable(state, check_meta)
    logging.info("Resumed from %s at step %d (data position %s).", ckpt.directory, int(state.step), meta["data"])
    return state, RunClock(meta.get("wall_s"), meta.get("train_s"), meta.get("train_cpu_s"))


@dataclasses.dataclass
class RunClock:
    """Seconds of a run over all its sessions: `wall()` of everything, `train()` without the evaluations.

    `train_cpu()` is the process CPU time (all threads) of the same training, without the evaluations':
    on a machine shared with other jobs, wall time measures the neighbours as much as the run, while
    CPU time follows the work done more closely (not exactly: spinning threads and shared caches still
    vary with load), so comparisons of runs trained under different loads use it.
    All go into each checkpoint's metadata, so a resumed run counts on. `train()` is the time axis of
    quality-against-time curves (ProGAN's claim), where an hour of Inception features is not training.
    A count is None for runs whose checkpoints predate it: unknown, not zero.
    """

    wall_before: float | None
    train_before: float | None
    cpu_before: float | None = None
    started: float = dataclasses.field(default_factory=time.perf_counter)
    started_cpu: float = dataclasses.field(default_factory=time.process_time)
    eval_s: float = 0.0
    eval_cpu_s: float = 0.0

    def wall(self) -> float | None:
        return None if self.wall_before is None else self.wall_before + time.perf_counter() - self.started

    def train(self) -> float | None:
        if self.train_before is None:
            return None
        return self.train_before + time.perf_counter() - self.started - self.eval_s

    def train_cpu(self) -> float | None:
        if self.cpu_before is None:
            return None
        return self.cpu_before + time.process_time() - self.started_cpu - self.eval_cpu_s

    @contextlib.contextmanager
    def evaluating(self):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.eval_s += time.perf_counter() - start
            self.eval_cpu_s += time.process_time() - start_cpu

    def meta(self) -> dict[str, float]:
        """`{"wall_s", "train_s", "train_cpu_s"}`, without the unknown ones."""
        counts = (("wall_s", self.wall()), ("train_s", self.train()), ("train_cpu_s", self.train_cpu()))
        return {k: v for k, v in counts if v is not None}


def _write_eval(writer: MetricWriter, exp, state: GANState, workdir: epath.Path, clock: RunClock) -> dict:
    """Evaluates `state`, logs the results and writes the evaluators' pictures (samples/step_*.png).

    The eval.jsonl row also says when: `kimg` (thousands of real images read, the way ProGAN counts),
    `train_s`, `train_cpu_s` and `wall_s` (`RunClock`), as they were when the evaluated state was reached.
    """
    step = int(state.step)
    when = {"kimg": step * exp.config.batch_size * exp.family.batches_per_step() / 1000, **clock.meta()}
    with clock.evaluating():
        out = evaluators.evaluate(exp, state, pictures=jax.process_index() == 0)
    writer.write_eval(step, out.results, when)
    if out.pictures:
        (workdir / "samples").mkdir(parents=True, exist_ok=True)
    for tag, png in out.pictures.items():
        suffix = {"samples": "", "samples_raw": "_raw"}.get(tag, f"_{tag}")
        (workdir / "samples" / f"step_{step:08d}{suffix}.png").write_bytes(png)
        writer.write_image(step, tag, visualize.png_to_array(png))
    return out.results


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str,
                       allow_changes: tuple[str, ...] = ()) -> dict[str, Any]:
    """Trains `config` in `workdir`, resuming from its latest readable checkpoint if any.

    `allow_changes` names config keys (or prefixes) that may differ from the
    run being resumed. Raises ConfigError before touching the workdir when
    the config cannot run; RunError when the workdir is busy or a save fails;
    `Stopped` after saving when SIGTERM/SIGINT arrives.

    Returns:
      The final evaluation results (also written to workdir/eval_final.json).
    """
    with registry.tracking() as used:
        exp = experiment_lib.build(config)  # fails on a bad config before touching workdir
    fresh = _init_state(exp)
    if exp.config.eval.standing_stats:
        standing_stats.check(exp.family, fresh)  # ConfigError before the workdir is touched
    workdir = epath.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with runguard.WorkdirLock(workdir), runguard.StopSignals() as signals:
        ckpt = Checkpointer(workdir, exp.config.checkpoint_every_steps, exp.config.keep_checkpoints)
        try:
            state, clock = _resume(exp, ckpt, fresh, workdir, allow_changes)
            results = _train(exp, ckpt, state, clock, workdir, used, signals)
        except BaseException as e:
            with contextlib.suppress(Exception):  # the error in flight says more than a failed close
                ckpt.close()
            if isinstance(e, OSError) and e.errno in _DISK_FULL:
                raise RunError(f"The disk holding {workdir} is full ({e}). The last complete checkpoint is step "
                               f"{ckpt.latest_step()}; free space, then rerun the same command to resume.") from e
            raise
        ckpt.close()  # waits for the last save; RunError if it failed
    return results


def _finished(workdir: epath.Path, step: int) -> dict | None:
    """The final results of a run that already ended at `step`, or None."""
    path = workdir / FINAL_EVAL_FILE
    if step and path.exists():
        final = json.loads(path.read_text())
        if final.get("step") == step:
            return {k: v for k, v in final.items() if k not in ("step", "wall_s", "train_s")}
    return None


class PhasedSteps:
    """The compiled train step of each phase of the run (`Family.phase`), built when the phase first comes.

    Families without phases have one step; ProGAN compiles one per
    resolution, once each (`traced` counts the traces, each one compilation).
    """

    def __init__(self, exp):
        self.exp, self.steps, self.traced = exp, {}, 0

    def __call__(self, done: int) -> Any:
        """The step function for the step after `done` steps."""
        phase = self.exp.family.phase(done)
        if phase not in self.steps:
            if self.steps:
                logging.info("Step %d starts phase %s: one more compiled step.", done + 1, phase)
            self.steps[phase] = parallel.shard_step(self._counted(make_train_step(self.exp.family, self.exp.config,
                                                                                  phase)), self.exp.mesh)
        return self.steps[phase]

    def _counted(self, step_fn: Any) -> Any:
        """`step_fn`, counting its traces: each trace of a jitted step is one XLA compilation of it."""
        def traced_step(*args):
            self.traced += 1
            return step_fn(*args)

        return traced_step


def _train(exp, ckpt: Checkpointer, state: GANState, clock: RunClock, workdir: epath.Path,
           used, signals: runguard.StopSignals) -> dict[str, Any]:
    """The loop from `state` to `config.total_steps`, then the final evaluation."""
    config, start = exp.config, int(state.step)
    if start == config.total_steps and (done := _finished(workdir, start)) is not None:
        logging.info("%s already finished at step %d; its final evaluation is in %s.", workdir, start, FINAL_EVAL_FILE)
        return done
    if jax.process_index() == 0:
        (workdir / experiment_lib.CONFIG_FILE).write_text(config.to_json_best_effort(indent=2))
        extensions.save(workdir, extensions.external(used))
    steps = PhasedSteps(exp)
    writer = MetricWriter(workdir)
    stream = BatchStream(exp.dataset, exp.mesh, config.batch_size, exp.family.batches_per_step(), start)
    try:
        rng = jax.random.clone(state.rng)  # the state is donated each step; keep the key apart
        block = parallel.must_block_each_step()
        progress, last_checkpoint = Progress(config.total_steps, start), ckpt.latest_step()
        logging.info("Training %s from step %d to %d on %d device(s).", exp.dataset.name, start, config.total_steps,
                     exp.mesh.size)
        for note in config_lib.ema_warmup_notes(config):
            logging.warning(note)
        results = None
        profile = config_lib.profile_range(config)
        for step in range(start + 1, config.total_steps + 1):
            if profile and step == profile[0]:
                jax.profiler.start_trace(str(workdir / "profile"))
            state, metrics = steps(step - 1)(state, next(stream), rng)
            if block or (profile and step == profile[1]):
                jax.block_until_ready(state)
            if profile and step == profile[1]:
                jax.profiler.stop_trace()
                logging.info("Wrote a trace of steps %d-%d to %s (TensorBoard's profile tab).", *profile,
                             workdir / "profile")
            final = step == config.total_steps
            stop = signals.received or ("SIGTERM" if ckpt.preempted(step) else None)
            saving = ckpt.should_save(step, final) or stop
            if step % config.log_every_steps == 0 or saving:
                ckpt.check()  # a failed background save ends the run here, with its cause
                host_metrics = {k: float(v) for k, v in jax.device_get(metrics).items()}
                _check_finite(step, host_metrics, last_checkpoint)
                if step % config.log_every_steps == 0:
                    logging.info(progress.line(step, host_metrics))
                    writer.write_scalars(step, host_metrics, prefix="train/")
            # Save before evaluating: an eval can take as long as an hour (10k Inception features on a
            # CPU), and a run stopped during it must not lose the steps since the last checkpoint.
            if saving:
                ckpt.save(state, {"config": config.to_dict(), "data": {"next_step": step}, **clock.meta()})
                last_checkpoint = step
            if stop:
                ckpt.wait()
                raise Stopped(f"Stopped by {stop} at step {step} of {config.total_steps}; the checkpoint of step "
                              f"{step} is saved. Rerun the same command to resume.")
            if step % config.eval_every_steps == 0 or final:
                results = _write_eval(writer, exp, state, workdir, clock)
        if results is None:  # nothing left to train: evaluate what is there
            results = _write_eval(writer, exp, state, workdir, clock)
        ckpt.wait()
        logging.info("Process %d state fingerprint at step %d: %s", jax.process_index(), int(state.step),
                     state_lib.fingerprint(state))
        if jax.process_index() == 0:
            (workdir / FINAL_EVAL_FILE).write_text(json.dumps({"step": int(state.step), **clock.meta(), **results},
                                                              indent=2))
        writer.close()
        return results
    except BaseException:
        with contextlib.suppress(Exception):  # the error in flight says more than a failed close
            writer.close()
        raise
    finally:
        stream.close()
