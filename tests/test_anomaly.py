"""One-class anomaly detection: AUROC against hand values, the one-class data filter, f-AnoGAN's phases and
izi_f loss by hand, the BiGAN detector's score, deterministic scoring, the app's refusals and the table."""

import json
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, data_config, mock_images
from jaxgan import parallel, sampling
from jaxgan.apps import anomaly as anomaly_app
from jaxgan.config import ConfigError, load_experiment
from jaxgan.data import build_dataset
from jaxgan.data.images import subset_rows
from jaxgan.evaluation.anomaly import auroc, roc_curve
from jaxgan.families import LossContext
from jaxgan.families.fanogan import izi_f_terms
from jaxgan.models.apply import last_dense_input
from jaxgan.step import make_train_step
from jaxgan.tools import anomaly_table

MOCK_EXAMPLES = 60


# --- AUROC --------------------------------------------------------------------------------------

def test_auroc_perfect_inverted_random_and_by_hand():
    truth = np.array([0, 0, 0, 1, 1], bool)
    assert auroc(np.array([0.1, 0.2, 0.3, 0.8, 0.9]), truth) == 1.0
    assert auroc(-np.array([0.1, 0.2, 0.3, 0.8, 0.9]), truth) == 0.0
    assert auroc(np.zeros(5), truth) == 0.5  # all tied: chance
    # 4 (anomaly, normal) pairs: (0.35 > 0.1), (0.35 < 0.4), (0.8 > both) -> 3 of 4
    assert auroc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1], bool)) == 0.75
    # a tie between an anomaly and a normal counts half: pairs (0.5 vs 0.5) = 0.5, (0.5 vs 0.1) = 1
    assert auroc(np.array([0.1, 0.5, 0.5]), np.array([0, 0, 1], bool)) == 0.75
    rng = np.random.default_rng(0)
    assert abs(auroc(rng.normal(size=20_000), rng.random(20_000) < 0.3) - 0.5) < 0.02


def test_roc_curve_runs_from_corner_to_corner_and_its_area_is_the_auroc():
    rng = np.random.default_rng(1)
    truth = rng.random(500) < 0.4
    scores = np.round(rng.normal(size=500) + truth, 1)  # ties on purpose
    fpr, tpr = roc_curve(scores, truth)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(auroc(scores, truth), abs=1e-12)


def test_auroc_refuses_one_sided_or_non_finite_scores():
    with pytest.raises(ValueError, match="both normal and anomalous"):
        auroc(np.arange(3.0), np.zeros(3, bool))
    with pytest.raises(ValueError, match="not finite"):
        auroc(np.array([0.0, np.nan]), np.array([0, 1], bool))


# --- one-class data -----------------------------------------------------------------------------

def test_one_class_data_reads_only_its_class_deterministically():
    with mock_images(MOCK_EXAMPLES):
        c = data_config("fashion_mnist", classes="3", use_labels=True)
        ds = build_dataset(c)
        labels = np.array([ex["label"] for ex in ds._source.__getitems__(list(range(MOCK_EXAMPLES)))])
        assert ds.num_examples == int((labels == 3).sum()) > 0
        batches = [ds.local_batch(step, 8)["label"] for step in range(3)]
        assert all((b == 3).all() for b in batches)
        assert_trees_equal(ds.local_batch(2, 8), build_dataset(c).local_batch(2, 8))
        for bad, message in (("12", r"\[12\] out of range; fashion_mnist has classes 0-9"),
                             ("x", "class indices separated by commas")):
            with pytest.raises(ValueError, match=message):
                build_dataset(data_config("fashion_mnist", classes=bad))
    with pytest.raises(ValueError, match="cannot keep only some classes"):
        build_dataset(data_config("ring8", classes="1"))


