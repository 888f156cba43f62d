"""Every recipe, as a table: two steps on a tiny batch, on 'cpu' and on the strict 'cuda' stand-in.

Each case checks that the step returns finite floats, that every parameter of every network moved,
that the recipe's state survives a checkpoint file (a fresh recipe loaded from it takes the next
step exactly as the original does), and that ``generate`` gives outputs of the data's shape.
"""
import dataclasses
import math

import numpy as np
import pytest

import minigan as mg
from minigan.gan import RECIPES, DataInfo
from minigan.gan.evaluation import Evaluation
from minigan.gan.history import HistoryPool
from minigan.gan.models import ACGANDiscriminator
from minigan.gan.noise import truncated_normal
from minigan.utils.data import TensorDataset

POINTS = DataInfo('ring8', 'points', (2,))
DIGITS = DataInfo('digits', 'labelled', (1, 28, 28), 10)
UNPAIRED = DataInfo('strokes', 'unpaired', (1, 28, 28))
PAIRED = DataInfo('strokes-paired', 'paired', (1, 28, 28))

# variant, data, tiny settings (small networks: the recipes' structure, in milliseconds)
CASES = [
    ('gan', POINTS, dict(width=8)),
    ('gan', DIGITS, dict(width=8, saturating=True)),   # fully connected on images
    ('dcgan', DIGITS, dict(width=4)),
    ('dcgan', POINTS, dict(width=8, pack=2)),          # the MLPs on 2-D points, PacGAN-2
    ('lsgan', DIGITS, dict(width=4, lr_decay_steps=10)),
    ('wgan', DIGITS, dict(width=4, n_critic=2)),
    ('wgan-gp', DIGITS, dict(width=4, n_critic=2)),
    ('wgan-gp', POINTS, dict(width=16, pack=2)),     # wide enough that the last maxout's winning
                                                     # pieces differ between samples (else a
                                                     # constant: its biases' gradient cancels)
    ('hinge', DIGITS, dict(width=4, ema_start=0)),
    ('cgan', DIGITS, dict(width=4)),
    ('cgan', DIGITS, dict(width=4, conditioning='projection')),
    ('acgan', DIGITS, dict(width=4)),
    ('acgan', DIGITS, dict(width=4, fake_class_loss=True)),   # the paper's D
    ('acgan', DIGITS, dict(width=4, conditioning='none')),   # the paper's real/fake head
    ('infogan', DIGITS, dict(width=4, hidden=16)),
    ('infogan', DIGITS, dict(width=4, hidden=16, code_warps=2)),   # Q reads the code through warps
    ('cyclegan', UNPAIRED, dict(width=4, n_blocks=1, pool_size=3)),
    ('pix2pix', PAIRED, dict(width=4, depth=2)),
]
IDS = [f"{variant}-{info.name}" for variant, info, _ in CASES]
EXPECTED_METRICS = {  # by variant, else by kind of data
    'points': {'modes', 'high_quality', 'reverse_kl'}, 'labelled': {'fd', 'classes', 'class_counts'},
    'cgan': {'label_accuracy', 'fd'}, 'acgan': {'label_accuracy', 'fd'}, 'infogan': {'code_accuracy', 'fd'},
    'cyclegan': {'l1', 'cycle_l1_a', 'cycle_l1_b'}, 'pix2pix': {'l1'},
}


