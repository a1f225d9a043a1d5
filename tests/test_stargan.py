"""StarGAN: the attributed garments (exact, deterministic renderings), its networks, its losses by hand for both
label styles, shard_map == pmap, an exact resume, and the online CelebA task on tfds mock data."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, data_config, mock_images, on_one_device, run_steps
from jaxgan import experiment, train
from jaxgan.checkpoint import saveable_tree
from jaxgan.config import ConfigError, base_config
from jaxgan.data import build_dataset
from jaxgan.data.attributed import TASKS, render, split_domains
from jaxgan.data.transforms import dilate
from jaxgan.families import LossContext, family_config
from jaxgan.families.stargan import classification_loss, label_table, with_domain
from jaxgan.models.stargan import StarGANDiscriminator, StarGANGenerator
from test_image2image import MOCK_EXAMPLES, count_params

FULL = TASKS["attributed_fashion_mnist"]


# --- data ---------------------------------------------------------------------------------------

def test_renderings_are_exact_colour_inversion_and_dilation():
    g = np.zeros((1, 5, 5, 1), np.uint8)
    g[0, 2, 2] = 200
    bold = dilate(g)
    assert bold[0, 1:4, 1:4].min() == 200 and bold.sum() == 9 * 200  # a dot grows to its 3x3 square
    red, inverted_green_bold = FULL.table[0], FULL.table[7]  # red; green + inverted + bold
    assert FULL.domain_names()[0] == "red" and FULL.domain_names()[7] == "green+inverted+bold"
    out = render(np.repeat(g, 2, 0), np.stack([red, inverted_green_bold]), FULL.attributes)
    np.testing.assert_array_equal(out[0, ..., 0], g[0, ..., 0])
    assert out[0, ..., 1:].max() == 0
    np.testing.assert_array_equal(out[1, ..., 1], 255 - bold[0, ..., 0])
    assert out[1, ..., 0].max() == out[1, ..., 2].max() == 0
    with pytest.raises(ValueError, match="exactly one colour"):
        render(g, np.zeros((1, 5), np.float32), FULL.attributes)


def test_attributed_batches_carry_their_domain_and_are_deterministic():
    with mock_images(MOCK_EXAMPLES):
        ds = build_dataset(data_config("attributed_fashion_mnist"))
        batch = ds.local_batch(2, 8)
        assert batch["x"].shape == (1, 8, 32, 32, 3) and batch["attributes"].shape == (1, 8, 5)
        np.testing.assert_array_equal(batch["attributes"][0], FULL.table[batch["domain"][0]])
        assert_trees_equal(batch, build_dataset(data_config("attributed_fashion_mnist")).local_batch(2, 8))
        halves = [ds.local_batch(2, 8, process_index=p, process_count=2) for p in range(2)]
        np.testing.assert_array_equal(np.concatenate([h["x"] for h in halves], 1), batch["x"])
        pairs = ds.reference_pairs("test", 6)  # the truth of any target follows from the plain garment
        np.testing.assert_array_equal(ds.truth(pairs["garment"], pairs["domain"]), pairs["x"])
    domains = split_domains("train", 60_000, 12)
    assert np.array_equal(domains, split_domains("train", 60_000, 12))
    assert np.bincount(domains).min() > 4_700  # uniform over the 12 domains


def test_colour_pairs_are_unpaired_in_training_and_paired_in_test():
    with mock_images(MOCK_EXAMPLES):
        ds = build_dataset(data_config("fashion_red2green"))
        batch = ds.local_batch(0, 4)
        assert batch["a"][..., 1:].max() == -1 and batch["b"][..., [0, 2]].max() == -1  # red only, green only
        pairs = ds.reference_pairs("test", 3)
        np.testing.assert_array_equal(pairs["a"][..., 0], pairs["b"][..., 1])  # the same garment in both colours


# --- networks -----------------------------------------------------------------------------------

def stargan_g_params(c_dim=5, w=64, blocks=6):
    """By hand, from the authors' Generator (convs without bias, affine IN): 7x7, 2 down, blocks, 2 up, 7x7."""
    n = 49 * (3 + c_dim) * w + 2 * w + 16 * w * 2 * w + 4 * w + 16 * 2 * w * 4 * w + 8 * w
    n += blocks * 2 * (9 * 4 * w * 4 * w + 8 * w)
    return n + 16 * 4 * w * 2 * w + 4 * w + 16 * 2 * w * w + 2 * w + 49 * w * 3


