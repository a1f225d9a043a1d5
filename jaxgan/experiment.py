"""Builds a run's pieces from its config (checking every name), and reloads a finished or running one."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jax
import ml_collections
from etils import epath
from jax.sharding import Mesh

from jaxgan import augment, extensions, layout, losses, models, optim, parallel, penalties
from jaxgan import config as config_lib
from jaxgan.checkpoint import Checkpointer
from jaxgan.data import DATASETS, build_dataset
from jaxgan.evaluation import evaluators, image_metrics
from jaxgan.evaluation.extractors import EXTRACTORS
from jaxgan.families import FAMILIES, Family, resolve
from jaxgan.models import precision
from jaxgan.state import GANState, create_state

CONFIG_FILE = layout.CONFIG_FILE


@dataclasses.dataclass
class Experiment:
    """The dataset, family (with its networks) and mesh of one run, built from its config."""

    config: ml_collections.ConfigDict
    dataset: Any
    family: Family
    mesh: Mesh

    @property
    def nets(self) -> dict[str, Any]:
        return self.family.nets

    @property
    def num_classes(self) -> int:
        """Classes the run conditions on (0: unconditional)."""
        return getattr(self.family, "num_classes", 0)

    def optimizers(self) -> dict[str, Any]:
        """Each group's Optax transformation, from `optimizer.<group>`."""
        c = self.config
        return {group: optim.make_optimizer(c.optimizer[group], c.total_steps * self.family.updates_per_step(group))
                for group in self.family.groups()}

    def init_state(self) -> GANState:
        """A fresh state from `config.seed`, replicated over the mesh."""
        c, family = self.config, self.family

        def init() -> GANState:
            extra = {"penalties": penalties.init_states(penalties.by_group(c.penalties.to_dict(),
                                                                           family.critic_group)),
                     **family.init_extra()}
            return create_state(family.nets, family.init_inputs(), family.groups(), self.optimizers(),
                                rng=jax.random.key(c.seed), ema_roles=family.ema_roles if c.ema.decay > 0 else (),
                                extra=extra, extra_ema_decays=tuple(c.ema.extra_decays))

        return jax.jit(init, out_shardings=parallel.replicated(self.mesh))()


def _names(config: ml_collections.ConfigDict) -> None:
    """The registered names a config gives, checked with the key that gave them (the family checks its own)."""
    checks = [(FAMILIES, "family.name"), (losses.LOSSES, "loss"), (DATASETS, "data.name"),
              (models.GENERATORS, "model.generator"), (models.DISCRIMINATORS, "model.discriminator")]
    checks += [(optim.OPTIMIZERS, f"optimizer.{group}.name") for group in config.optimizer]
    if config.eval.metrics:
        checks.append((EXTRACTORS, "eval.extractor"))
    for registry, key in checks:
        try:
            registry.get(config_lib.get_dotted(config, key))
        except ValueError as e:
            raise ValueError(f"config.{key}: {e}") from None
    for name in config.penalties:
        try:
            penalties.PENALTIES.get(name)
        except ValueError as e:
            raise ValueError(f"config.penalties.{name}: {e}") from None
    try:
        image_metrics.parse_metrics(config.eval.metrics)
    except ValueError as e:
        raise ValueError(f"config.eval.metrics: {e}") from None


def _check(config: ml_collections.ConfigDict, family: Family) -> None:
    """The checks of names and options that need the registries; ValueError names the problem."""
    groups = family.groups()
    for group in groups:
        if group not in config.optimizer:
            raise ValueError(f"Family {config.family.name!r} updates group {group!r}, but config.optimizer has no "
                             f"{group!r} block; add one (jaxgan.config.optimizer_config).")
        optim.OPTIMIZERS.get(config.optimizer[group].name)
        optim.learning_rate(config.optimizer[group], 1)
        if unknown := sorted(set(config.optimizer[group].lr_multipliers) - set(groups[group])):
            raise ValueError(f"config.optimizer.{group}.lr_multipliers: {unknown} are not roles of group {group!r}: "
                             f"{', '.join(groups[group])}.")
    for group, configured in penalties.by_group(config.penalties.to_dict(), family.critic_group).items():
        if group not in groups:
            raise ValueError(f"config.penalties: group {group!r} is not one of family {config.family.name!r}'s: "
                             f"{', '.join(groups)}.")
        for name in configured:
            penalties.PENALTIES.get(name)
    augment.parse_policy(config.augment.policy)
    evaluators.check(config, family)


