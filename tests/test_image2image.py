"""Image-to-image pieces: the edge and downsampling transforms, paired/unpaired datasets, pix2pix's
networks at the paper's size, the pix2pix family (losses, devices, resume) and the translation evaluator."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from helpers import assert_trees_equal, build, data_config, mock_images, on_one_device, run_steps
from absl import flags
from etils import epath

from jaxgan import experiment, losses, sample, sampling, train
from jaxgan.config import ConfigError, base_config
from jaxgan.data import build_dataset, transforms
from jaxgan.data.paired import unpaired_halves
from jaxgan.families import LossContext, family_config
from jaxgan.models.dense_conv import SMALL_OUTPUT, conv_valid
from jaxgan.models.unet import PatchGANDiscriminator, UNetGenerator, instance_norm, receptive_field

MOCK_EXAMPLES = 40


# --- transforms ---------------------------------------------------------------------------------

def square(size=12, lo=2, hi=9, value=255):
    image = np.zeros((1, size, size, 1), np.uint8)
    image[0, lo:hi, lo:hi] = value
    return image


def test_edges_of_a_white_square_are_its_border_ring_and_nothing_else():
    edges = transforms.edge_map(square())[0, ..., 0] > 0
    expected = np.zeros((12, 12), bool)
    expected[1:10, 1:10] = True  # the pixels next to the step, on both sides
    expected[3:8, 3:8] = False   # inside: flat
    # Sobel at a corner's diagonal neighbour only sees a quarter step: magnitude 1.41 > 1, so it is an edge too.
    np.testing.assert_array_equal(edges, expected)


def test_sobel_of_flat_images_is_zero_and_a_unit_step_gives_four():
    assert transforms.sobel_magnitude(np.full((2, 8, 8, 1), 77, np.uint8)).max() == 0
    step = np.zeros((1, 8, 8, 1), np.uint8)
    step[:, :, 4:] = 255
    np.testing.assert_allclose(transforms.sobel_magnitude(step)[0, 4, 3:5, 0], [4.0, 4.0])
    # A faint step (a quarter of the range would be 1.0) stays below the threshold.
    faint = (step // 5).astype(np.uint8)
    assert transforms.edge_map(faint).max() == 0


def test_edge_score_forgives_one_pixel_and_counts_misses_and_extras_by_hand():
    from jaxgan.evaluation.translation import edge_scores

    truth = np.full((1, 10, 10, 1), -1.0, np.float32)
    truth[0, 2:8, 4] = 1.0  # a vertical contour of 6 pixels
    shifted = np.roll(truth, 1, axis=2)  # the same contour one pixel to the right
    assert edge_scores(shifted, truth) == {"edge_precision": 1.0, "edge_recall": 1.0, "edge_f1": 1.0}
    assert edge_scores(np.roll(truth, 2, axis=2), truth)["edge_f1"] == 0.0  # two pixels off: beyond tolerance
    assert edge_scores(shifted, truth, tolerance=0)["edge_f1"] == 0.0
    half = truth.copy()
    half[0, 5:8, 4] = -1.0  # draws rows 2-4 of 2-7: finds 4 of 6 (row 5 is within a pixel of row 4)
    half[0, 0, 0] = 0.5     # and one pixel far from any edge: 3 of 4 predicted are right
    p, r = 3 / 4, 4 / 6
    np.testing.assert_allclose(list(edge_scores(half, truth).values()), [p, r, 2 * p * r / (p + r)])
    empty = np.full_like(truth, -1.0)
    assert edge_scores(empty, truth) == {"edge_precision": 0.0, "edge_recall": 0.0, "edge_f1": 0.0}
    # Pooled over images, not averaged: a second, empty-truth image with 2 extra pixels lowers precision.
    extra = np.full_like(truth, -1.0)
    extra[0, 0, :2] = 1.0
    pooled = edge_scores(np.concatenate([shifted, extra]), np.concatenate([truth, empty]))
    np.testing.assert_allclose([pooled["edge_precision"], pooled["edge_recall"]], [6 / 8, 1.0])


def test_bicubic_downsampling_keeps_constants_and_shrinks_by_the_factor():
    flat = np.full((3, 32, 32, 1), 200, np.uint8)
    for factor, side in ((4, 8), (2, 16)):
        small = transforms.downsample_bicubic(flat, factor)
        assert small.shape == (3, side, side, 1) and (small == 200).all()
    with pytest.raises(ValueError, match="not a divisor"):
        transforms.downsample_bicubic(np.zeros((1, 30, 30, 1), np.uint8), 4)


# --- datasets -----------------------------------------------------------------------------------

def paired(name="edges2fashion", seed=0, **data):
    return build_dataset(data_config(name, seed=seed, **data))


def test_paired_batches_shapes_ranges_truth_and_determinism():
    with mock_images(MOCK_EXAMPLES):
        ds = paired(use_labels=True)
        batch = ds.local_batch(3, 8, num_batches=2)
        assert batch["input"].shape == batch["target"].shape == (2, 8, 32, 32, 1)
        assert batch["label"].shape == (2, 8)
        for v in (batch["input"], batch["target"]):
            assert v.dtype == np.float32 and v.min() >= -1 and v.max() <= 1
        assert set(np.unique(batch["input"])) <= {-1.0, 1.0}  # binary edges
        again = paired(use_labels=True).local_batch(3, 8, num_batches=2)  # a new reader: resume at step 3
        assert_trees_equal(batch, again)
        # The input is a pure function of the target garment.
        target_uint8 = np.round((batch["target"][0] + 1) * 127.5).astype(np.uint8)
        np.testing.assert_array_equal(batch["input"][0], transforms.edge_map(target_uint8) / 127.5 - 1)
        other_seed = paired(seed=1).local_batch(3, 8)
        assert not np.array_equal(other_seed["target"], batch["target"][:1])


def test_super_resolution_inputs_are_the_bicubic_downsampled_targets():
    with mock_images(MOCK_EXAMPLES):
        for name, side in (("fashion_mnist_sr_x4", 8), ("fashion_mnist_sr_x2", 16)):
            ds = paired(name)
            assert ds.input_shape == (side, side, 1) and ds.element_shape == (32, 32, 1)
            pairs = ds.reference_pairs("test", 5)
            target = np.round((pairs["target"] + 1) * 127.5).astype(np.uint8)
            expected = transforms.downsample_bicubic(target, 32 // side) / 127.5 - 1
            np.testing.assert_allclose(pairs["input"], expected, atol=1e-6)
        with pytest.raises(ValueError, match="not divisible by the task's factor 4"):
            paired("fashion_mnist_sr_x4", image_size=30)


def test_every_garment_task_shares_one_cached_reference_of_the_same_images():
    with mock_images(MOCK_EXAMPLES):
        tasks = [paired(name) for name in ("edges2fashion", "fashion_mnist_sr_x4", "edges2fashion_unpaired")]
        assert len({ds.reference_name for ds in tasks}) == 1  # one cache entry (plus shape, split, num, extractor)
        first = tasks[0].reference_images("test", 7)
        for ds in tasks[1:]:
            np.testing.assert_array_equal(ds.reference_images("test", 7), first)


def test_each_process_reads_its_own_rows_of_the_same_global_batch():
    with mock_images(MOCK_EXAMPLES):
        for name in ("edges2fashion", "edges2fashion_unpaired"):
            ds = paired(name)
            whole = ds.local_batch(5, 8)
            halves = [ds.local_batch(5, 8, process_index=p, process_count=2) for p in range(2)]
            for key in whole:
                np.testing.assert_array_equal(np.concatenate([h[key] for h in halves], axis=1), whole[key])


def test_unpaired_domains_come_from_disjoint_halves_and_the_test_truth_is_known():
    a, b = unpaired_halves(60_000)
    assert len(a) == len(b) == 30_000 and not set(a) & set(b)
    with mock_images(MOCK_EXAMPLES):
        ds = paired("edges2fashion_unpaired")
        batch = ds.local_batch(0, 6)
        assert batch["a"].shape == batch["b"].shape == (1, 6, 32, 32, 1)
        pairs = ds.reference_pairs("test", 4)
        garments = np.round((pairs["a"] + 1) * 127.5).astype(np.uint8)
        np.testing.assert_array_equal(pairs["b"], transforms.edge_map(garments) / 127.5 - 1)
        with pytest.raises(ValueError, match="use_labels=False"):
            paired("edges2fashion_unpaired", use_labels=True)


# --- networks -----------------------------------------------------------------------------------

def count_params(module, shape):
    variables = jax.eval_shape(lambda: module.init(jax.random.key(0), jnp.zeros(shape), train=False))
    return sum(x.size for x in jax.tree.leaves(variables["params"]))


def unet_256_params(width=64, c_in=3, c_out=3):
    """By hand, from pix2pix's UnetGenerator(num_downs=8): conv weights + BatchNorm scale/offset."""
    ch = [width * min(2**i, 8) for i in range(8)]
    down = 16 * c_in * ch[0] + sum(16 * ch[i - 1] * ch[i] for i in range(1, 8)) + sum(2 * ch[i] for i in range(1, 7))
    up = 16 * ch[7] * ch[6] + 2 * ch[6]  # innermost: no skip
    up += sum(16 * 2 * ch[i] * ch[i - 1] + 2 * ch[i - 1] for i in range(1, 7))
    up += 16 * 2 * ch[0] * c_out + c_out  # outermost, with bias
    return down + up