def stargan_d_params(c_dim=5, w=64, layers=6, size=128):
    n, c_in = 0, 3
    for i in range(layers):
        n += 16 * c_in * w * 2**i + w * 2**i
        c_in = w * 2**i
    k = size // 2**layers
    return n + 9 * c_in + k * k * c_in * c_dim  # heads without bias


def test_networks_have_the_papers_shapes_and_parameter_counts_at_128():
    g = StarGANGenerator((128, 128, 3))
    assert count_params(g, (1, 128, 128, 8)) == stargan_g_params() == 8_430_528  # the authors' printout
    d = StarGANDiscriminator(num_classes=5)
    variables = jax.eval_shape(lambda: d.init(jax.random.key(0), jnp.zeros((1, 128, 128, 3)), train=False))
    assert sum(x.size for x in jax.tree.leaves(variables)) == stargan_d_params() == 44_762_048
    src, cls = jax.eval_shape(lambda v, x: d.apply(v, x, train=False), variables, jnp.zeros((2, 128, 128, 3)))
    assert src.shape == (2, 2, 2) and cls.shape == (2, 5)
    with pytest.raises(ValueError, match="not divisible by 64"):
        d.init(jax.random.key(0), jnp.zeros((1, 48, 48, 3)), train=False)


# --- the family ---------------------------------------------------------------------------------

def stargan_config(data="attributed_fashion_mnist", **family):
    c = base_config()
    c.family = family_config("stargan", **{"n_critic": 2, **family})
    c.data.name, c.data.image_size = data, 16
    c.batch_size, c.total_steps, c.loss = 4, 4, "wasserstein"
    c.penalties = {"wgan_gp": {"weight": 10.0}}
    c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
    c.model.generator, c.model.discriminator = "stargan", "stargan"
    c.model.g.width, c.model.g.num_blocks = 4, 1
    c.model.d.width, c.model.d.num_layers = 4, 2
    c.eval.evaluators, c.eval.reference_split, c.eval.num_samples = "attributes", "test", 8
    return c


def test_classification_loss_uses_the_label_style():
    logits, target = jnp.array([[2.0, -1.0, 0.5]]), jnp.array([[1.0, 0.0, 1.0]])
    bce = -(np.log(1 / (1 + np.exp(-2.0))) + np.log(1 - 1 / (1 + np.exp(1.0))) + np.log(1 / (1 + np.exp(-0.5))))
    np.testing.assert_allclose(classification_loss(logits, target, "binary"), bce, rtol=1e-6)
    onehot = jnp.array([[0.0, 0.0, 1.0]])
    np.testing.assert_allclose(classification_loss(logits, onehot, "onehot"),
                               -jax.nn.log_softmax(logits)[0, 2], rtol=1e-6)
    assert label_table(FULL, "binary").shape == (12, 5) and label_table(FULL, "onehot").shape == (12, 12)


@pytest.mark.parametrize("style", ["binary", "onehot"])
def test_the_losses_are_the_papers_by_hand(style):
    with mock_images(MOCK_EXAMPLES):
        exp = build(stargan_config(label_style=style, cls_weight=0.7, rec_weight=3.0), num_devices=1)
        state, family = jax.device_get(exp.init_state()), exp.family
        batch = {k: jnp.asarray(v[0]) for k, v in exp.dataset.local_batch(0, 4).items()}
        ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
        key = jax.random.key(3)
        out = {group: on_one_device(lambda k, group=group: family.loss(group, ctx, batch, k).loss)(key)
               for group in ("d", "g")}
        table = jnp.asarray(label_table(exp.dataset.task, style))
        c_trg = table[jax.random.randint(jax.random.split(key)[0], (4,), 0, 12)]
        c_org = table[batch["domain"]]
        d = lambda x: family.apply("discriminator", ctx.params, ctx.collections, x, True)[0]  # noqa: E731
        g = lambda x, c: family.apply("generator", ctx.params, ctx.collections, with_domain(x, c), True)[0]  # noqa

        @jax.jit  # compiled once, not op by op
        def by_hand(x, c_trg, c_org):
            fake = g(x, c_trg)
            (src_real, cls_real), (src_fake, cls_fake) = d(x), d(fake)
            d_loss = -jnp.mean(src_real) + jnp.mean(src_fake) + 0.7 * classification_loss(cls_real, c_org, style)
            g_loss = (-jnp.mean(src_fake) + 0.7 * classification_loss(cls_fake, c_trg, style)
                      + 3.0 * jnp.mean(jnp.abs(x - g(fake, c_org))))
            return d_loss, g_loss

        d_loss, g_loss = by_hand(batch["x"], c_trg, c_org)
        np.testing.assert_allclose(out["d"][0], d_loss, rtol=1e-5)
        np.testing.assert_allclose(out["g"][0], g_loss, rtol=1e-5)


