"""Write the exact samples `jaxgan.evaluate` would score, to score them on another machine.

  python -m jaxgan.tools.export_eval_samples --workdir runs/X --output samples_ema.npy [--noema] [--float16]

The samples are those of the run's image evaluation: `eval.num_samples` from
the fixed eval latents (`evaluators.eval_key(config.seed)`), from the EMA
generator when the run keeps one (`--noema`: the live one). A run trained
on a GPU host without the FID Inception weights can export them there and be
scored where the weights are (`python -m jaxgan.tools.score_samples`); the
scores then equal `jaxgan.evaluate`'s up to `--float16` rounding of the
samples (relative 5e-4, well below 8-bit image quantisation).
"""

from __future__ import annotations

import json

import numpy as np
from absl import flags

from jaxgan import cli

# JAX and the run's pieces (~5 s to load on 2 cores) are imported in `export`, so a bad flag is reported at once.

FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags; only when run as a program, so tests can import this beside other CLIs."""
    flags.DEFINE_string("workdir", None, "Run directory (its latest checkpoint is used).", required=True)
    flags.DEFINE_string("output", None, "Output .npy file.", required=True)
    flags.DEFINE_bool("ema", True, "Sample the EMA generator of a run that keeps one (--noema: the live one).")
    flags.DEFINE_float("ema_decay", None, "Sample the EMA kept at this decay (config.ema.decay, the default, or one "
                       "of config.ema.extra_decays).")
    flags.DEFINE_integer("standing_stats", None, "EMA generator with BatchNorm statistics recomputed from this many "
                         "batches (jaxgan.standing_stats; default: the run's config.eval.standing_stats).", lower_bound=0)
    flags.DEFINE_bool("float16", False, "Store float16 (half the bytes) instead of float32.")
    flags.DEFINE_integer("num", None, "Samples (default: the run's eval.num_samples).", lower_bound=1)


def export(workdir: str, use_ema: bool = True, num: int | None = None, ema_decay: float | None = None,
           standing: int | None = None) -> tuple[np.ndarray, dict]:
    """The eval samples of the latest checkpoint in `workdir`, and what they are (step, seed, generator).

    `ema_decay` picks one of the run's EMAs (`config.ema.extra_decays`); None: the main one. `standing`:
    batches of the EMA generator's standing statistics (None: the run's `config.eval.standing_stats`), as
    `jaxgan.evaluate` samples it.
    """
    from jaxgan import experiment, sampling, standing_stats
    from jaxgan.evaluation.evaluators import eval_key

    if ema_decay is not None and not use_ema:
        raise ValueError("--noema samples the live generator; --ema_decay picks an EMA. Give one of them.")
    exp, state = experiment.restore(workdir)
    state = sampling.with_ema_decay(state, exp.config.ema, ema_decay)
    if standing and not use_ema:
        raise ValueError("--noema samples the live generator, which keeps its own BatchNorm statistics; "
                         "--standing_stats recomputes the EMA's. Give one of them.")
    state, standing = standing_stats.for_run(exp, state, standing if use_ema else 0)
    num = num or exp.config.eval.num_samples
    samples = sampling.predictions(exp.family, state, use_ema=use_ema)["generate"](eval_key(exp.config.seed), num)
    generator = "ema" if use_ema and sampling.uses_ema(state) else "raw"
    if generator == "ema" and ema_decay is not None:
        generator = f"ema@{ema_decay:g}"
    return np.asarray(samples), {"step": int(state.step), "seed": int(exp.config.seed), "generator": generator,
                                 "num_samples": int(num), **({"standing_stats": standing} if standing else {})}


def main(argv):
    del argv
    if not FLAGS.output.endswith(".npy"):
        raise flags.ValidationError(f"--output must end in .npy, got {FLAGS.output!r}.")
    if FLAGS.ema_decay is not None and not FLAGS.ema:
        raise flags.ValidationError("--noema samples the live generator; --ema_decay picks an EMA. Give one of them.")
    if FLAGS.standing_stats and not FLAGS.ema:
        raise flags.ValidationError("--noema samples the live generator, which keeps its own BatchNorm statistics; "
                                    "--standing_stats recomputes the EMA's. Give one of them.")
    samples, meta = export(FLAGS.workdir, FLAGS.ema, FLAGS.num, FLAGS.ema_decay, FLAGS.standing_stats)
    import jax  # loaded by export

    np.save(FLAGS.output, samples.astype(np.float16 if FLAGS.float16 else np.float32))
    meta_path = FLAGS.output[: -len(".npy")] + ".json"
    with open(meta_path, "w") as f:
        json.dump({**meta, "backend": jax.default_backend(), "float16": FLAGS.float16}, f, indent=2)
    print(f"Wrote {samples.shape} samples ({meta['generator']} G, step {meta['step']}) to {FLAGS.output}, "
          f"and what they are to {meta_path}.")


if __name__ == "__main__":
    define_flags()
    cli.run(main)