def test_unet_and_patchgan_have_the_papers_parameter_counts_at_full_size():
    unet = count_params(UNetGenerator((256, 256, 3)), (1, 256, 256, 3))
    assert unet == unet_256_params() == 54_413_955  # pytorch-CycleGAN-and-pix2pix prints "54.414 M"
    # NLayerDiscriminator(n_layers=3): pix2pix's on 6-channel pairs (BatchNorm), CycleGAN's on 3 (instance norm, biases).
    assert count_params(PatchGANDiscriminator(), (1, 256, 256, 6)) == 2_768_705  # "2.769 M"
    assert count_params(PatchGANDiscriminator(norm="instance"), (1, 256, 256, 3)) == 2_764_737  # "2.765 M"
    assert receptive_field(3) == 70 and receptive_field(1) == 16


def test_network_shapes_and_bad_options():
    def output_shape(net, shape):  # traced, not run: shapes need no compiling
        x = jnp.zeros(shape)
        return jax.eval_shape(lambda: net.apply(net.init(jax.random.key(0), x, train=False), x, train=False)).shape

    assert output_shape(UNetGenerator((32, 32, 1), width=4, depth=5, dropout_levels=2), (2, 32, 32, 1)) == (2, 32, 32, 1)
    assert output_shape(PatchGANDiscriminator(width=4, n_layers=2), (2, 32, 32, 2)) == (2, 6, 6)
    with pytest.raises(ValueError, match="not divisible by 32"):
        UNetGenerator((28, 28, 1), depth=5)
    with pytest.raises(ValueError, match="Unknown norm 'layer'"):
        PatchGANDiscriminator(norm="layer")


