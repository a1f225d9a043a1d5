"""The online image-to-image configs (CycleGAN horse2zebra, SRGAN DIV2K, pix2pix Cityscapes) on fake tfds sources: their data
pipelines (crops aligned, deterministic, disjoint process rows) and one train step of each config."""

import numpy as np
import pytest

from helpers import assert_trees_equal, build, run_steps, write_random_vgg19
from jaxgan.config import load_experiment
from jaxgan.data import online_pairs


class FakeSource:
    """A tfds data source of fixed random images: `image` (cycle_gan) or aligned `lr`/`hr` (div2k)."""

    def __init__(self, kind, n=6, seed=0):
        rng = np.random.default_rng(seed)
        if kind == "div2k":
            lr = [rng.integers(0, 256, (40 + i, 44, 3), dtype=np.uint8) for i in range(n)]
            self.examples = [{"lr": x, "hr": np.repeat(np.repeat(x, 4, 0), 4, 1)} for x in lr]
        elif kind == "cityscapes":  # labelIds; the photo is the label's palette colour, so pairs are checkable
            blocks = [rng.integers(0, 34, (3, 4, 1), dtype=np.uint8) for _ in range(n)]
            ids = [np.repeat(np.repeat(b, 16, 0), 24, 1) for b in blocks]  # 48x96, blocks of one class
            self.examples = [{"segmentation_label": x, "image_left": online_pairs.colour_labels(x)} for x in ids]
        else:
            self.examples = [{"image": rng.integers(0, 256, (60 + i, 50, 3), dtype=np.uint8)} for i in range(n)]

    def __len__(self):
        return len(self.examples)

    def __getitems__(self, keys):
        return [self.examples[k] for k in keys]


@pytest.fixture
def fake_tfds(monkeypatch):
    def open_source(name, split, data_dir=None):
        kind = name.split("/")[0] if name.split("/")[0] in ("div2k", "cityscapes") else "cycle_gan"
        return FakeSource(kind, seed=len(split))

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


def test_cityscapes_label_maps_are_the_official_colours_cropped_with_their_photos(fake_tfds):
    assert online_pairs.CITYSCAPES_PALETTE.shape == (34, 3)
    np.testing.assert_array_equal(online_pairs.colour_labels(np.array([[7, 26], [0, 40]])),
                                  [[[128, 64, 128], [0, 0, 142]], [[0, 0, 0], [0, 0, 0]]])  # road, car, void, unknown
    ds = online_pairs.CityscapesPairs("cityscapes_labels2photo", image_size=32)
    batch = ds.local_batch(3, 4)
    assert batch["input"].shape == batch["target"].shape == (1, 4, 32, 32, 3)
    # One crop and flip for both: every input pixel is its photo's pixel wherever the bicubic photo is flat.
    flat = np.abs(batch["target"] - batch["input"]).max(-1) < 1e-6
    assert flat.mean() > 0.5  # (flipping one of them leaves ~0.08)
    assert_trees_equal(batch, online_pairs.CityscapesPairs("cityscapes_labels2photo", image_size=32).local_batch(3, 4))
    halves = [ds.local_batch(3, 4, process_index=p, process_count=2) for p in range(2)]
    np.testing.assert_array_equal(np.concatenate([h["target"] for h in halves], 1), batch["target"])
    palette = online_pairs.CITYSCAPES_PALETTE / 127.5 - 1
    pixels = batch["input"].reshape(-1, 1, 3)
    assert np.isclose(pixels, palette[None], atol=1e-6).all(-1).any(-1).all()  # nearest resize: palette colours only
    pairs = ds.reference_pairs("validation", 3)
    assert pairs["input"].shape == pairs["target"].shape == (3, 32, 32, 3)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
@pytest.mark.parametrize("experiment, arg, shrink", [
    ("cyclegan_horse2zebra", None, {"model.g.width": 4, "model.g.num_blocks": 1, "model.d.width": 4,
                                    "model.d.n_layers": 1, "data.image_size": 32, "family.pool_size": 2}),
    ("srgan_div2k_x4", None, {"model.g.width": 4, "model.g.num_blocks": 1, "model.d.width": 4,
                              "model.d.dense": 8, "data.image_size": 32}),
    ("pix2pix_cityscapes", None, {"model.g.width": 4, "model.g.depth": 5, "model.g.dropout_levels": 1,
                                  "model.d.width": 4, "data.image_size": 32}),
])
def test_the_online_configs_build_and_train_a_step_on_fake_data(fake_tfds, tmp_path, experiment, arg, shrink):
    c = load_experiment(experiment, arg)
    published = {"cyclegan_horse2zebra": (c.model.g.num_blocks, c.data.image_size, c.batch_size) == (9, 256, 1),
                 "srgan_div2k_x4": (c.model.g.num_blocks, c.data.image_size, c.batch_size) == (16, 96, 16),
                 "pix2pix_cityscapes": (c.model.g.depth, c.data.image_size, c.batch_size) == (8, 256, 1)}
    assert published[experiment]
    for key, value in shrink.items():
        section, _, leaf = key.rpartition(".")
        c[section][leaf] = value
    c.batch_size = 2
    if c.family.get("content") == "vgg19_54":  # the paper's VGG54: random weights with torchvision's layout
        c.eval.cache_dir = str(write_random_vgg19(tmp_path))
    state = run_steps(build(c), 1)
    assert int(state.step) == 1


def test_preparing_cityscapes_without_its_files_says_what_to_download(tmp_path):
    from jaxgan.data import storage

    with pytest.raises(storage.DatasetNotPreparedError, match=r"manual download\..*leftImg8bit_trainvaltest\.zip.*"
                                                              r"--manual_dir DIR"):
        storage.prepare_dataset("cityscapes/semantic_segmentation", data_dir=str(tmp_path / "tfds"),
                                manual_dir=str(tmp_path / "no_files"))
