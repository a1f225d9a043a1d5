"""Image metrics wired into evaluation: extractor by name, cached reference features, protocols, tables."""

import json
import shutil
import threading
import time

import jax.numpy as jnp
import numpy as np
import pytest

from conftest import tiny_config
from jaxgan import config as config_lib
from jaxgan import experiment, train
from jaxgan.data import build_dataset
from jaxgan.evaluation import evaluate_samples, image_metrics, reference
from jaxgan.evaluation.extractors import EXTRACTORS, Extractor, ExtractorUnavailable
from jaxgan.parallel import sharded_map
from jaxgan.tools import image_table
from test_image_data import mock_images

FAKE = "test_random_projection"
_PROJECTION = np.random.default_rng(0).standard_normal((28 * 28, 8)).astype(np.float32)


def _features(params, images):
    feats = jnp.tanh(images.reshape(images.shape[0], -1) @ params)
    return {"features": feats, "probs": jnp.exp(feats[:, :4]) / jnp.sum(jnp.exp(feats[:, :4]), -1, keepdims=True)}


@pytest.fixture(autouse=True)
def fake_extractor():
    """A tiny deterministic extractor: a fixed random projection of the pixels."""
    calls = {"n": 0}

    @EXTRACTORS.register(FAKE)
    def build(eval_config):
        def apply(images):
            calls["n"] += len(images)
            return sharded_map(_features, jnp.asarray(_PROJECTION), images, batch_size=64)

        return Extractor(FAKE, "test features (random projection)", "ab" * 32, 8, 4, apply)

    @EXTRACTORS.register("test_unavailable")
    def unavailable(eval_config):
        raise ExtractorUnavailable("test weights missing: set config.eval.inception_weights")

    yield calls
    EXTRACTORS.unregister(FAKE)
    EXTRACTORS.unregister("test_unavailable")


def _image_config(tmp_path, metrics="fid,kid,is,pr,dc", extractor=FAKE):
    c = tiny_config()
    c.data.name = "fashion_mnist"
    c.eval.update(dict(metrics=metrics, extractor=extractor, cache_dir=str(tmp_path / "cache"),
                       reference_num_samples=40))
    return c


def test_metrics_carry_the_extractor_name_and_protocol_and_reference_features_are_cached(tmp_path, fake_extractor):
    c = _image_config(tmp_path, metrics="fid,kid,is,confident,pr,dc")
    with mock_images(num_examples=60):
        dataset = build_dataset(c)
        real = dataset.reference_images("train", 40)
        collapsed = np.full((40, 28, 28, 1), -1.0, np.float32)  # one blank image, 40 times
        same = evaluate_samples(dataset, real, c.eval)
        assert fake_extractor["n"] == 80  # 40 generated + 40 reference images
        other = evaluate_samples(dataset, collapsed, c.eval)
        assert fake_extractor["n"] == 120  # the reference features came from the cache
    assert len(list((tmp_path / "cache" / "reference").glob("*.npz"))) == 1
    keys = {f"{FAKE}/{k}" for k in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density", "coverage")}
    assert keys <= set(same)
    # Samples equal to the reference set score as perfect; a collapsed generator does not.
    assert abs(same[f"{FAKE}/fid"]) < 1e-6 and same[f"{FAKE}/precision"] == same[f"{FAKE}/recall"] == 1.0
    assert other[f"{FAKE}/fid"] > 0.1 and other[f"{FAKE}/coverage"] < 0.2 < same[f"{FAKE}/coverage"]
    assert other[f"{FAKE}/recall"] < same[f"{FAKE}/recall"]
    assert "40 generated samples" in same["protocol"] and "test features" in same["protocol"]
    assert "precision/recall k=3" in same["protocol"] and "abababababab" in same["protocol"]
    assert 0.0 <= same[f"{FAKE}/confident"] <= 1.0 and "top class probability >= 0.9" in same["protocol"]


class _Images:
    """A reference dataset whose images can change under the same name (a new data version, an edited transform)."""

    name, element_shape = "changing", (4, 4, 1)

    def __init__(self, value: float):
        self.value = value

    def reference_images(self, split, num):
        return np.full((num, 4, 4, 1), self.value, np.float32)


def test_cached_reference_features_are_recomputed_when_their_images_change(tmp_path):
    calls = []
    extractor = Extractor("count", "counting", "cd" * 32, 1, 0,
                          lambda x: calls.append(len(x)) or {"features": x.reshape(len(x), -1)[:, :1].copy()})
    first = reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path)
    again = reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path)
    assert calls == [3] and set(again) == {"features"}  # the fingerprint is no feature
    np.testing.assert_array_equal(first["features"], again["features"])
    changed = reference.reference_features(_Images(-0.5), extractor, "test", 3, tmp_path)
    assert calls == [3, 3] and (changed["features"] == -0.5).all()  # same key, other images: never the stale entry
    # An entry written before fingerprints existed is adopted once, then held to its images.
    (entry,) = (tmp_path / "reference").glob("*.npz")
    np.savez(entry, features=np.full((3, 1), 7.0, np.float32))
    assert (reference.reference_features(_Images(-0.5), extractor, "test", 3, tmp_path)["features"] == 7.0).all()
    assert calls == [3, 3]
    assert (reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path)["features"] == 0.5).all()
    assert calls == [3, 3, 3]