def test_instance_norm_normalises_each_image_and_channel():
    x = jax.random.normal(jax.random.key(0), (3, 8, 8, 2)) * 5 + 3
    y = instance_norm(x)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(1, 2)), 1, atol=1e-3)


@pytest.mark.parametrize("hw, k", [(3, 2), (4, 4), (2, 1), (5, 3)])
def test_im2col_on_small_maps_equals_xla_convolution(hw, k):
    x = jax.random.normal(jax.random.key(1), (2, hw, hw, 5))
    w = jax.random.normal(jax.random.key(2), (k, k, 5, 7))
    assert (hw - k + 1) ** 2 <= SMALL_OUTPUT
    expected = jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(conv_valid(x, w), expected, rtol=1e-5, atol=1e-5)


# --- the pix2pix family ---------------------------------------------------------------------------

def pix2pix_config(**family):
    c = base_config()
    c.family = family_config("pix2pix", **family)
    c.data.name, c.data.image_size = "edges2fashion", 16
    c.batch_size, c.total_steps = 8, 4
    c.log_every_steps = c.eval_every_steps = c.checkpoint_every_steps = 2
    c.model.generator, c.model.discriminator = "unet", "patchgan"
    c.model.g.width, c.model.g.depth, c.model.g.dropout_levels = 4, 4, 1
    c.model.d.width, c.model.d.n_layers = 4, 1
    c.optimizer.g.lr = c.optimizer.d.lr = 1e-3
    c.eval.evaluators, c.eval.reference_split, c.eval.num_samples = "translation", "test", 16
    return c


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_the_losses_are_the_papers_formulas_on_the_patch_logits():
    with mock_images(MOCK_EXAMPLES):
        exp = build(pix2pix_config(l1_weight=10.0), num_devices=1)
        state, family = jax.device_get(exp.init_state()), exp.family
        batch = {k: jnp.asarray(v[0]) for k, v in exp.dataset.local_batch(0, 4).items()}
        ctx = LossContext(state.params, state.collections, state.extra, jnp.int32(0))
        key = jax.random.key(5)
        out = {g: on_one_device(lambda k, g=g: family.loss(g, ctx, batch, k).loss)(key) for g in ("d", "g")}

        def by_hand(k):
            g_key, real_key, fake_key = jax.random.split(k, 5)[:3]
            fake, _ = family.apply("generator", ctx.params, ctx.collections, batch["input"], True, g_key)
            d = lambda x, kk: family.apply("discriminator", ctx.params, ctx.collections, x, True, kk)[0]  # noqa: E731
            real_logits = d(jnp.concatenate([batch["input"], batch["target"]], -1), real_key)
            fake_logits = d(jnp.concatenate([batch["input"], fake], -1), fake_key)
            nsgan = losses.non_saturating(real_logits, fake_logits)
            return 0.5 * nsgan.d, nsgan.g + 10.0 * jnp.mean(jnp.abs(fake - batch["target"]))

        d_loss, g_loss = on_one_device(by_hand)(key)
        np.testing.assert_allclose(out["d"], d_loss, rtol=1e-6)
        np.testing.assert_allclose(out["g"], g_loss, rtol=1e-6)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_the_l1_only_ablation_never_trains_d():
    with mock_images(MOCK_EXAMPLES):
        exp = build(pix2pix_config(gan_weight=0.0))
        start = jax.device_get(exp.init_state())
        end = run_steps(exp, 2)
        assert_trees_equal(start.params["discriminator"], end.params["discriminator"])
        assert not np.array_equal(start.params["generator"]["up0"]["kernel"], end.params["generator"]["up0"]["kernel"])


