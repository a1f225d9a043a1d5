"""The online image-to-image configs (CycleGAN horse2zebra, SRGAN DIV2K) on fake tfds sources: their data
pipelines (crops aligned, deterministic, disjoint process rows) and one train step of each config."""

import numpy as np
import pytest

from helpers import assert_trees_equal, build, run_steps
from jaxgan.config import load_experiment
from jaxgan.data import online_pairs


class FakeSource:
    """A tfds data source of fixed random images: `image` (cycle_gan) or aligned `lr`/`hr` (div2k)."""

    def __init__(self, kind, n=6, seed=0):
        rng = np.random.default_rng(seed)
        if kind == "div2k":
            lr = [rng.integers(0, 256, (40 + i, 44, 3), dtype=np.uint8) for i in range(n)]
            self.examples = [{"lr": x, "hr": np.repeat(np.repeat(x, 4, 0), 4, 1)} for x in lr]
        else:
            self.examples = [{"image": rng.integers(0, 256, (60 + i, 50, 3), dtype=np.uint8)} for i in range(n)]

    def __len__(self):
        return len(self.examples)

    def __getitems__(self, keys):
        return [self.examples[k] for k in keys]


@pytest.fixture
def fake_tfds(monkeypatch):
    def open_source(name, split, data_dir=None):
        return FakeSource("div2k" if name.startswith("div2k") else "cycle_gan", seed=hash(split) % 100)

    monkeypatch.setattr(online_pairs, "open_source", open_source)


def test_div2k_crops_are_aligned_deterministic_and_split_by_process(fake_tfds):
    ds = online_pairs.Div2k("div2k_x4", image_size=32, eval_crop=64)
    batch = ds.local_batch(2, 4)
    assert batch["input"].shape == (1, 4, 8, 8, 3) and batch["target"].shape == (1, 4, 32, 32, 3)
    # The fake HR is the LR repeated 4x, so an aligned crop's HR is its LR repeated.
    np.testing.assert_array_equal(np.repeat(np.repeat(batch["input"], 4, 2), 4, 3), batch["target"])
    assert_trees_equal(batch, online_pairs.Div2k("div2k_x4", image_size=32).local_batch(2, 4))
    halves = [ds.local_batch(2, 4, process_index=p, process_count=2) for p in range(2)]
    np.testing.assert_array_equal(np.concatenate([h["input"] for h in halves], 1), batch["input"])
    pairs = ds.reference_pairs("validation", 3)
    assert pairs["target"].shape == (3, 64, 64, 3) and pairs["input"].shape == (3, 16, 16, 3)


def test_unpaired_tfds_batches_are_jittered_deterministically(fake_tfds):
    ds = online_pairs.TfdsUnpaired("horse2zebra", image_size=32)
    batch = ds.local_batch(1, 4)
    assert batch["a"].shape == batch["b"].shape == (1, 4, 32, 32, 3)
    assert_trees_equal(batch, online_pairs.TfdsUnpaired("horse2zebra", image_size=32).local_batch(1, 4))
    assert not np.array_equal(batch["a"], ds.local_batch(2, 4)["a"])
    pairs = ds.reference_pairs("test", 2)
    assert pairs["paired"] is False and pairs["a"].shape == (2, 32, 32, 3)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
@pytest.mark.parametrize("experiment, arg, shrink", [
    ("cyclegan_horse2zebra", None, {"model.g.width": 4, "model.g.num_blocks": 1, "model.d.width": 4,
                                    "model.d.n_layers": 1, "data.image_size": 32, "family.pool_size": 2}),
    ("srgan_div2k_x4", None, {"model.g.width": 4, "model.g.num_blocks": 1, "model.d.width": 4,
                              "model.d.dense": 8, "data.image_size": 32}),
])
def test_the_online_configs_build_and_train_a_step_on_fake_data(fake_tfds, experiment, arg, shrink):
    c = load_experiment(experiment, arg)
    published = {"cyclegan_horse2zebra": (c.model.g.num_blocks, c.data.image_size, c.batch_size) == (9, 256, 1),
                 "srgan_div2k_x4": (c.model.g.num_blocks, c.data.image_size, c.batch_size) == (16, 96, 16)}
    assert published[experiment]
    for key, value in shrink.items():
        section, _, leaf = key.rpartition(".")
        c[section][leaf] = value
    c.batch_size = 2
    state = run_steps(build(c), 1)
    assert int(state.step) == 1