def test_the_same_images_under_another_name_reuse_the_cached_features(tmp_path):
    calls = []
    extractor = Extractor("count", "counting", "cd" * 32, 1, 0,
                          lambda x: calls.append(len(x)) or {"features": x.reshape(len(x), -1)[:, :1].copy()})
    first = reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path)
    alias = _Images(0.5)
    alias.name = "alias"  # another dataset whose real images are the very same
    reused = reference.reference_features(alias, extractor, "test", 3, tmp_path)
    assert calls == [3]
    np.testing.assert_array_equal(first["features"], reused["features"])
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "reference").glob("*.npz")) == ["alias", "changing"]
    other = _Images(-0.5)
    other.name = "other"  # other images: computed, never borrowed
    assert (reference.reference_features(other, extractor, "test", 3, tmp_path)["features"] == -0.5).all()
    weights = Extractor("count", "counting", "ef" * 32, 1, 0, extractor.apply)  # other weights: computed
    reference.reference_features(alias, weights, "test", 3, tmp_path)
    assert calls == [3, 3, 3]


def test_runs_side_by_side_compute_a_reference_entry_once(tmp_path):
    """The second run to need an entry waits for the first one's features instead of computing them again."""
    calls, computing = [], threading.Event()

    def apply(x):
        calls.append(len(x))
        computing.set()
        time.sleep(0.5)  # the first run is mid-computation when the second arrives
        return {"features": x.reshape(len(x), -1)[:, :1].copy()}

    extractor = Extractor("count", "counting", "cd" * 32, 1, 0, apply)
    results = []
    runs = [threading.Thread(target=lambda: results.append(
        reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path))) for _ in range(2)]
    runs[0].start()
    assert computing.wait(30)
    runs[1].start()
    for run in runs:
        run.join(60)
    assert calls == [3] and len(results) == 2
    np.testing.assert_array_equal(results[0]["features"], results[1]["features"])


def test_the_processes_of_one_multi_process_run_take_no_lock(tmp_path, monkeypatch):
    """They compute the features together (a collective map); one waiting on the other's lock would hang both."""
    monkeypatch.setattr(reference.jax, "process_count", lambda: 2)
    held = []
    monkeypatch.setattr(reference.fcntl, "flock", lambda *args: held.append(args))
    extractor = Extractor("count", "counting", "cd" * 32, 1, 0, lambda x: {"features": x.reshape(len(x), -1)[:, :1]})
    reference.reference_features(_Images(0.5), extractor, "test", 3, tmp_path)
    assert held == [] and list((tmp_path / "reference").glob("*.npz"))


def test_a_missing_extractor_skips_metrics_with_its_reason(tmp_path):
    c = _image_config(tmp_path, extractor="test_unavailable")
    with mock_images(num_examples=60):
        dataset = build_dataset(c)
        results = evaluate_samples(dataset, np.zeros((8, 28, 28, 1), np.float32), c.eval)
    assert "inception_weights" in results["metrics_skipped"]
    assert not [k for k in results if "/" in k]  # no number without its extractor


def test_unknown_metric_or_extractor_names_list_the_choices(tmp_path):
    # Names are checked when the run is built (jaxgan.experiment.build), which reads the dataset.
    with mock_images(num_examples=60):
        with pytest.raises(config_lib.ConfigError, match=r"Unknown metric 'fd'. Choices: .*fid"):
            experiment.build(_image_config(tmp_path, metrics="fid,fd"))
        with pytest.raises(config_lib.ConfigError, match=r"Unknown feature extractor 'inception'"):
            experiment.build(_image_config(tmp_path, extractor="inception"))