def build(config: ml_collections.ConfigDict, mesh: Mesh | None = None) -> Experiment:
    """Validates `config` and builds the run's pieces; raises ConfigError naming what is wrong.

    Every registered name the run uses is looked up here, before anything
    touches the workdir.
    """
    config_lib.validate(config)
    mesh = parallel.make_mesh() if mesh is None else mesh
    try:
        _names(config)
        config = resolve(config)
        parallel.check_batch_size(config.batch_size, mesh.size, jax.process_count())
        dataset = build_dataset(config)
        cls = FAMILIES.get(config.family.name)
        cls.check(config, dataset)
        nets = {role: precision.with_dtype(net, config.model.dtype) for role, net in cls.networks(config, dataset).items()}
        family = cls(config, dataset, nets)
        _check(config, family)
    except ValueError as e:
        raise config_lib.ConfigError(str(e)) from None
    return Experiment(config, dataset, family, mesh)


def with_defaults(saved: dict, defaults: dict) -> dict:
    """`saved` with every key it lacks taken from `defaults`, recursively (saved values win)."""
    out = dict(saved)
    for key, value in defaults.items():
        if key not in out:
            out[key] = value
        elif isinstance(value, dict) and value and isinstance(out[key], dict):
            out[key] = with_defaults(out[key], value)
    return out


def load_config(workdir: str | epath.Path) -> ml_collections.ConfigDict:
    """The config a run in `workdir` was started with.

    Keys added to jaxgan after the run started take their defaults. A new key's
    default always keeps the behaviour from before the key existed, so older
    runs resume, sample and evaluate as they were. Runs from before the family
    seam (no `family` block) were GAN runs.
    """
    path = epath.Path(workdir) / CONFIG_FILE
    if not path.exists():
        raise FileNotFoundError(f"No {CONFIG_FILE} in {workdir}: is it a jaxgan workdir? Train with python -m jaxgan.main first.")
    return ml_collections.ConfigDict(complete_saved_config(json.loads(path.read_text())))


def complete_saved_config(saved: dict) -> dict:
    """A saved run's config with every key added to jaxgan since then at its default.

    Base keys, a family's own optimizer groups and the family's options: a new
    key's default always keeps the behaviour from before it existed. Runs
    from before the family seam (no `family` block) were GAN runs.
    """
    saved = with_defaults(saved, config_lib.base_config().to_dict())  # base_config's family is "gan"
    for group in saved["optimizer"]:  # a family's own groups get the keys added since, too
        saved["optimizer"][group] = with_defaults(saved["optimizer"][group], config_lib.optimizer_config(0, 0, 0).to_dict())
    if saved["family"].get("name") in FAMILIES:
        saved["family"] = {**FAMILIES.get(saved["family"]["name"]).defaults(), **saved["family"]}
    return saved


def restore_latest(workdir: str | epath.Path, mesh: Mesh | None = None) -> tuple[Experiment, GANState]:
    """Rebuilds the run in `workdir` (importing the extensions it recorded) and restores its latest checkpoint."""
    return restore(workdir, mesh=mesh)


def restore(workdir: str | epath.Path, step: int | None = None, mesh: Mesh | None = None,
            exp: Experiment | None = None) -> tuple[Experiment, GANState]:
    """Restores checkpoint `step` of the run in `workdir` (None: the latest).

    `exp`, when given, is the run's already-built experiment (from an earlier
    call): scoring several checkpoints builds and compiles it once. A step
    that is not kept gets a FileNotFoundError that lists the kept ones.
    """
    if exp is None:
        extensions.load(workdir)  # before the config: an extension family completes it
    config = load_config(workdir) if exp is None else exp.config
    ckpt = Checkpointer(workdir, config.checkpoint_every_steps, config.keep_checkpoints)
    try:
        steps = ckpt.all_steps()
        if not steps:
            raise FileNotFoundError(f"No checkpoint in {ckpt.directory}.")
        if step is not None and step not in steps:
            raise FileNotFoundError(f"No checkpoint of step {step} in {ckpt.directory}; the kept steps are {steps} "
                                    f"(config.keep_checkpoints={config.keep_checkpoints} keeps the newest).")
        if exp is None:  # built after the checks: a wrong step costs no compile
            exp = build(config, mesh)
        state, _ = ckpt.restore(exp.init_state(), step)
    finally:
        ckpt.close()
    return exp, state


def saved_steps(workdir: str | epath.Path) -> list[int]:
    """The steps of the checkpoints kept in `workdir`, oldest first."""
    config = load_config(workdir)
    ckpt = Checkpointer(workdir, config.checkpoint_every_steps, config.keep_checkpoints)
    try:
        return ckpt.all_steps()
    finally:
        ckpt.close()