def test_bad_stargan_config_is_one_clear_error(tmp_path):
    for change, message in ((dict(label_style="softmax"), "label_style='softmax'; choices: binary, onehot"),
                            (dict(n_critic=0), "n_critic must be an integer >= 1")):
        with mock_images(MOCK_EXAMPLES), pytest.raises(ConfigError, match=message):
            train.train_and_evaluate(stargan_config(**change), str(tmp_path / "w"))
    c = stargan_config()
    c.data.name = "edges2fashion"
    with mock_images(MOCK_EXAMPLES), pytest.raises(ConfigError, match=r"reads batch key\(s\) \['x', 'attributes', "
                                                                      r"'domain'\].*attributed_fashion_mnist"):
        train.train_and_evaluate(c, str(tmp_path / "w"))


# CI's 15-minute budget: the seam's shard_map == pmap is checked in the default run for the GAN
# (test_parallel), ALI and CycleGAN (whose image pool is replicated state); StarGAN adds no state of its own.
@pytest.mark.parametrize("data, style", [
    pytest.param("attributed_fashion_mnist", "binary", marks=pytest.mark.slow),
    pytest.param("coloured_fashion_mnist", "onehot", marks=pytest.mark.slow),
])
def test_shard_map_and_pmap_give_the_same_bits(data, style):
    with mock_images(MOCK_EXAMPLES):
        exp = build(stargan_config(data, label_style=style))
        assert_trees_equal(saveable_tree(run_steps(exp, 2)), saveable_tree(run_steps(exp, 2, path="pmap")))


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_a_stargan_run_resumes_bit_for_bit(tmp_path):
    with mock_images(MOCK_EXAMPLES):
        train.train_and_evaluate(stargan_config(), str(tmp_path / "full"))
        c = stargan_config()
        c.total_steps = 2
        train.train_and_evaluate(c, str(tmp_path / "split"))
        train.train_and_evaluate(stargan_config(), str(tmp_path / "split"))
        (_, full), (_, split) = (experiment.restore_latest(tmp_path / w) for w in ("full", "split"))
    assert int(full.step) == int(split.step) == 4
    assert_trees_equal(*jax.device_get((saveable_tree(full), saveable_tree(split))))  # params, opt states, rng


def test_the_attributes_evaluator_gives_an_oracle_zero_error_and_a_grid():
    from jaxgan.evaluation.attributes import attributes, to_gray
    from jaxgan.evaluation.evaluators import EvalContext

    with mock_images(MOCK_EXAMPLES):
        exp = build(stargan_config(), num_devices=1)
        pairs = exp.dataset.reference_pairs("test", 8)
        oracle = lambda images, domains: exp.dataset.truth(pairs["garment"], domains)  # noqa: E731
        ctx = EvalContext(exp, None, {"translate": oracle}, {"translate": oracle}, jax.random.key(0), pictures=True)
        out = attributes(ctx)
    r = out.results
    assert r["l1"] == r["changed_l1"] == r["reconstruction_l1"] == 0.0 and r["ssim"] > 0.999
    assert "12 domains (red, red+bold, red+inverted, red+inverted+bold, green" in r["protocol"]
    assert out.pictures["attributes_translate"][:8] == b"\x89PNG\r\n\x1a\n"
    gray = to_gray(pairs["x"], exp.dataset.task.table[pairs["domain"]][:, 3])
    plain = exp.dataset.truth(pairs["garment"], np.zeros(8, int))[..., :1]  # red, not inverted, not bold
    not_bold = exp.dataset.task.table[pairs["domain"]][:, 4] == 0
    np.testing.assert_allclose(gray[not_bold], plain[not_bold], atol=1e-6)  # drawn back to the plain garment


