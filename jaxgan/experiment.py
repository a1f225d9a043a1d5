"""Builds a run's pieces from its config, and reloads a finished or running one."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import flax.linen as nn
import jax
import ml_collections
from etils import epath
from jax.sharding import Mesh

from jaxgan import config as config_lib
from jaxgan import models, optim, parallel, penalties
from jaxgan.checkpoint import Checkpointer
from jaxgan.data import build_dataset
from jaxgan.state import GANState, create_state

CONFIG_FILE = "config.json"


@dataclasses.dataclass
class Experiment:
    """The dataset, networks and mesh of one run, built from its config."""

    config: ml_collections.ConfigDict
    dataset: Any
    g_model: nn.Module
    d_model: nn.Module
    mesh: Mesh

    @property
    def num_classes(self) -> int:
        """Classes the run conditions on (0: unconditional)."""
        return self.dataset.num_classes if self.config.data.use_labels else 0

    def init_state(self) -> GANState:
        """A fresh state from `config.seed`, replicated over the mesh."""
        c = self.config

        def init() -> GANState:
            return create_state(
                self.g_model,
                self.d_model,
                optim.make_optimizer(c.optimizer.g, c.total_steps),
                optim.make_optimizer(c.optimizer.d, c.total_steps * c.d_steps_per_g_step),
                rng=jax.random.key(c.seed),
                latent_dim=c.model.latent_dim,
                data_shape=self.dataset.element_shape,
                use_ema=c.ema.decay > 0,
                penalty_state=penalties.init_states(c.penalties.to_dict()),
            )

        return jax.jit(init, out_shardings=parallel.replicated(self.mesh))()


def _as_kwargs(cfg: ml_collections.ConfigDict) -> dict[str, Any]:
    # Lists become tuples so that modules stay hashable (jit static arguments).
    return {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.to_dict().items()}


def build(config: ml_collections.ConfigDict, mesh: Mesh | None = None) -> Experiment:
    """Validates `config` and builds the run's pieces; raises ConfigError if bad."""
    config_lib.validate(config)
    mesh = parallel.make_mesh() if mesh is None else mesh
    try:
        parallel.check_batch_size(config.batch_size, mesh.size, jax.process_count())
        dataset = build_dataset(config)
        num_classes = dataset.num_classes if config.data.use_labels else 0
        if config.data.use_labels and not num_classes:
            raise ValueError(f"data.use_labels=True, but dataset {config.data.name!r} has no class labels.")
        g_model = models.build_generator(
            config.model.generator, _as_kwargs(config.model.g), dataset.element_shape, num_classes
        )
        d_model = models.build_discriminator(config.model.discriminator, _as_kwargs(config.model.d), num_classes)
    except ValueError as e:
        raise config_lib.ConfigError(str(e)) from None
    return Experiment(config, dataset, g_model, d_model, mesh)


def load_config(workdir: str | epath.Path) -> ml_collections.ConfigDict:
    """The config a run in `workdir` was started with.

    `eval.*` keys added to jaxgan after the run started take their defaults:
    they do not change training, so older runs stay evaluable.
    """
    path = epath.Path(workdir) / CONFIG_FILE
    if not path.exists():
        raise FileNotFoundError(f"No {CONFIG_FILE} in {workdir}: is it a jaxgan workdir? Train with python -m jaxgan.main first.")
    saved = json.loads(path.read_text())
    saved["eval"] = {**config_lib.base_config().eval.to_dict(), **saved.get("eval", {})}
    return ml_collections.ConfigDict(saved)


def restore_latest(workdir: str | epath.Path, mesh: Mesh | None = None) -> tuple[Experiment, GANState]:
    """Rebuilds the run in `workdir` and restores its latest checkpoint."""
    config = load_config(workdir)
    exp = build(config, mesh)
    ckpt = Checkpointer(workdir, config.checkpoint_every_steps, config.keep_checkpoints)
    try:
        if ckpt.latest_step() is None:
            raise FileNotFoundError(f"No checkpoint in {ckpt.directory}.")
        state, _ = ckpt.restore(exp.init_state())
    finally:
        ckpt.close()
    return exp, state
