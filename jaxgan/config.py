"""The config schema every experiment starts from, and its structural validation.

Experiments (`experiments/*.py`) call `base_config()` and change values; they
never add keys, except inside the free-form blocks (network options, penalties
and `family`, whose keys the family owns: `jaxgan.families.family_config`).
This module imports no registry, so an experiment file pulls in nothing else:
names (losses, networks, datasets, ...) are checked where the run is built
(`jaxgan.experiment.build`). Both run before anything touches the workdir, so
a bad config fails at start with one message and never corrupts a checkpoint.
"""

from __future__ import annotations

import importlib.util
import math
import pathlib
from typing import Any

import ml_collections

# Keys whose value is free-form keyword arguments, checked where they are used
# (the network, the penalty, the family) when the run is built.
FREE_FORM = ("model.g", "model.d", "penalties", "family")
# Keys that may differ when resuming a run (extending or re-scheduling it).
RESUMABLE_CHANGES = (
    "total_steps",
    "log_every_steps",
    "eval_every_steps",
    "checkpoint_every_steps",
    "keep_checkpoints",
    "profile_steps",
    "eval.",
)


EXPERIMENTS_DIR = pathlib.Path(__file__).resolve().parent.parent / "experiments"


def load_experiment(name: str, arg: str | None = None) -> ml_collections.ConfigDict:
    """`get_config(arg)` of `experiments/<name>.py`, so experiments can build on each other."""
    path = EXPERIMENTS_DIR / f"{name}.py"
    if not path.exists():
        choices = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.py"))
        raise ValueError(f"Unknown experiment {name!r}. Choices: {', '.join(choices)}.")
    spec = importlib.util.spec_from_file_location(f"experiments.{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config(arg)


class ConfigError(ValueError):
    """A config that cannot run; the message says what to change."""


def check_arg(arg: str | None, choices: tuple[str, ...], experiment: str) -> None:
    """ConfigError unless the `:arg` of `--config experiments/<experiment>.py:arg` is None or one of `choices`."""
    if arg is not None and arg not in choices:
        raise ConfigError(f"experiments/{experiment}.py takes no argument {arg!r}; its arguments are: "
                          f"{', '.join(choices)} (or none).")


def optimizer_config(lr: float, b1: float, b2: float) -> ml_collections.ConfigDict:
    """One group's optimizer block (`optimizer.<group>`) with every key at its default."""
    return ml_collections.ConfigDict(
        dict(
            name="adam",
            lr=lr,
            b1=b1,
            b2=b2,
            eps=1e-8,
            weight_decay=0.0,  # adamw only
            schedule="constant",  # constant | linear | cosine (decay to 0 over the run) | linear_second_half (CycleGAN)
            warmup_steps=0,  # linear warm-up, in this network's updates
            l1=0.0,  # L1 weight regularization strength
            l2=0.0,  # L2 weight regularization strength (gradient l2 * w)
            clip_weights=0.0,  # > 0: clip every weight to [-c, c] after each update (WGAN)
            # {role: m}: that role of the group learns at m x lr (optax.multi_transform), e.g. {"mapping": 0.01}.
            lr_multipliers=ml_collections.ConfigDict(),
        )
    )


def base_config() -> ml_collections.ConfigDict:
    """All config keys with their defaults. Durations are in train steps.

    One train step = `d_steps_per_g_step` D updates + one G update.
    """
    c = ml_collections.ConfigDict()
    c.seed = 0
    # The GAN family (jaxgan.families): `name`, plus the family's own options.
    c.family = ml_collections.ConfigDict(dict(name="gan"))
    c.total_steps = 10_000
    c.batch_size = 256  # global, over all devices and processes
    c.d_steps_per_g_step = 1
    c.log_every_steps = 500
    c.eval_every_steps = 5_000
    c.checkpoint_every_steps = 5_000
    c.keep_checkpoints = 3
    # "a,b": write a jax.profiler trace of steps a..b to <workdir>/profile (TensorBoard's profile tab); "" = off.
    c.profile_steps = ""
    c.loss = "non_saturating"
    c.data = ml_collections.ConfigDict(
        dict(
            name="ring8",
            split="train",  # image datasets: tfds split to train on
            data_dir="",  # image datasets: tfds data_dir ("" = tfds default; may be gs://)
            image_size=0,  # image datasets: resize to this (0 = native size)
            use_labels=False,  # image datasets: yield labels (conditional GANs)
            # image datasets: train on these classes only, comma-separated ("3", "0,6"; "" = all), e.g. the
            # normal class of one-class anomaly detection. Reference images for metrics are not filtered.
            classes="",
            # image datasets: train on a stratified fraction of the split (each class keeps that share, at least
            # one), drawn with subset_seed; 1 = all. Low-data studies: 0.01, 0.1.
            label_fraction=1.0,
            subset_seed=0,
        )
    )
    c.model = ml_collections.ConfigDict(
        dict(generator="mlp", discriminator="mlp", latent_dim=2, g=ml_collections.ConfigDict(), d=ml_collections.ConfigDict(),
             # Compute dtype of every network: float32 | bfloat16 (params, optimizer states, EMA, losses and
             # BatchNorm/spectral-norm state stay float32; jaxgan.models.precision). bfloat16 on GPU/TPU only.
             dtype="float32")
    )
    c.optimizer = ml_collections.ConfigDict(dict(g=optimizer_config(1e-4, 0.5, 0.999), d=optimizer_config(1e-4, 0.5, 0.999)))
    # EMA of G's weights for sampling and evaluation; decay 0 turns it off. `warmup`: the decay at step t is
    # min(decay, (1 + t) / (10 + t)), so a decay the cap does not reach within total_steps averages as the cap
    # does (training logs a note; `ema_warmup_notes`). `extra_decays`: more averages of the same weights, kept
    # beside it at other decays (e.g. (0.9995, 0.9999)), so one run can be scored with each afterwards
    # (`jaxgan.evaluate --ema_decay`): a sweep over the decay at the cost of one training.
    c.ema = ml_collections.ConfigDict(dict(decay=0.0, warmup=True, extra_decays=()))
    # D regularizers by name (jaxgan.penalties): {"r1": {"weight": 10.0, "every": 16}}.
    c.penalties = ml_collections.ConfigDict()
    # DiffAugment policy for D's inputs, e.g. "color,translation,cutout" ("" = off).
    c.augment = ml_collections.ConfigDict(dict(policy=""))
    c.eval = ml_collections.ConfigDict(
        dict(
            num_samples=2500,  # generated samples per eval
            # Image metrics by name, comma-separated: fid, kid, is, pr, dc, modes ("" = none; 2-D data always
            # gets mode coverage). See jaxgan.evaluation.image_metrics.
            metrics="",
            extractor="inception_fid",  # features for image metrics (jaxgan.evaluation.extractors)
            # The FID Inception .npz (python -m jaxgan.evaluation.convert_inception); "" = inception_fid.npz in cache_dir.
            inception_weights="",
            cache_dir="",  # trained classifiers and reference features ("" = $JAXGAN_CACHE_DIR or ~/.cache/jaxgan)
            reference_split="train",  # real images the samples are compared with
            reference_num_samples=10_000,  # how many of them (all, if the split is smaller)
            # Evaluators by name, comma-separated (jaxgan.evaluation.evaluators; "" = the family's defaults).
            evaluators="",
            # > 0: the EMA generator samples with BatchNorm statistics recomputed for its own weights from this
            # many batches of latents (BigGAN's standing statistics; jaxgan.standing_stats). 0: the running ones.
            standing_stats=0,
        )
    )
    return c


def flat_keys(config: ml_collections.ConfigDict, prefix: str = "") -> set[str]:
    """Every key of `config` as a dotted path; free-form blocks count as one key."""
    keys = set()
    for k, v in config.items():
        path = f"{prefix}{k}"
        if isinstance(v, ml_collections.ConfigDict) and path not in FREE_FORM and k != "lr_multipliers":
            keys |= flat_keys(v, path + ".")
        else:
            keys.add(path)
    return keys


def get_dotted(config: ml_collections.ConfigDict, dotted: str) -> Any:
    """One possibly nested value, e.g. `get_dotted(c, "optimizer.g.lr")`."""
    for part in dotted.split("."):
        config = config[part]
    return config


def set_dotted(config: ml_collections.ConfigDict, dotted: str, value: Any) -> None:
    """Sets one possibly nested value, e.g. `set_dotted(c, "optimizer.g.lr", 1e-3)`."""
    *parents, leaf = dotted.split(".")
    node = get_dotted(config, ".".join(parents)) if parents else config
    node[leaf] = value


def validate(config: ml_collections.ConfigDict) -> None:
    """Raises ConfigError naming the first structural problem with `config` (keys, counts, ranges).

    Names are checked when the run is built (`jaxgan.experiment.build`).
    """
    base = base_config()
    for group in set(config.optimizer) - set(base.optimizer):  # a family's own groups (optimizer.<group>)
        base.optimizer[group] = optimizer_config(0.0, 0.0, 0.0)
    known, given = flat_keys(base), flat_keys(config)
    if unknown := sorted(given - known):
        raise ConfigError(f"Unknown config key(s) {unknown}. Valid keys: {', '.join(sorted(known))}.")
    if missing := sorted(known - given):
        raise ConfigError(f"Config is missing key(s) {missing}; start experiments from jaxgan.config.base_config().")
    for key in ("total_steps", "batch_size", "d_steps_per_g_step", "log_every_steps", "eval_every_steps",
                "checkpoint_every_steps", "keep_checkpoints", "model.latent_dim", "eval.num_samples",
                "eval.reference_num_samples"):
        value = get_dotted(config, key)
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"config.{key} must be a positive integer, got {value!r}.")
    if not isinstance(config.family, ml_collections.ConfigDict) or not isinstance(config.family.get("name"), str):
        raise ConfigError(f"config.family must be a dict with a 'name' (e.g. 'gan'), got {config.family!r}.")
    for name, options in config.penalties.items():
        if not isinstance(options, ml_collections.ConfigDict) or "weight" not in options:
            raise ConfigError(f"config.penalties.{name} must be a dict with a 'weight' (and optionally 'every', "
                              f"'group'), got {options!r}.")
    for group, opt in config.optimizer.items():
        for key, low, high in (("lr", 0.0, math.inf), ("b1", 0.0, 1.0), ("b2", 0.0, 1.0), ("eps", 0.0, math.inf),
                               ("weight_decay", 0.0, math.inf), ("l1", 0.0, math.inf), ("l2", 0.0, math.inf),
                               ("clip_weights", 0.0, math.inf)):
            value = opt[key]
            if not isinstance(value, (int, float)) or not (low <= value < high or value == low == high):
                raise ConfigError(f"config.optimizer.{group}.{key} must be a number in [{low}, {high}), got {value!r}.")
    if config.profile_steps and not _is_step_range(config.profile_steps):
        raise ConfigError(f"config.profile_steps must be 'a,b' with 1 <= a <= b (steps to trace), or '', got "
                          f"{config.profile_steps!r}.")
    if config.model.dtype not in ("float32", "bfloat16"):
        raise ConfigError(f"config.model.dtype must be 'float32' or 'bfloat16', got {config.model.dtype!r}.")
    if not 0.0 <= config.ema.decay < 1.0:
        raise ConfigError(f"config.ema.decay must be in [0, 1) (0 turns EMA off), got {config.ema.decay}.")
    _check_extra_decays(config.ema)
    standing = config.eval.standing_stats
    if not isinstance(standing, int) or standing < 0:
        raise ConfigError(f"config.eval.standing_stats must be a number of batches >= 0 (0 = off), got {standing!r}.")
    if standing and not config.ema.decay:
        raise ConfigError("config.eval.standing_stats recomputes BatchNorm statistics for the EMA generator; this "
                          "run keeps no EMA (config.ema.decay = 0). Leave it at 0.")