def test_the_attribute_classifier_trains_deterministically_and_scores_the_oracle_like_the_truth(tmp_path):
    from jaxgan.evaluation import attribute_classifier
    from jaxgan.evaluation.attributes import attributes
    from jaxgan.evaluation.evaluators import EvalContext

    with mock_images(MOCK_EXAMPLES):
        exp = build(stargan_config(), num_devices=1)
        with exp.config.unlocked():
            exp.config.eval.cache_dir = str(tmp_path)
        skipped = attributes(EvalContext(exp, None, {"translate": lambda x, d: x}, {}, jax.random.key(0))).results
        assert "attribute_classifier attributed_fashion_mnist --image_size=16" in skipped["attribute_accuracy_skipped"]
        meta = attribute_classifier.run("attributed_fashion_mnist", cache_dir=str(tmp_path), epochs=1, num_train=40,
                                        num_test=16, batch_size=8, image_size=16)
        first, _ = attribute_classifier.load("attributed_fashion_mnist", 12, (16, 16, 3), str(tmp_path))
        attribute_classifier.run("attributed_fashion_mnist", cache_dir=str(tmp_path), epochs=1, num_train=40,
                                 num_test=16, batch_size=8, image_size=16)
        again, saved = attribute_classifier.load("attributed_fashion_mnist", 12, (16, 16, 3), str(tmp_path))
        pairs = exp.dataset.reference_pairs("test", 8)
        oracle = lambda images, domains: exp.dataset.truth(pairs["garment"], domains)  # noqa: E731
        r = attributes(EvalContext(exp, None, {"translate": oracle}, {}, jax.random.key(0))).results
    assert_trees_equal(first, again)
    assert saved["num_train"] == 40 and 0 <= meta["test_domain_accuracy"] <= 1
    assert r["domain_accuracy"] == r["truth_domain_accuracy"]  # the oracle's outputs are the truths
    assert set(r) >= {"attribute_accuracy", "accuracy/red", "accuracy/inverted", "accuracy/bold"}


# --- online CelebA (tfds mock data) ---------------------------------------------------------------

def test_celeba_keeps_the_faces_with_one_hair_colour_as_their_domain_and_reads_any_process_count():
    from jaxgan.data.celeba import TASK
    from jaxgan.data.storage import open_source

    with mock_images(40):
        ds = build_dataset(data_config("celeb_a_stargan", image_size=32))
        source = open_source("celeb_a", "train")
        examples = source.__getitems__(range(40))
        bits = np.array([[bool(ex["attributes"][a]) for a in TASK.attributes] for ex in examples])
        one_hair = np.flatnonzero(bits[:, :3].sum(1) == 1)
        np.testing.assert_array_equal(ds._rows, one_hair)  # exactly the faces with one of the three hair colours
        np.testing.assert_array_equal(TASK.table[ds.domains], bits[one_hair])  # their domain is their five bits
        whole = ds.local_batch(3, 8, 2)
        halves = [ds.local_batch(3, 8, 2, process_index=i, process_count=2) for i in range(2)]
        again = build_dataset(data_config("celeb_a_stargan", image_size=32)).local_batch(3, 8, 2)
        pairs = ds.reference_pairs("test", 4)
    assert whole["x"].shape == (2, 8, 32, 32, 3) and whole["attributes"].shape == (2, 8, 5)
    for key in whole:  # the same rows (and flips) whatever the process count, and the same on a rebuild
        np.testing.assert_array_equal(np.concatenate([h[key] for h in halves], axis=1), whole[key])
        np.testing.assert_array_equal(again[key], whole[key])
    np.testing.assert_array_equal(TASK.table[whole["domain"]], whole["attributes"])
    assert pairs["paired"] is False and pairs["x"].shape == (4, 32, 32, 3)


def test_celeba_face_is_the_authors_crop_resize_and_flip():
    from jaxgan.data.celeba import face

    image = np.zeros((218, 178, 3), np.uint8)
    image[20:198] = 255  # the central 178x178 square is white, the 20-row bands above and below black
    image[20:198, :89, 0] = 0  # its left half lacks red
    out = face(image, 64)
    assert out.shape == (64, 64, 3) and out[..., 1].min() == 255  # the bands are cropped away
    assert out[:, :30, 0].max() == 0 and out[:, 34:, 0].min() == 255
    np.testing.assert_array_equal(face(image, 64, flip=True), out[:, ::-1])


