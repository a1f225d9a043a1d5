"""The training loop: resume, train, log, evaluate, checkpoint."""

from __future__ import annotations

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
from jaxgan import extensions, parallel, registry, visualize
from jaxgan.checkpoint import Checkpointer
from jaxgan.data.pipeline import BatchStream
from jaxgan.evaluation import evaluators
from jaxgan.state import GANState
from jaxgan.step import make_train_step
from jaxgan.writers import MetricWriter, Progress

FINAL_EVAL_FILE = "eval_final.json"


def _check_finite(step: int, metrics: dict[str, float], last_checkpoint: int | None) -> None:
    bad = sorted(k for k, v in metrics.items() if not np.isfinite(v))
    if bad:
        raise FloatingPointError(
            f"Non-finite metrics {bad} at step {step}: training diverged. The last good checkpoint is step "
            f"{last_checkpoint}; lower the learning rates or change the loss, then resume or restart."
        )


def _resume(exp, ckpt: Checkpointer, state: GANState, workdir: epath.Path) -> tuple[GANState, float | None]:
    """The latest checkpoint's state (or `state` when there is none) and the training seconds spent so far.

    The seconds are None for checkpoints written before jaxgan recorded them: unknown, not zero.
    """
    latest = ckpt.latest_step()
    if latest is None:
        return state, 0.0
    saved = ckpt.read_meta(latest)["config"]
    saved.setdefault("family", {"name": "gan"})  # runs from before the family seam were GANs
    conflicts = config_lib.resume_conflicts(saved, exp.config)
    if conflicts:
        raise config_lib.ConfigError(
            f"{workdir} holds a run with a different config ({', '.join(conflicts)}); refusing to resume it. "
            "Use a new --workdir, or the original values (only step counts, intervals and eval settings may change)."
        )
    state, meta = ckpt.restore(state, latest)
    logging.info("Resumed from %s at step %d (data position %s).", ckpt.directory, latest, meta["data"])
    return state, meta.get("wall_s")


def _write_eval(writer: MetricWriter, exp, state: GANState, workdir: epath.Path) -> dict:
    """Evaluates `state`, logs the results and writes the evaluators' pictures (samples/step_*.png)."""
    out = evaluators.evaluate(exp, state, pictures=jax.process_index() == 0)
    step = int(state.step)
    writer.write_eval(step, out.results)
    if out.pictures:
        (workdir / "samples").mkdir(parents=True, exist_ok=True)
    for tag, png in out.pictures.items():
        suffix = {"samples": "", "samples_raw": "_raw"}.get(tag, f"_{tag}")
        (workdir / "samples" / f"step_{step:08d}{suffix}.png").write_bytes(png)
        writer.write_image(step, tag, visualize.png_to_array(png))
    return out.results


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict[str, Any]:
    """Trains `config` in `workdir`, resuming from its latest checkpoint if any.

    Returns:
      The final evaluation results (also written to workdir/eval_final.json).
    """
    with registry.tracking() as used:
        exp = experiment_lib.build(config)  # fails on a bad config before touching workdir
    config = exp.config  # with the family's defaults filled in
    workdir = epath.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    ckpt = Checkpointer(workdir, config.checkpoint_every_steps, config.keep_checkpoints)
    writer = MetricWriter(workdir)
    stream = None
    try:
        state, wall_before = _resume(exp, ckpt, exp.init_state(), workdir)
        started = time.perf_counter()

        def elapsed() -> float | None:
            """Wall time of the whole run over all its processes, evals and saves included."""
            return None if wall_before is None else wall_before + time.perf_counter() - started

        if jax.process_index() == 0:
            (workdir / experiment_lib.CONFIG_FILE).write_text(config.to_json_best_effort(indent=2))
            extensions.save(workdir, extensions.external(used))
        start = int(state.step)
        train_step = parallel.shard_step(make_train_step(exp.family, config), exp.mesh)
        stream = BatchStream(exp.dataset, exp.mesh, config.batch_size, exp.family.batches_per_step(), start)
        rng = jax.random.clone(state.rng)  # the state is donated each step; keep the key apart
        block = parallel.must_block_each_step()
        progress, last_checkpoint = Progress(config.total_steps, start), ckpt.latest_step()
        logging.info("Training %s from step %d to %d on %d device(s).", exp.dataset.name, start, config.total_steps, exp.mesh.size)
        results = None
        for step in range(start + 1, config.total_steps + 1):
            state, metrics = train_step(state, next(stream), rng)
            if block:
                jax.block_until_ready(state)
            final = step == config.total_steps
            saving = ckpt.should_save(step, final)
            if step % config.log_every_steps == 0 or saving or final:
                host_metrics = {k: float(v) for k, v in jax.device_get(metrics).items()}
                _check_finite(step, host_metrics, last_checkpoint)
                if step % config.log_every_steps == 0:
                    logging.info(progress.line(step, host_metrics))
                    writer.write_scalars(step, host_metrics, prefix="train/")
            # Save before evaluating: an eval can take as long as an hour (10k Inception features on a
            # CPU), and a run stopped during it must not lose the steps since the last checkpoint.
            if saving:
                ckpt.save(state, {"config": config.to_dict(), "data": {"next_step": step}, "wall_s": elapsed()})
                last_checkpoint = step
            if step % config.eval_every_steps == 0 or final:
                results = _write_eval(writer, exp, state, workdir)
        if results is None:  # nothing left to train: evaluate what is there
            results = _write_eval(writer, exp, state, workdir)
        if jax.process_index() == 0:
            wall = {} if elapsed() is None else {"wall_s": elapsed()}
            (workdir / FINAL_EVAL_FILE).write_text(json.dumps({"step": int(state.step), **wall, **results}, indent=2))
        return results
    finally:
        if stream is not None:
            stream.close()
        ckpt.close()
        writer.close()