def _check_extra_decays(ema: ml_collections.ConfigDict) -> None:
    extra = ema.extra_decays
    if not isinstance(extra, (tuple, list)) or not all(isinstance(d, (int, float)) and 0.0 < d < 1.0 for d in extra):
        raise ConfigError(f"config.ema.extra_decays must be a tuple of decays in (0, 1), e.g. (0.9995, 0.9999), got "
                          f"{extra!r}.")
    if extra and not ema.decay:
        raise ConfigError("config.ema.extra_decays needs config.ema.decay > 0: they are kept beside the main EMA, "
                          "which decay 0 turns off.")
    if len({*extra, ema.decay}) != len(extra) + 1:
        raise ConfigError(f"config.ema.extra_decays must differ from each other and from config.ema.decay "
                          f"({ema.decay}), got {tuple(extra)}.")


def ema_warmup_notes(config: ml_collections.ConfigDict) -> list[str]:
    """What `ema.warmup` makes of the run's EMA decays, when it matters: decays the warm-up's cap
    min(decay, (1 + t) / (10 + t)) never reaches within `total_steps` average exactly as the warm-up does, so
    two such decays keep identical EMAs (a decay sweep that sweeps nothing). Training logs each note."""
    ema, total = config.ema, config.total_steps
    if not ema.decay or not ema.warmup:
        return []
    cap = total / (9.0 + total)  # the warm-up's decay at the last update, (1 + t) / (10 + t) at t = total - 1
    unreached = sorted(d for d in {ema.decay, *ema.extra_decays} if d >= cap)
    if not unreached:
        return []
    first_step = {d: math.ceil((10.0 * d - 1.0) / (1.0 - d) - 1e-6) for d in unreached}  # - float rounding
    which = ", ".join(f"{d:g} (from step {first_step[d]:,})" for d in unreached)
    same = (f", so the EMAs at {', '.join(f'{d:g}' for d in unreached)} are identical" if len(unreached) > 1 else "")
    return [f"ema.warmup caps the decay at (1 + t) / (10 + t), {cap:.5f} at the last of {total:,} steps: decay(s) "
            f"{which} are never reached and average as the warm-up does throughout{same}. Use decays below "
            f"{cap:.5f}, more steps, or ema.warmup=False to average at them."]