def test_training_evaluates_images_and_the_table_tool_reads_the_run(tmp_path):
    c = _image_config(tmp_path, metrics="fid,is")
    c.total_steps, c.eval_every_steps, c.checkpoint_every_steps = 2, 2, 2
    c.eval.num_samples = 16
    c.model.latent_dim = 8
    c.model.g.output_activation = "tanh"
    workdir = tmp_path / "run"
    with mock_images(num_examples=60):
        results = train.train_and_evaluate(c, str(workdir))
    assert np.isfinite(results[f"{FAKE}/fid"]) and results[f"{FAKE}/is"] >= 1.0
    logged = [json.loads(line) for line in (workdir / "eval.jsonl").read_text().splitlines()]
    assert logged[-1][f"{FAKE}/fid"] == pytest.approx(results[f"{FAKE}/fid"])
    text = image_table.table([image_table.load_run(workdir)])
    assert f"| run | data | steps | wall (min) | {FAKE}/fid | {FAKE}/is | protocol |" in text
    assert "| run | fashion_mnist | 2 |" in text and "[1] 16 generated samples" in text
    assert "Lucic" not in text  # Inception-FID rows are not set beside another extractor's FID
    # --keep: the row outlives the workdir, read back as the run itself (not as exported samples)
    kept = image_table.keep(image_table.load(str(workdir)), tmp_path / "results", str(workdir))
    row = image_table.load(str(kept))
    assert row["kept_from"] == str(workdir) and image_table.table([row]) == text
    # a checkpoint's scores written into the workdir (jaxgan.evaluate --step N --output W/eval_stepN.json)
    (workdir / "eval_step2.json").write_text(json.dumps({"step": 2, f"{FAKE}/fid": 1.5, "protocol": "p"}))
    checkpoint = image_table.load(str(workdir / "eval_step2.json"))
    assert checkpoint["name"] == "run@2" and checkpoint["dataset"] == "fashion_mnist"
    assert "| run@2 | fashion_mnist | 2 |  | 1.5 |" in image_table.table([checkpoint])
    # two evaluations of that checkpoint are told apart by their files; one run given twice is refused
    (workdir / "standing.json").write_text(json.dumps({"step": 2, f"{FAKE}/fid": 1.2, "protocol": "p"}))
    both = image_table.load_all([str(workdir / "eval_step2.json"), str(workdir / "standing.json")])
    assert [r["name"] for r in both] == ["run@2_eval_step2", "run@2_standing"]
    with pytest.raises(ValueError, match="Rows run come from more than one argument"):
        image_table.load_all([str(workdir), str(kept)])
    at = tmp_path / "lr@2"  # an '@' in a run's own name does not make it a checkpoint's evaluation
    shutil.copytree(workdir, at)
    kept_at = image_table.keep(image_table.load(str(at)), tmp_path / "results", str(at))
    with pytest.raises(ValueError, match="Rows lr@2 come from more than one argument"):
        image_table.load_all([str(at), str(kept_at)])
    with pytest.raises(ValueError, match="already keeps the row of .*--label run=NEW_NAME"):
        image_table.keep(checkpoint | {"name": "run"}, tmp_path / "results", str(workdir / "eval_step2.json"))
    assert image_table.load(str(kept))["kept_from"] == str(workdir)  # untouched


def test_table_sets_lucics_rows_beside_inception_fids_only():
    run = {"name": "lucic_ns_s0", "dataset": "fashion_mnist", "step": 15625, "wall_s": 3900.0,
           "inception_fid/fid": 25.0, "protocol": "10000 generated samples"}
    text = image_table.table([run])
    assert "| lucic_ns_s0 | fashion_mnist | 15625 | 65.0 | 25 | [1] |" in text
    assert "| NS GAN | FID 26.5±1.6 |" in text and "Lucic et al. 2018" in text
    assert "Lucic" not in image_table.table([run], published=False)  # a second table of the same benchmark