def test_label_subsets_are_stratified_deterministic_nested_and_from_the_train_split_only():
    labels = np.repeat(np.arange(10), [600 + 10 * k for k in range(10)])
    np.random.default_rng(0).shuffle(labels)
    ten = subset_rows(labels, fraction=0.1, seed=0)
    counts = np.bincount(labels[ten], minlength=10)
    np.testing.assert_array_equal(counts, [round(0.1 * (600 + 10 * k)) for k in range(10)])  # each class its share
    np.testing.assert_array_equal(ten, subset_rows(labels, fraction=0.1, seed=0))
    assert not np.array_equal(ten, subset_rows(labels, fraction=0.1, seed=1))
    assert set(subset_rows(labels, fraction=0.01, seed=0)) <= set(ten)  # 1% inside 10% of the same seed
    assert np.bincount(labels[subset_rows(labels, (3,), 0.001, 0)]).tolist() == [0, 0, 0, 1]  # at least one
    with mock_images(MOCK_EXAMPLES):
        ds = build_dataset(data_config("fashion_mnist", label_fraction=0.5, subset_seed=2))
        assert ds._split == "train" and ds.num_examples < MOCK_EXAMPLES  # rows of the train split; test is apart
        with pytest.raises(ValueError, match=r"label_fraction must be in \(0, 1\]"):
            build_dataset(data_config("fashion_mnist", label_fraction=0.0))


def test_a_class_out_of_range_is_refused_before_any_run_starts():
    for experiment in ("fanogan_fashion_mnist", "bigan_anomaly_fashion_mnist"):
        with pytest.raises(ConfigError, match="takes no argument '10'"):
            load_experiment(experiment, "10")
        assert load_experiment(experiment, "7").data.classes == "7"


# --- f-AnoGAN -----------------------------------------------------------------------------------