def _is_step_range(text: str) -> bool:
    parts = str(text).split(",")
    return len(parts) == 2 and all(p.strip().isdigit() for p in parts) and 1 <= int(parts[0]) <= int(parts[1])


def profile_range(config: ml_collections.ConfigDict) -> tuple[int, int] | None:
    """The (first, last) steps `config.profile_steps` asks to trace, or None."""
    if not config.profile_steps:
        return None
    first, last = (int(p) for p in config.profile_steps.split(","))
    return first, last


def resume_conflicts(saved: dict, config: ml_collections.ConfigDict, allow: tuple[str, ...] = ()) -> list[str]:
    """Keys whose values differ from the run being resumed, except allowed ones.

    `allow` adds keys or key prefixes (`optimizer` allows every optimizer key) to RESUMABLE_CHANGES.
    """
    current = config.to_dict()

    def flatten(d: dict, prefix: str = "") -> dict:
        out = {}
        for k, v in d.items():
            out.update(flatten(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    a, b = flatten(saved), flatten(current)
    differ = [k for k in sorted(set(a) | set(b)) if _normalize(a.get(k)) != _normalize(b.get(k))]
    # A decaying learning rate is a function of the run's length: then total_steps is fixed too.
    decaying = any(v != "constant" for k, v in b.items() if k.startswith("optimizer.") and k.endswith(".schedule"))
    allowed = [k for k in differ if k in allow or k.startswith(tuple(f"{a.rstrip('.')}." for a in allow))]
    return [k for k in differ
            if k not in allowed and (not k.startswith(RESUMABLE_CHANGES) or (decaying and k == "total_steps"))]


def _normalize(v):
    return list(v) if isinstance(v, (list, tuple)) else v