def test_sanity_fid_helpers():
    from jaxgan.tools import sanity_fid

    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 3))
    assert abs(sanity_fid.fid_of_features(a, a)) < 1e-9
    assert sanity_fid.fid_of_features(a, a + 2.0) == pytest.approx(12.0, rel=1e-6)  # |mean shift|^2, same cov
    images = rng.uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    noisy = sanity_fid.noised(images, 0.05)
    assert noisy.min() >= -1 and noisy.max() <= 1 and noisy.dtype == np.float32
    assert 0.03 < np.std(noisy - images) < 0.05  # clipping only shrinks the noise
    np.testing.assert_array_equal(noisy, sanity_fid.noised(images, 0.05))  # seeded


def test_modes_metric_counts_distinct_channel_label_triples(tmp_path):
    """An exact 10-class 'classifier' (brightness bucket) makes the expected mode count known."""

    @EXTRACTORS.register("test_brightness")
    def build(eval_config):
        def apply(images):
            bucket = np.clip(((images.mean(axis=(1, 2, 3)) + 1.0) / 0.2).astype(int), 0, 9)
            return {"features": images.reshape(len(images), -1), "probs": np.eye(10)[bucket]}

        return Extractor("test_brightness", "brightness buckets", "cd" * 32, 784, 10, apply)

    try:
        triples = np.random.default_rng(0).integers(0, 10, (300, 3))
        samples = np.broadcast_to((-1.0 + 0.2 * triples + 0.1)[:, None, None, :], (300, 28, 28, 3)).astype(np.float32)
        c = _image_config(tmp_path, metrics="modes", extractor="test_brightness")
        results = image_metrics.evaluate_images(samples, None, c.eval)
        expected = len({tuple(t) for t in triples})
        assert results["test_brightness/modes"] == expected
        counts = np.unique(triples @ np.array([100, 10, 1]), return_counts=True)[1]
        q = counts / counts.sum()
        assert results["test_brightness/kl"] == pytest.approx(float(np.sum(q * np.log(q * 1000))))
        assert "KL to uniform over 1000" in results["protocol"]
    finally:
        EXTRACTORS.unregister("test_brightness")


def test_the_table_tool_reads_runs_whose_protocols_are_per_prediction():
    from jaxgan.tools.image_table import table

    text = table([{"name": "p2p", "dataset": "edges2fashion", "step": 6, "translate/l1": 0.04,
                   "translate/protocol": "2000 fixed test pairs"}])
    assert "| p2p | edges2fashion | 6 |  | 0.04 | [1] |" in text and "[1] translate/protocol: 2000 fixed test pairs" in text


def test_image_table_shows_bare_metrics_but_not_counts_and_skips_what_is_asked():
    from jaxgan.tools import image_table

    run = {"name": "stargan", "dataset": "coloured_fashion_mnist", "step": 4, "wall_s": 60.0, "train_s": 50.0,
           "num_samples": 8, "l1": 0.25, "class_accuracy": 0.75, "pair/red2green/l1": 0.5, "generator": "raw",
           "protocol": "p"}
    header = image_table.table([run]).splitlines()[0]
    assert header == "| run | data | steps | wall (min) | class_accuracy | l1 | pair/red2green/l1 | protocol |"
    assert "pair/" not in image_table.table([run], skip=("pair/",)).splitlines()[0]


def test_image_table_renames_prefixes_into_shared_columns():
    from jaxgan.tools import image_table

    cycle = {"name": "cycle", "dataset": "u", "step": 6, "translate_ba/l1": 0.1, "translate_ba/fid": 60.0,
             "translate_ba/fid_std": 1.0, "translate_ab/l1": 0.2, "translate_ba/protocol": "b -> a"}
    p2p = {"name": "p2p", "dataset": "p", "step": 6, "translate/l1": 0.05, "translate/protocol": "input -> target"}
    rename = image_table.parse_renames(["translate_ba/=e2g/", "translate/=e2g/", "translate_ab/=g2e/"])
    text = image_table.table([cycle, p2p], rename=rename)
    assert text.splitlines()[0] == "| run | data | steps | wall (min) | e2g/fid | e2g/l1 | g2e/l1 | protocol |"
    assert "| cycle | u | 6 |  | 60 ± 1 | 0.1 | 0.2 | [1] |" in text and "| p2p | p | 6 |  |  | 0.05 |  | [2] |" in text
    assert "[1] e2g/protocol: b -> a" in text
    with pytest.raises(ValueError, match="--rename takes OLD=NEW prefixes"):
        image_table.parse_renames(["translate_ba/"])
    with pytest.raises(ValueError, match="gives two of run 'cycle'"):
        image_table.table([cycle], rename={"translate_ba/": "x/", "translate_ab/": "x/"})