def test_stargan_celeba128_is_the_authors_run():
    from jaxgan.config import load_experiment

    c = load_experiment("stargan_celeba128")
    assert (c.data.name, c.data.image_size, c.batch_size) == ("celeb_a_stargan", 128, 16)
    assert c.total_steps * c.family.n_critic == 200_000 and c.family.n_critic == 5
    assert (c.family.label_style, c.family.cls_weight, c.family.rec_weight) == ("binary", 1.0, 10.0)
    assert (c.model.g.width, c.model.g.num_blocks, c.model.d.width, c.model.d.num_layers) == (64, 6, 64, 6)
    assert c.penalties.wgan_gp.weight == 10.0 and c.optimizer.g.schedule == "linear_second_half"
    assert (c.optimizer.d.lr, c.optimizer.d.b1, c.optimizer.d.b2) == (1e-4, 0.5, 0.999)


def test_stargan_celeba_smoke_trains_on_mock_data_and_scores_without_a_truth(tmp_path):
    from jaxgan.config import load_experiment
    from jaxgan.evaluation import attribute_classifier

    c = load_experiment("stargan_celeba128", "smoke")
    with c.unlocked():
        c.eval.cache_dir = str(tmp_path / "cache")
    with mock_images(40):
        attribute_classifier.run("celeb_a_stargan", cache_dir=c.eval.cache_dir, epochs=1, num_train=40, num_test=16,
                                 batch_size=8, image_size=32)
        train.train_and_evaluate(c, str(tmp_path / "run"))
    final = json.loads((tmp_path / "run" / "eval_final.json").read_text())
    assert final["step"] == 2 and final["non_finite_outputs"] == 0 and 0 <= final["reconstruction_l1"] <= 1
    assert {"domain_accuracy", "attribute_accuracy", "accuracy/Blond_Hair", "real_domain_accuracy"} <= set(final)
    assert "l1" not in final and "no true translation" in final["protocol"]
    assert (tmp_path / "run" / "samples").exists()


def test_stargan_and_pairwise_cyclegans_are_scored_on_the_same_inputs_by_the_same_classifier(tmp_path):
    """StarGAN's per-pair figures and a colour CycleGAN's: same garments, same renderings, same attribute classifier."""
    from jaxgan.evaluation import attribute_classifier
    from jaxgan.evaluation.attributes import attributes
    from jaxgan.evaluation.evaluators import EvalContext
    from jaxgan.evaluation.translation import translation
    from test_cyclegan import cyclegan_config

    with mock_images(MOCK_EXAMPLES):
        attribute_classifier.run("coloured_fashion_mnist", cache_dir=str(tmp_path), epochs=1, num_train=40,
                                 num_test=16, batch_size=8, image_size=16)
        params, _ = attribute_classifier.load("coloured_fashion_mnist", 3, (16, 16, 3), str(tmp_path))
        star, cycle = build(stargan_config("coloured_fashion_mnist", label_style="onehot"), 1), build(
            cyclegan_config(), 1)
        with cycle.config.unlocked():
            cycle.config.data.name, cycle.config.eval.metrics = "fashion_red2green", ""
        cycle = build(cycle.config, 1)
        for exp in (star, cycle):
            with exp.config.unlocked():
                exp.config.eval.cache_dir = str(tmp_path)
        garments = star.dataset.reference_pairs("test", 8)["garment"]
        keep = lambda x, *_: x  # noqa: E731  (a translator that changes nothing)
        star_r = attributes(EvalContext(star, None, {"translate": keep}, {}, jax.random.key(0))).results
        cycle_r = translation(EvalContext(cycle, None, {"translate_ab": keep, "translate_ba": keep}, {},
                                          jax.random.key(0))).results
        oracle = lambda x, d: star.dataset.truth(garments, d)  # noqa: E731
        star_oracle = attributes(EvalContext(star, None, {"translate": oracle}, {}, jax.random.key(0))).results
        cycle_inputs = cycle.dataset.reference_pairs("test", 8)["a"]
    red, green = (star.dataset.truth(garments, np.full(8, d)) for d in (0, 1))
    np.testing.assert_array_equal(cycle_inputs, red)  # the same inputs
    seen_as_green = float(np.mean(attribute_classifier.predict_domains(params, red, 3) == 1))
    assert star_r["pair/red2green/domain_accuracy"] == cycle_r["translate_ab/domain_accuracy"] == seen_as_green
    assert star_r["pair/red2green/l1"] == cycle_r["translate_ab/l1"] > 0
    assert len([k for k in star_r if k.startswith("pair/")]) == 12  # 6 ordered pairs x (l1, domain accuracy)
    truth_green = float(np.mean(attribute_classifier.predict_domains(params, green, 3) == 1))
    assert cycle_r["translate_ab/truth_domain_accuracy"] == truth_green
    assert star_oracle["pair/red2green/domain_accuracy"] == truth_green and star_oracle["pair_mean/l1"] == 0.0
    assert not any(k.startswith("pair") for k in attributes_of_binary_task())


