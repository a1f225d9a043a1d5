"""Evaluators by name (`config.eval.evaluators`), each fed prediction functions of the family.

As in big_vision's `evals`: an evaluator is a function registered with the
predictions it needs,

    @EVALUATORS.register("my_eval", needs=("generate",))
    def my_eval(ctx: EvalContext) -> EvalOutput: ...

and any family that predicts those can be scored by it. `samples` (mode
coverage on 2-D mixtures; FID/KID/IS/PR/DC and stacked modes on images, per
`eval.metrics`) needs `generate`. Results are flat dicts; `samples` keeps the
historical keys (`modes`, `hq_percent`, `fashion_mnist_classifier/fid`, ...),
other evaluators prefix theirs with their name.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

import jax
import ml_collections
import numpy as np

from jaxgan import sampling, standing_stats, visualize
from jaxgan.evaluation import image_metrics
from jaxgan.evaluation.extractors import EXTRACTORS
from jaxgan.evaluation.mode_coverage import mode_coverage
from jaxgan.registry import Registry
from jaxgan.state import EVAL_STREAM

EVALUATORS = Registry("evaluator")


@dataclasses.dataclass
class EvalContext:
    """What an evaluator gets.

    Attributes:
      exp: the run (`config`, `dataset`, `family`, `mesh`).
      state: the train state evaluated.
      predictions: the family's prediction functions, on the EMA networks when kept.
      raw_predictions: the same on the raw networks (for pictures of both).
      key: the fixed evaluation key (`eval_key(seed)`), the same at every eval.
      pictures: whether to render pictures (PNG bytes by tag) too. Evaluators
        make the same prediction calls either way: in multi-process runs a
        prediction is collective, and only process 0 renders.
    """

    exp: Any
    state: Any
    predictions: Mapping[str, Callable]
    raw_predictions: Mapping[str, Callable]
    key: jax.Array
    pictures: bool = False

    @property
    def eval_config(self) -> ml_collections.ConfigDict:
        return self.exp.config.eval


@dataclasses.dataclass
class EvalOutput:
    results: dict[str, Any]
    pictures: dict[str, bytes] = dataclasses.field(default_factory=dict)


def eval_key(seed: int) -> jax.Array:
    """The fixed key for evaluation latents, so evals are comparable over steps."""
    return jax.random.fold_in(jax.random.key(seed), EVAL_STREAM)


def names(config: ml_collections.ConfigDict, family: Any) -> list[str]:
    """The evaluators a run uses: `eval.evaluators`, or the family's defaults."""
    given = [n.strip() for n in config.eval.evaluators.split(",") if n.strip()]
    return given or list(family.default_evaluators)


def check(config: ml_collections.ConfigDict, family: Any) -> None:
    """ValueError unless every evaluator exists and the family makes the predictions it needs."""
    for name in names(config, family):
        EVALUATORS.get(name)
        missing = [p for p in EVALUATORS.meta(name)["needs"] if p not in family.predicts]
        if missing:
            raise ValueError(f"Evaluator {name!r} needs prediction(s) {missing}, which family "
                             f"{config.family.name!r} does not make; it makes: {', '.join(family.predicts) or 'none'}.")
        if check_fn := EVALUATORS.meta(name).get("check"):
            check_fn(config)


def evaluate(exp: Any, state: Any, seed: int | None = None, pictures: bool = False,
             use_ema: bool = True) -> EvalOutput:
    """Runs the run's evaluators on `state`; results merged, with the `generator` they scored.

    `use_ema=False` scores the live networks of a run that keeps an EMA, so one
    run shows what the averaging alone is worth (`generator` says which).
    """
    c = exp.config
    state, standing = standing_stats.for_run(exp, state, None if use_ema and sampling.uses_ema(state) else 0)
    raw = sampling.predictions(exp.family, state, use_ema=False)
    ctx = EvalContext(exp, state, sampling.predictions(exp.family, state) if use_ema else raw, raw,
                      eval_key(c.seed if seed is None else seed), pictures)
    out = EvalOutput({})
    for name in names(c, exp.family):
        one = EVALUATORS.get(name)(ctx)
        out.results.update(one.results)
        out.pictures.update(one.pictures)
    out.results["generator"] = "ema" if use_ema and sampling.uses_ema(state) else "raw"
    if standing:
        out.results["standing_stats"] = standing  # batches of `batch_size` latents (jaxgan.standing_stats)
    return out


def evaluate_samples(dataset: Any, samples: np.ndarray, eval_config: Any) -> dict[str, Any]:
    """Scores generated `samples` of `dataset` with the metrics that fit it.

    2-D mixtures get mode coverage; images get `eval_config.metrics` with the
    features of `eval_config.extractor`. Returns a flat dict of metrics plus a
    `protocol` string saying how they were computed, so no number travels
    without its protocol.
    """
    if hasattr(dataset, "means") and hasattr(dataset, "std"):
        return mode_coverage(samples, dataset.means, dataset.std)
    finite = np.isfinite(samples.reshape(len(samples), -1)).all(axis=1)
    return {"num_samples": int(len(samples)), "non_finite_samples": int((~finite).sum()),
            **image_metrics.evaluate_images(samples, dataset, eval_config)}


def _check_samples(config: ml_collections.ConfigDict) -> None:
    image_metrics.parse_metrics(config.eval.metrics)
    if config.eval.metrics:
        EXTRACTORS.get(config.eval.extractor)


def grid_size(num_classes: int) -> int:
    """Samples in one picture: 8 columns, one row per class in conditional runs (else 8 rows)."""
    return sampling.GRID_COLUMNS * (num_classes or sampling.GRID_COLUMNS)


@EVALUATORS.register("samples", needs=("generate",), check=_check_samples)
def samples_evaluator(ctx: EvalContext) -> EvalOutput:
    """`eval.num_samples` samples from the fixed eval latents, scored by `evaluate_samples`.

    Pictures: 2-D data shows all eval samples; images show one grid (one row
    per class in conditional runs), drawn on its own rather than from the
    eval's many samples, so the raw G only generates what the picture shows.
    """
    exp, num = ctx.exp, ctx.eval_config.num_samples
    samples = ctx.predictions["generate"](ctx.key, num)
    out = EvalOutput(evaluate_samples(exp.dataset, samples, ctx.eval_config))
    # A prediction is collective in multi-process runs: every process draws what process 0 renders.
    if not (ctx.pictures or jax.process_count() > 1):
        return out
    shown = min(grid_size(exp.num_classes), num) if samples.ndim == 4 else num
    # The same key and count give the eval's own samples: reuse them when they are the picture.
    drawn = {"samples": samples if shown == num else ctx.predictions["generate"](ctx.key, shown)}
    if sampling.uses_ema(ctx.state) and ctx.predictions is not ctx.raw_predictions:
        drawn["samples_raw"] = ctx.raw_predictions["generate"](ctx.key, shown)
    if not ctx.pictures:
        return out
    caption = exp.family.caption(int(ctx.state.step))
    for tag, images in drawn.items():
        title = f"{exp.dataset.name} step {int(ctx.state.step)}{f', {caption}' if caption else ''} ({tag})"
        # A family's caption (ProGAN: resolution and fade-in alpha) is written on the grid itself.
        out.pictures[tag] = visualize.samples_png(images, exp.dataset, title, sampling.GRID_COLUMNS, banner=bool(caption))
    return out