@pytest.mark.parametrize("change, message", [
    ({"model.generator": "dcgan28"}, "needs a generator of images"),
    ({"data.name": "fashion_mnist"}, "reads batch key"),
    ({"data.name": "fashion_mnist_sr_x4"}, "use family 'srgan'"),
    ({"family.l1_weight": 0.0, "family.gan_weight": 0.0}, "both 0"),
    ({"family.l1_weight": -1.0}, "must be a number >= 0"),
])
def test_bad_pix2pix_config_is_one_clear_error(change, message):
    c = pix2pix_config()
    for key, value in change.items():
        section, _, leaf = key.rpartition(".")
        c[section][leaf] = value
    with mock_images(MOCK_EXAMPLES), pytest.raises(ConfigError, match=message):
        build(c)


def test_the_gan_family_refuses_an_image_input_generator():
    c = base_config()
    c.data.name, c.model.generator = "ring8", "unet"
    with pytest.raises(ConfigError, match="needs a generator of latent codes z.*Choices: .*dcgan28"):
        build(c)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_pix2pix_shard_map_and_pmap_give_the_same_bits():
    with mock_images(MOCK_EXAMPLES):
        exp = build(pix2pix_config())
        assert_trees_equal(run_steps(exp, 2, "shard_map").params, run_steps(exp, 2, "pmap").params)


@pytest.mark.slow  # end-to-end: CI's 15-minute budget (run with -m slow)
def test_a_pix2pix_run_resumes_bit_for_bit_and_scores_its_translations(tmp_path):
    with mock_images(MOCK_EXAMPLES):
        train.train_and_evaluate(pix2pix_config(), str(tmp_path / "full"))
        half = pix2pix_config()
        half.total_steps = 2
        train.train_and_evaluate(half, str(tmp_path / "split"))
        train.train_and_evaluate(pix2pix_config(), str(tmp_path / "split"))
        (exp, full), (_, split) = (experiment.restore_latest(tmp_path / w) for w in ("full", "split"))
        assert int(full.step) == 4
        assert_trees_equal(jax.device_get(full.params), jax.device_get(split.params))
        assert_trees_equal(jax.device_get(full.opt_state), jax.device_get(split.opt_state))
        pairs = exp.dataset.reference_pairs("test", 8)
        predictions = sampling.predictions(exp.family, full)
        out = predictions["translate"](pairs["input"])
        assert out.shape == pairs["target"].shape and np.abs(out).max() <= 1
        # jaxgan.sample --input: an .npy of uint8 images, resized to the run's 16x16 inputs.
        np.save(tmp_path / "edges.npy", np.round((pairs["input"] + 1) * 127.5).astype(np.uint8))
        sample.translate(exp, full, predictions, epath.Path(tmp_path / "out.npy"), str(tmp_path / "edges.npy"))
        np.testing.assert_allclose(np.load(tmp_path / "out.npy"), out, atol=1e-6)
        with pytest.raises(flags.ValidationError, match="choose one of translate"):
            sample.translate(exp, full, predictions, epath.Path(tmp_path / "o.npy"), str(tmp_path / "edges.npy"), "x")
    result = (tmp_path / "full" / "eval_final.json").read_text()
    for key in ("translate/l1", "translate/psnr", "translate/ssim"):
        assert key in result
    assert (tmp_path / "full" / "samples" / "step_00000004_translation_translate.png").stat().st_size > 0