def tiny_data(info, n, device):
    """n examples of ``info``'s kind: random points, images in [-1, 1], labels, pairs."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (n, *info.shape)).astype(np.float32)
    if info.kind == 'labelled':
        second = rng.integers(0, info.n_classes, n)
    elif info.kind in ('paired', 'unpaired'):
        second = rng.uniform(-1, 1, (n, *info.shape)).astype(np.float32)
    else:
        second = rng.integers(0, 8, n)
    return [mg.tensor(x, device=device), mg.tensor(second, device=device)]


def batches(info, device, batch_size=4):
    x, y = tiny_data(info, 4 * batch_size, device)
    while True:
        for i in range(0, 4 * batch_size, batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]


def make(variant, info, settings, device, seed=0):
    mg.manual_seed(seed)
    recipe = RECIPES[variant]
    return recipe(recipe.Settings(batch_size=4, **settings), info, device)


def parameters(recipe):
    return {f'{name}.{key}': p.numpy().copy() for name, net in recipe.networks.items()
            for key, p in net.named_parameters()}


def test_the_table_covers_every_recipe():
    assert {variant for variant, _, _ in CASES} == set(RECIPES)


@pytest.mark.parametrize('variant, info, settings', CASES, ids=IDS)
def test_recipe_steps_move_every_parameter_and_survive_a_checkpoint(variant, info, settings, device,
                                                                    tmp_path):
    recipe = make(variant, info, settings, device)
    before = parameters(recipe)
    stream = batches(info, device)
    logs = [recipe.step(stream) for _ in range(2)]
    assert logs[0].keys() == logs[1].keys() and {'loss_d', 'loss_g'} <= logs[0].keys()
    assert all(isinstance(v, float) and math.isfinite(v) for log in logs for v in log.values()), logs
    after = parameters(recipe)
    still = [key for key in before if np.array_equal(before[key], after[key])]
    if variant in ('wgan', 'wgan-gp', 'hinge'):
        # E[f(fake)] − E[f(real)] cancels a constant, so the critic's output bias gets gradient 0
        # (the hinge loss too, while every score is inside its margin, |s| < 1, as at the start)
        still.remove('D.' + [key for key, _ in recipe.D.named_parameters() if key.endswith('bias')][-1])
    assert not still, f"{variant}: parameters that did not move in two steps: {still}"

    # the state round-trips through a file: a fresh recipe (other seed) loaded from it steps identically
    path = tmp_path / 'state.npz'
    mg.save(recipe.state_dict(), path)
    twin = make(variant, info, settings, device, seed=7)
    twin.load_state_dict(mg.load(path))
    rng = mg.get_rng_state()
    batch = next(stream)
    original = recipe.step(iter([batch] * 8))
    mg.set_rng_state(rng)
    copy = twin.step(iter([batch] * 8))
    assert original == copy
    assert all(np.array_equal(a, b) for a, b in zip(parameters(recipe).values(), parameters(twin).values()))

    # sampling: the data's shape, images in the tanh range, nothing changed by it
    source = tiny_data(info, 3, device)[0] if info.kind in ('paired', 'unpaired') else None
    inputs = recipe.sample_inputs(3, source=source)
    state = parameters(recipe)
    out = recipe.generate(inputs)
    assert tuple(out.shape) == (3, *info.shape) and out.device == device
    values = out.numpy()
    assert np.isfinite(values).all() and (not info.shape[1:] or np.abs(values).max() <= 1.0)
    assert all(np.array_equal(state[k], v) for k, v in parameters(recipe).items())

    # the metrics that apply to it: finite numbers (their values are the metrics' own tests')
    evaluation = Evaluation(TensorDataset(*tiny_data(info, 24, device)), info, device)
    evaluation.digit_samples, evaluation.point_samples = 20, 50
    metrics = recipe.evaluate(evaluation)
    assert set(metrics) == EXPECTED_METRICS[info.kind if variant not in EXPECTED_METRICS else variant]
    if metrics.get('high_quality') == 0:  # no sample near a mode: no mode histogram to compare
        assert math.isnan(metrics.pop('reverse_kl'))
    assert all(math.isfinite(v) for value in metrics.values() for v in np.ravel(value))


@pytest.mark.parametrize('variant', ['cgan', 'acgan'])
def test_conditional_sampling_asks_for_the_labels(variant, device):
    recipe = make(variant, DIGITS, dict(width=4), device)
    inputs = recipe.sample_inputs(20)
    assert inputs['labels'].tolist() == [k // 2 for k in range(20)]  # N/10 of each class, in order
    assert recipe.sample_inputs(3, label=7)['labels'].tolist() == [7, 7, 7]
    with pytest.raises(ValueError, match="--label 10 is not a class"):
        recipe.sample_inputs(3, label=10)
    images, columns = recipe.layout(inputs, recipe.generate(inputs))
    assert columns == 2 and images.shape == (20, 1, 28, 28)  # a row per class


def test_acgan_discriminator_takes_labels_exactly_when_it_projects_them():
    x, labels = mg.zeros(2, 1, 28, 28), mg.tensor([3, 5])
    plain, projected = ACGANDiscriminator(width=2), ACGANDiscriminator(width=2, projection=True)
    assert [part.shape for part in plain(x)] == [part.shape for part in projected(x, labels)] == [(2,), (2, 10)]
    with pytest.raises(ValueError, match="ACGANDiscriminator: labels are needed with projection=True"):
        projected(x)
    with pytest.raises(ValueError, match="got projection=False and labels=a tensor"):
        plain(x, labels)


def test_unconditional_and_translation_recipes_refuse_options_that_do_not_apply():
    with pytest.raises(ValueError, match="--label applies to conditional models"):
        make('dcgan', DIGITS, dict(width=4), 'cpu').sample_inputs(2, label=1)
    pix2pix = make('pix2pix', PAIRED, dict(width=4, depth=2), 'cpu')
    with pytest.raises(ValueError, match="--label and --truncation apply to noise-driven"):
        pix2pix.sample_inputs(2, truncation=1.0, source=mg.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"expected \(N, 1, 28, 28\)"):
        pix2pix.sample_inputs(2, source=mg.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match="cannot train on 'ring8'"):
        make('cgan', POINTS, {}, 'cpu')
    with pytest.raises(ValueError, match="--pack 3 must be >= 1 and divide --batch-size 4"):
        make('gan', POINTS, dict(pack=3), 'cpu')


def test_the_published_defaults():
    defaults = {name: recipe.Settings() for name, recipe in RECIPES.items()}
    dcgan = defaults['dcgan']
    assert (dcgan.lr, dcgan.betas, dcgan.batch_size) == (2e-4, (0.5, 0.999), 128)
    assert (defaults['wgan'].lr, defaults['wgan'].clip, defaults['wgan'].n_critic) == (5e-5, 0.01, 5)
    wgan_gp = defaults['wgan-gp']
    assert (wgan_gp.lambda_gp, wgan_gp.n_critic, wgan_gp.lr, wgan_gp.betas) == (10.0, 5, 1e-4, (0.5, 0.9))
    hinge = defaults['hinge']
    assert hinge.n_critic == 2 and hinge.ema_decay > 0 and RECIPES['hinge'].spectral_norm
    infogan = defaults['infogan']
    assert (infogan.lambda_cat, infogan.n_categories, infogan.n_continuous) == (1.0, 10, 2)
    assert infogan.lambda_cont < infogan.lambda_cat
    cyclegan = defaults['cyclegan']
    assert (cyclegan.lambda_cycle, cyclegan.lambda_identity, cyclegan.pool_size) == (10.0, 0.5, 50)
    assert cyclegan.batch_size == 1 and RECIPES['cyclegan'].kinds == ('unpaired',)
    assert defaults['pix2pix'].lambda_l1 == 100.0
    for name, settings in defaults.items():  # every hyperparameter has its --help text
        assert all(f.metadata.get('help') for f in dataclasses.fields(settings)), name


@pytest.mark.parametrize('info, settings, planned, factors', [
    (POINTS, dict(width=8), 5, [1.0, 0.8, 0.6, 0.4, 0.2]),             # 2-D: the whole run
    (DIGITS, dict(width=4, lr_decay_steps=4), 8, [1.0] * 5 + [0.75, 0.5, 0.25]),  # the last 4 steps
    (DIGITS, dict(width=4, lr_decay_steps=2, lr_decay_start=1), 5, [1.0, 1.0, 0.5, 0.0, 0.0]),
])
def test_the_lr_decays_linearly_to_zero_over_the_planned_steps(info, settings, planned, factors):
    recipe = make('gan' if info is POINTS else 'cgan', info, settings, 'cpu')
    recipe.plan(planned)
    seen = []
    for _ in factors:  # the lr each step runs with (after_step moves the schedule)
        seen.append([opt.param_groups[0]['lr'] / recipe.settings.lr for opt in recipe.optimizers.values()])
        recipe.after_step()
    assert np.allclose(seen, [[f, f] for f in factors])


def test_truncated_noise_stays_inside_the_threshold():
    mg.manual_seed(0)
    z = truncated_normal((2000, 8), 0.5, 'cpu').numpy()
    assert np.abs(z).max() <= 0.5 and z.std() < 0.35  # N(0,1) truncated at 0.5 has std 0.28
    with pytest.raises(ValueError, match="positive"):
        truncated_normal((2, 2), 0.0, 'cpu')


def test_history_pool_fills_then_mixes_old_and_new_and_round_trips(tmp_path):
    mg.manual_seed(0)
    pool = HistoryPool(size=3)
    first = mg.arange(3.0).reshape(3, 1, 1, 1)
    assert pool.query(first).tolist() == first.tolist()  # filling: the new images themselves
    answers = [pool.query(mg.full((1, 1, 1, 1), 10.0 + i)).item() for i in range(40)]
    old = [a for i, a in enumerate(answers) if a != 10.0 + i]
    assert 8 < len(old) < 32  # about half come from the pool
    mg.save(pool.state_dict(), tmp_path / 'pool.npz')
    copy = HistoryPool(size=3)
    copy.load_state_dict(mg.load(tmp_path / 'pool.npz'))
    assert [t.item() for t in copy.images] == [t.item() for t in pool.images]
    assert HistoryPool(size=0).query(first) is first


def test_pictures_show_a_grid_of_images_or_2500_points():
    assert make('gan', POINTS, dict(width=8), 'cpu').fixed_inputs(None)['z'].shape == (2500, 2)
    assert make('dcgan', DIGITS, dict(width=4), 'cpu').fixed_inputs(None)['z'].shape == (64, 100)
    inputs = make('infogan', DIGITS, dict(width=4), 'cpu').fixed_inputs(None)
    assert inputs['category'].tolist() == [k // 8 for k in range(80)]  # a row per code value
    assert inputs['continuous'][:8, 0].tolist() == pytest.approx(np.linspace(-1, 1, 8).tolist())


def test_maxout_is_the_max_of_its_pieces_forward_and_backward():
    """Maxout against torch computing each piece's linear map separately: piece k of unit j is
    row k·out + j of the weight (the pieces of a unit lie out_features apart)."""
    torch = pytest.importorskip('torch')
    from minigan.gan.models.mlp import Maxout
    mg.manual_seed(0)
    layer = Maxout(3, 4, pieces=5)
    x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    out = layer(mg.tensor(x))
    out.backward(mg.tensor(np.arange(24, dtype=np.float32).reshape(6, 4)))
    w = torch.tensor(layer.linear.weight.numpy(), requires_grad=True)
    b = torch.tensor(layer.linear.bias.numpy(), requires_grad=True)
    pieces = torch.stack([torch.tensor(x) @ w[4 * k:4 * k + 4].T + b[4 * k:4 * k + 4] for k in range(5)])
    expected = pieces.max(dim=0).values
    expected.backward(torch.arange(24, dtype=torch.float32).reshape(6, 4))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(layer.linear.weight.grad.numpy(), w.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.linear.bias.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_gan_on_grid25_scales_the_data_and_grows_d_batches_as_the_lr_falls():
    """grid25's defaults: the MLPs work on data / 4 (G's output x 4, D's input / 4), D's lr 3e-3,
    and from the step where the lr has fallen to half its start the real batch is 1, then up to
    --batch-growth batches joined (here 3 of 4 examples by the end of a 10-step run)."""
    grid = DataInfo('grid25', 'points', (2,))
    recipe = make('gan', grid, dict(width=8, batch_growth=3), 'cpu')
    assert (recipe.settings.data_scale, recipe.settings.lr_d) == (4.0, 3e-3)
    assert make('gan', POINTS, dict(width=8), 'cpu').settings.batch_growth == 1  # ring8 keeps its recipe
    z, x = mg.randn(5, 2), mg.randn(5, 4)
    np.testing.assert_allclose(recipe.G(z).numpy(), 4 * recipe.G.net(z).numpy(), rtol=1e-6)
    np.testing.assert_allclose(recipe.D(x).numpy(), recipe.D.net(x / 4).numpy().reshape(5), rtol=1e-6)
    recipe.plan(10)
    stream, sizes = batches(grid, 'cpu'), []
    for _ in range(10):
        sizes.append(recipe.real_batch(stream).shape[0])
        recipe.after_step()
    assert sizes == [4] * 7 + [8, 8, 12]


def test_gan_runs_on_grid25_for_12000_steps_unless_told_otherwise():
    """A run on grid25 given no --steps / --epochs lasts the 12,000 steps its figures come from
    (4 epochs of growing batches would hold 1,231); on ring8 it keeps its 4 epochs."""
    assert RECIPES['gan'].default_length('grid25') == {'steps': 12_000}
    assert RECIPES['gan'].default_length('ring8') == {'epochs': 4}
    assert RECIPES['dcgan'].default_length('digits') == {'epochs': RECIPES['dcgan'].default_epochs}