def test_image_table_gives_the_mean_and_sample_std_over_seeds_of_one_protocol():
    from jaxgan.tools import image_table

    def run(name, fid, protocol="p", **more):
        return {"name": name, "dataset": "d", "step": 6, "wall_s": 60.0 * fid, "x/fid": fid, "x/fid_std": 0.5,
                "x/protocol": protocol, **more}

    runs = [run("l1_s0", 30.0), run("l1_s1", 32.0), run("l1_s2", 34.0), run("cgan_s0", 40.0), run("other", 1.0),
            run("sweep_s1@6", 36.0)]
    text = image_table.table(runs, seeds=True)
    assert "| **l1**, mean ± std over seeds 0,1,2 | d | 6 | 32 ± 2 | 32 ± 2 | [1] |" in text  # stdev(30, 32, 34) = 2
    assert text.count("mean ± std") == 1  # one seed of cgan, no seed suffix on the others: no mean of one
    assert "mean" not in image_table.table(runs)
    labelled = image_table.table(runs, seeds=True, labels={"sweep_s1@6": "cgan_s1"})
    assert "| **cgan**, mean ± std over seeds 0,1 | d | 6 | 38 ± 2.8 | 38 ± 2.8 | [1] |" in labelled
    assert "| cgan_s1 | d | 6 |" in labelled and "sweep_s1@6" not in labelled
    assert text.count("[1] x/protocol: p") == 1 and "[2]" not in text  # one protocol, one footnote
    mixed = image_table.table([run("a", 1.0, "p"), run("b", 2.0, "q"), run("c", 3.0, "p")])
    assert [line[-5:] for line in mixed.splitlines()[2:5]] == ["[1] |", "[2] |", "[1] |"]
    assert "[1] x/protocol: p\n[2] x/protocol: q" in mixed
    partial = image_table.table([run("l1_s0", 30.0, **{"x/kid": 0.5}), run("l1_s1", 32.0)], seeds=True)
    assert "| 31 ± 1.4 | 0.5 (n=1) | [1] |" in partial  # a metric one seed lacks says so
    with pytest.raises(ValueError, match=r"group 'l1' have different protocols"):
        image_table.table([*runs[:2], run("l1_s2", 34.0, protocol="q")], seeds=True)
    with pytest.raises(ValueError, match=r"group 'l1' have different protocols"):  # the live G beside EMAs
        image_table.table([*runs[:2], run("l1_s2", 34.0, generator="raw")], seeds=True)
    standing = image_table.table([run("l1_s0", 30.0, standing_stats=16), run("l1_s1", 32.0, standing_stats=16)],
                                 seeds=True)
    assert "BatchNorm statistics of 16 batches" in standing and "standing_stats |" not in standing
    with pytest.raises(ValueError, match=r"group 'l1' have different protocols"):
        image_table.table([run("l1_s0", 30.0, standing_stats=16), run("l1_s1", 32.0)], seeds=True)
    with pytest.raises(ValueError, match=r"--label names rows that are not in the table: \['nope'\]"):
        image_table.table(runs, labels={"nope": "x"})
    with pytest.raises(ValueError, match="--label takes OLD=NEW row names"):
        image_table.parse_labels(["a="])


def test_prepare_reference_fills_the_entry_the_evaluation_reads(tmp_path, fake_extractor):
    from jaxgan.tools import prepare_reference

    c = _image_config(tmp_path, metrics="fid")
    with mock_images(num_examples=60):
        first = prepare_reference.prepare(c)
        assert fake_extractor["n"] == 40 and first["images"] == 40
        assert (tmp_path / "cache" / "reference" / f"{first['entry']}.npz").exists()
        assert prepare_reference.prepare(c)["entry"] == first["entry"] and fake_extractor["n"] == 40  # cached
        evaluate_samples(build_dataset(c), np.zeros((8, 28, 28, 1), np.float32), c.eval)
        assert fake_extractor["n"] == 48  # only the samples' features
        c.eval.metrics = ""
        with pytest.raises(config_lib.ConfigError, match="no reference to prepare"):
            prepare_reference.prepare(c)