def test_izi_f_terms_by_hand():
    x = jnp.array([[[1.0, -1.0]], [[0.0, 0.5]]])  # 2 images of 2 pixels
    x_hat = jnp.array([[[0.0, -1.0]], [[0.0, -0.5]]])
    f, f_hat = jnp.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), jnp.array([[1.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
    image, feature = izi_f_terms(x, x_hat, f, f_hat)
    np.testing.assert_allclose(image, [0.5, 0.5])  # (1^2 + 0) / 2, (0 + 1^2) / 2
    np.testing.assert_allclose(feature, [13 / 3, 3.0])  # (0 + 4 + 9) / 3, 9 / 3


def fanogan_smoke():
    c = load_experiment("fanogan_fashion_mnist", "smoke")
    c.batch_size, c.total_steps, c.family.gan_steps = 4, 4, 2
    return c


@pytest.fixture(scope="module")
def fanogan_run():
    """A smoke f-AnoGAN on mock garments: the state after each step, on one device."""
    with mock_images(MOCK_EXAMPLES):
        exp = build(fanogan_smoke(), num_devices=1)
        state, states, rng = exp.init_state(), [], jax.random.key(0)
        for step in range(exp.config.total_steps):
            fn = parallel.shard_step(make_train_step(exp.family, exp.config, exp.family.phase(step)), exp.mesh,
                                     donate=False)
            batch = parallel.place_batch(
                exp.dataset.local_batch(step, exp.config.batch_size, exp.family.batches_per_step()), exp.mesh)
            state, _ = fn(state, batch, rng)
            states.append(jax.device_get(jax.block_until_ready(state)))
        yield exp, exp.init_state(), states


def changed(a, b):
    return any(not np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def test_fanogan_trains_the_gan_then_only_the_encoder(fanogan_run):
    exp, init, states = fanogan_run
    assert [exp.family.phase(s) for s in range(4)] == ["gan", "gan", "encoder", "encoder"]
    assert exp.family.batches_per_step() == exp.config.d_steps_per_g_step  # the most any phase reads
    gan_end, last = states[1], states[3]
    for role in ("generator", "discriminator"):
        assert changed(init.params[role], gan_end.params[role])
        assert_trees_equal(gan_end.params[role], last.params[role])  # frozen in the encoder phase
        assert_trees_equal(gan_end.collections[role], last.collections[role])
    for group in ("d", "g"):
        assert_trees_equal(gan_end.opt_state[group], last.opt_state[group])  # no optimizer step either
    assert_trees_equal(init.params["encoder"], gan_end.params["encoder"])  # untouched in the GAN phase
    assert changed(gan_end.params["encoder"], last.params["encoder"])


def test_fanogan_encoder_loss_is_izi_f_by_hand(fanogan_run):
    exp, _, states = fanogan_run
    state, family = states[1], exp.family
    x = jnp.asarray(np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)), jnp.float32)
    p, coll = state.params, state.collections
    ctx = LossContext(p, coll, state.extra, jnp.zeros((), jnp.int32), state.step, "encoder")
    out = family.loss("e", ctx, {"x": x}, jax.random.key(0))
    z = family.nets["encoder"].apply({"params": p["encoder"], **coll["encoder"]}, x, train=False)
    x_hat = family.nets["generator"].apply({"params": p["generator"], **coll["generator"]}, z, train=False)
    d = (family.nets["discriminator"], p["discriminator"], coll["discriminator"])
    f_x, f_hat = last_dense_input(*d, x)[1], last_dense_input(*d, x_hat)[1]
    expected = np.mean(np.mean((x - x_hat) ** 2, axis=(1, 2, 3)) + exp.config.family.kappa
                       * np.mean((f_x - f_hat) ** 2, axis=1))
    np.testing.assert_allclose(out.loss, expected, rtol=1e-5)
    assert f_x.shape == (3, 2 * 8 * 7 * 7)  # the width-8 smoke D's flattened conv features


def test_fanogan_scores_are_deterministic_and_match_their_terms(fanogan_run):
    exp, _, states = fanogan_run
    x = np.random.default_rng(1).uniform(-1, 1, (5, 28, 28, 1)).astype(np.float32)
    first = sampling.predictions(exp.family, states[-1])["anomaly_scores"](x)
    again = sampling.predictions(exp.family, states[-1])["anomaly_scores"](x)
    assert_trees_equal(first, again)
    assert sorted(first) == ["critic", "feature_residual", "image_residual", "izi_f"]
    np.testing.assert_allclose(first["izi_f"], first["image_residual"] + first["feature_residual"], rtol=1e-6)


def test_fanogan_refuses_bad_phase_lengths_and_the_ema():
    with mock_images(MOCK_EXAMPLES):
        for key, value, message in (("gan_steps", 4, "gan_steps"), ("ema", 0.99, "ema.decay=0")):
            c = fanogan_smoke()
            if key == "ema":
                c.ema.decay = value
            else:
                c.family.gan_steps = value
            with pytest.raises(ValueError, match=message):
                build(c, num_devices=1)


# --- BiGAN detector ----------------------------------------------------------------------------

def test_bigan_detector_score_is_its_weighted_terms():
    with mock_images(MOCK_EXAMPLES):
        c = load_experiment("bigan_anomaly_fashion_mnist", "smoke")
        exp = build(c, num_devices=1)
        state = exp.init_state()
        x = np.random.default_rng(2).uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
        scores = sampling.predictions(exp.family, state)["anomaly_scores"](x)
    w = c.family.anomaly_weight
    np.testing.assert_allclose(scores["bigan"], (1 - w) * scores["image_l1"] + w * scores["feature_l1"], rtol=1e-6)
    recon = sampling.predictions(exp.family, state)["reconstruct"](x)
    np.testing.assert_allclose(scores["image_l1"], np.abs(x - recon).reshape(4, -1).sum(1), rtol=1e-5)


# --- the app and the table ---------------------------------------------------------------------

def test_the_app_names_the_families_that_can_score():
    exp = types.SimpleNamespace(config=types.SimpleNamespace(family=types.SimpleNamespace(name="pix2pix")),
                                family=types.SimpleNamespace(predicts=("translate",)))
    with pytest.raises(ConfigError, match="cannot score images.*Families that can: ali, fanogan"):
        anomaly_app.check_run(exp, "runs/p2p")


def test_anomaly_table_averages_seeds_and_shows_the_published_rows(tmp_path):
    for k, seed, value in ((0, 0, 0.8), (0, 1, 0.9), (3, 0, 0.7)):
        run = tmp_path / f"fanogan_c{k}_s{seed}"
        run.mkdir()
        (run / "anomaly.json").write_text(json.dumps({
            "family": "fanogan", "normal_classes": [k], "aurocs": {"izi_f": value, "critic": 0.5},
            "num_test": 10_000, "train_wall_s": 600.0}))
    text = anomaly_table.table(anomaly_table.load_runs(tmp_path))
    izi_f = next(line for line in text.splitlines() if line.startswith("| f-AnoGAN, izi_f"))
    cells = [c.strip() for c in izi_f.split("|")[1:-1]]
    assert cells[1] == "85.0" and cells[4] == "70.0" and cells[2] == "–"
    assert cells[11] == "77.5 ± 7.5 (2 of 10 classes)" and cells[12] == "3" and cells[13] == "10"
    assert "| GeoTrans (published" in text and "89.2 ± 6.2" in text
