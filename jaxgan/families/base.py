"""The family seam: what a GAN family tells the one generic trainer.

A family (GAN, ALI/BiGAN, CycleGAN, ...) is one class registered in
`jaxgan.families.FAMILIES` and chosen by `config.family.name`. It names its
*roles* (networks), the *groups* of roles that one optimizer updates together
(`optimizer.<group>`), the *schedule* of group updates in one train step, the
loss of each group, and the *predictions* its trained networks can make
(`generate`, `encode`, `reconstruct`, ...), which evaluators consume.

The generic step (`jaxgan.step`) does, for each `Update` of the schedule:
`value_and_grad` of `family.loss` over the group's params, the group's
configured penalties on the critic the loss exposes, `lax.pmean` over the data
axis and the group's optimizer; then the EMA of `ema_roles`. A family never
sees an optimizer, a mesh or a checkpoint.

The design note is `../shared/design/families.md`; README's "Add your own GAN
family" shows a small one.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, ClassVar, Hashable, Mapping, NamedTuple, Sequence

import flax.linen as nn
import jax
import ml_collections
import numpy as np

from jaxgan.models.apply import apply_model
from jaxgan.penalties import PenaltyInputs

Metrics = dict[str, jax.Array]
# A prediction maps numpy inputs (or a key and a count) to numpy outputs, on the host.
Prediction = Callable[..., np.ndarray]


@dataclasses.dataclass(frozen=True)
class Update:
    """One entry of a family's schedule.

    Attributes:
      group: the group (player) updated, a key of `Family.groups()`.
      repeats: None for a single update that uses the entry's key as is; an
        int k for a loop of k updates (inside the one compiled step, one
        `lax.scan`) whose keys are the entry's key split k ways, e.g. n_critic
        D updates.
      new_batch: each update reads the next batch of the step; False: it
        reads the last batch read (a GAN's G step reuses D's last batch).
    """

    group: str
    repeats: int | None = None
    new_batch: bool = True

    @property
    def count(self) -> int:
        return 1 if self.repeats is None else self.repeats


class LossContext(NamedTuple):
    """What a group's loss sees of the state during one update.

    Attributes:
      params: every role's params; those of the updated group are the ones
        being differentiated.
      collections: every role's mutable collections (BatchNorm statistics, ...).
      extra: the family's own state (`Family.init_extra`), read-only here;
        return new values in `LossOutput.extra`.
      update_index: how many updates this group had before this one (counts
        over the run; lazy penalties use it).
      step: the train steps done before this one (`state.step`, traced), e.g.
        for a fade-in computed inside the step; None outside the step.
      phase: the step's phase (`Family.phase`), static: None for every family
        but those whose compiled step changes during a run (ProGAN).
    """

    params: Mapping[str, Any]
    collections: Mapping[str, dict]
    extra: Mapping[str, Any]
    update_index: jax.Array
    step: jax.Array | None = None
    phase: Hashable = None


class LossOutput(NamedTuple):
    """A group's loss for one update.

    Attributes:
      loss: the scalar the group minimises (before penalties).
      metrics: scalars to log (means over this device's batch).
      collections: new mutable collections for the roles that should keep
        them (training-mode BatchNorm statistics of the group's own roles).
      critic: what the group's penalties act on (`penalties.PenaltyInputs`);
        None when the group is not a critic (then it must have no penalties).
      extra: new values for keys of the family's `extra` state (averaged
        over devices by the step so that they stay replicated, except the
        family's `replicated_extra` keys, kept as they are).
    """

    loss: jax.Array
    metrics: Metrics
    collections: Mapping[str, dict] = {}
    critic: PenaltyInputs | None = None
    extra: Mapping[str, Any] = {}


class Family:
    """Base class of GAN families. Subclass it and register it:

        @FAMILIES.register("my_family")
        class MyFamily(Family): ...

    The instance is built once per run from the resolved config and the
    dataset. Override what is marked below; the rest has defaults.
    """

    # Roles whose EMA (config.ema) is kept; predictions use it when kept.
    ema_roles: ClassVar[tuple[str, ...]] = ()
    # The group that `config.penalties` regularise unless a penalty names its `group`.
    critic_group: ClassVar[str | None] = None
    # The batch keys this family reads (a batch is a dict; see jaxgan.data).
    batch_keys: ClassVar[tuple[str, ...]] = ("x",)
    # The names of `predictions()`, known before any network is trained (evaluators check them).
    predicts: ClassVar[tuple[str, ...]] = ()
    # Evaluators run when `config.eval.evaluators` is empty.
    default_evaluators: ClassVar[tuple[str, ...]] = ()
    # Keys of `extra` that the loss computes identically on every device (from global-batch data and
    # replicated keys), which the step keeps as they are instead of averaging them over devices.
    replicated_extra: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: ml_collections.ConfigDict, dataset: Any, nets: Mapping[str, nn.Module]):
        self.config = config
        self.dataset = dataset
        self.nets = dict(nets)

    # --- config -------------------------------------------------------------
    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """The family's own options (`config.family.*` besides `name`) and their defaults."""
        return {}

    @classmethod
    def check(cls, config: ml_collections.ConfigDict, dataset: Any) -> None:
        """Raises ValueError naming what is wrong with `config` for this family."""

    @classmethod
    def networks(cls, config: ml_collections.ConfigDict, dataset: Any) -> dict[str, nn.Module]:
        """The roles and their Flax modules, in a fixed order (it orders the init keys)."""
        raise NotImplementedError

    # --- training -----------------------------------------------------------
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Group name -> the roles its optimizer updates."""
        raise NotImplementedError

    def schedule(self) -> Sequence[Update]:
        """The group updates of one train step, in order."""
        raise NotImplementedError

    def schedule_at(self, phase: Hashable) -> Sequence[Update]:
        """The group updates of one train step in `phase` (default: `schedule()` in every phase).

        A family whose players take turns over a run (f-AnoGAN: the GAN, then
        the encoder against the frozen GAN) returns a different schedule per
        phase; a group absent from a phase's schedule is not touched by it
        (no optimizer step, so no momentum drift). Every step reads
        `batches_per_step()` batches whatever its phase; a phase that needs
        fewer uses the first ones.
        """
        del phase
        return self.schedule()

    def phases(self) -> tuple[Hashable, ...]:
        """Every phase a run can take (`phase(step)`'s values), for sizes that must hold for the whole run.

        Only families whose `schedule_at` depends on the phase must list them.
        """
        return (None,)

    def init_inputs(self) -> dict[str, tuple[tuple, dict]]:
        """Per role, the example `(args, kwargs)` its module is initialised with."""
        raise NotImplementedError

    def phase(self, step: int) -> Hashable:
        """The phase of the train step that starts after `step` steps (None: one phase for the whole run).

        The trainer compiles one step per phase (the loss sees it as
        `ctx.phase`, static) and switches when it changes: ProGAN's phase is
        the resolution. It must be a pure function of the step, so a resumed
        run picks the same phase.
        """
        return None

    def init_extra(self) -> dict[str, Any]:
        """The family's own state (a pytree of arrays), kept in `GANState.extra`."""
        return {}

    def loss(self, group: str, ctx: LossContext, batch: Mapping[str, jax.Array], key: jax.Array) -> LossOutput:
        """The loss of `group` for one update, on this device's rows of `batch`."""
        raise NotImplementedError

    # --- predictions --------------------------------------------------------
    def predictions(self, params: Mapping[str, Any], collections: Mapping[str, dict]) -> dict[str, Prediction]:
        """Name -> prediction function of the trained networks (eval mode, on the host's devices)."""
        return {}

    def predictions_at(self, params: Mapping[str, Any], collections: Mapping[str, dict], step: int
                       ) -> dict[str, Prediction]:
        """`predictions` of the networks as they are after `step` steps (a phased family's current phase)."""
        del step
        return self.predictions(params, collections)

    def caption(self, step: int) -> str:
        """What pictures of the networks after `step` steps should say besides the step ("" = nothing):
        a phased family's phase, e.g. ProGAN's resolution and fade-in alpha."""
        del step
        return ""

    # --- helpers for subclasses ---------------------------------------------
    def apply(self, role: str, params: Mapping[str, Any], collections: Mapping[str, dict], x: Any, train: bool,
              rng: jax.Array | None = None, labels: jax.Array | None = None) -> tuple[Any, dict]:
        """Runs role `role` with `params[role]` and `collections[role]`; returns (output, collections)."""
        return apply_model(self.nets[role], params[role], collections[role], x, train, rng, labels)

    def updates_per_step(self, group: str) -> int:
        """How many times one train step updates `group`, the most over phases (for schedules and update counters)."""
        return max(sum(u.count for u in self.schedule_at(p) if u.group == group) for p in self.phases())

    def batches_per_step(self) -> int:
        """How many batches one train step reads, the most over phases (the data layer's leading batch axis)."""
        return max(1, *(sum(u.count for u in self.schedule_at(p) if u.new_batch) for p in self.phases()))