def attributes_of_binary_task():
    """The attributes evaluator's keys on the 12-domain binary task: no pairs (domains are not single values)."""
    from jaxgan.evaluation.attributes import attributes
    from jaxgan.evaluation.evaluators import EvalContext

    with mock_images(MOCK_EXAMPLES):
        exp = build(stargan_config(), num_devices=1)
        return attributes(EvalContext(exp, None, {"translate": lambda x, d: x}, {}, jax.random.key(0))).results


def test_the_pairwise_table_puts_each_runs_figures_in_its_translations_row(tmp_path):
    from jaxgan.tools import pairwise_table

    star_c = stargan_config("coloured_fashion_mnist", label_style="onehot")
    from test_cyclegan import cyclegan_config

    cycle_c = cyclegan_config()
    cycle_c.data.name = "fashion_green2blue"
    star_eval = {f"pair/{s}2{t}/{k}": v for (s, t), v in zip(
        [(a, b) for a in ("red", "green", "blue") for b in ("red", "green", "blue") if a != b], range(1, 7))
        for k in ("l1", "domain_accuracy")} | {"step": 8, "protocol": "star protocol"}
    cycle_eval = {"translate_ab/l1": 0.25, "translate_ab/domain_accuracy": 0.5, "translate_ba/l1": 0.75,
                  "translate_ba/domain_accuracy": 1.0, "translate_ab/protocol": "cycle protocol"}
    for name, config, results in (("star", star_c, star_eval), ("cycle", cycle_c, cycle_eval)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(config.to_json_best_effort())
        (tmp_path / name / "eval_final.json").write_text(json.dumps(results))
    with mock_images(MOCK_EXAMPLES):
        star, cycle = pairwise_table.load(tmp_path / "star"), pairwise_table.load(tmp_path / "cycle")
        text = pairwise_table.table(star, [cycle])
        star_g = sum(x.size for x in jax.tree.leaves(jax.eval_shape(build(star_c, 1).init_state).params["generator"]))
        cycle_params = jax.eval_shape(build(cycle_c, 1).init_state).params
    rows = {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in text.splitlines() if line.startswith("| ")}
    # StarGAN's pairs in order red2green=1, red2blue=2, green2red=3, green2blue=4, blue2red=5, blue2green=6.
    assert rows["green2blue"] == ["4", "0.25", "4", "0.5", "cycle |"]
    assert rows["blue2green"] == ["6", "0.75", "6", "1", "cycle |"]
    assert rows["red2green"][1] == "" and rows["red2green"][-1] == "not run yet |"
    assert rows["mean over the 2 translations with a pairwise run"][:4] == ["**5**", "**0.5**", "**5**", "**0.75**"]
    cycle_g = sum(x.size for role in ("g_ab", "g_ba") for x in jax.tree.leaves(cycle_params[role]))
    assert f"StarGAN {star_g:,} (one model, all 3 domains); pairwise {cycle_g:,} (1 run(s)" in text
    kept = [pairwise_table.keep(run, tmp_path / "kept", "runs/x") for run in (star, cycle)]
    assert pairwise_table.table(*[pairwise_table.load(k) for k in kept[:1]], [pairwise_table.load(kept[1])]) == text
    with pytest.raises(ValueError, match="no pair/<s>2<t>/ figures"):
        pairwise_table.table({k: v for k, v in star.items() if not k.startswith("pair/")}, [cycle])
    with pytest.raises(ValueError, match="not a run kept by"):
        pairwise_table.load(tmp_path / "star" / "eval_final.json")
    # One format for both tools: image_table reads the rows pairwise_table kept (the generator size is no metric).
    from jaxgan.tools import image_table

    star_row = image_table.load(str(kept[0]))
    assert star_row["pair/green2blue/l1"] == 4 and "generator_params" not in image_table.table([star_row])
