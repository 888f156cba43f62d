"""Optimizers, schedulers, EMA and weight clipping against torch.optim, step for step (float64)."""
import numpy as np
import pytest

import minigan as mg
from minigan import optim

torch = pytest.importorskip('torch')

SHAPES = [(3, 4), (5,), ()]
STEPS = 100


def gradient(params, step, rng_seed=1234):
    """The same gradients for both frameworks: noise fixed per step plus a term that depends on
    the parameter, so that diverging trajectories would show."""
    rng = np.random.default_rng(rng_seed + step)
    return [rng.standard_normal(p.shape) + 0.3 * p ** 3 for p in params]


def initial_values():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in SHAPES]


def run_minigan(make, groups, steps, start=None, optimizer=None):
    params = [mg.nn.Parameter(mg.tensor(v, dtype='float64')) for v in (start or initial_values())]
    if optimizer is None:
        optimizer = make(groups(params), mg.optim)
    for t in range(steps):
        for p, g in zip(params, gradient([p.numpy() for p in params], t)):
            p.grad = mg.tensor(g)
        optimizer.step()
    return params, optimizer


def run_torch(make, groups, steps):
    params = [torch.nn.Parameter(torch.tensor(v)) for v in initial_values()]
    optimizer = make(groups(params), torch.optim)
    for t in range(steps):
        for p, g in zip(params, gradient([p.detach().numpy() for p in params], t)):
            p.grad = torch.tensor(g)
        optimizer.step()
    return params


def one_group(params):
    return params


def two_groups(params):
    return [{'params': params[:2]}, {'params': params[2:], 'lr': 0.003}]


CONFIGS = {
    'sgd': lambda ps, o: o.SGD(ps, lr=0.05),
    'sgd-momentum': lambda ps, o: o.SGD(ps, lr=0.02, momentum=0.9),
    'sgd-nesterov-wd': lambda ps, o: o.SGD(ps, lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01),
    'sgd-dampening-wd': lambda ps, o: o.SGD(ps, lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.1),
    'sgd-maximize': lambda ps, o: o.SGD(ps, lr=1e-3, momentum=0.5, maximize=True),
    'adam': lambda ps, o: o.Adam(ps, lr=0.01),
    'adam-dcgan': lambda ps, o: o.Adam(ps, lr=2e-4, betas=(0.5, 0.999)),
    'adam-amsgrad-wd': lambda ps, o: o.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.05),
    'adam-eps': lambda ps, o: o.Adam(ps, lr=0.01, betas=(0.0, 0.9), eps=1e-3),
    'rmsprop': lambda ps, o: o.RMSprop(ps, lr=0.01),
    'rmsprop-centered': lambda ps, o: o.RMSprop(ps, lr=0.005, centered=True),
    'rmsprop-momentum-wd': lambda ps, o: o.RMSprop(ps, lr=0.005, momentum=0.9, weight_decay=0.01),
    'rmsprop-all': lambda ps, o: o.RMSprop(ps, lr=0.002, alpha=0.9, centered=True, momentum=0.5,
                                           weight_decay=0.1),
}


@pytest.mark.parametrize('groups', [one_group, two_groups], ids=['one-group', 'two-groups'])
@pytest.mark.parametrize('name', CONFIGS)
def test_trajectory_matches_torch(name, groups):
    ours, _ = run_minigan(CONFIGS[name], groups, STEPS)
    theirs = run_torch(CONFIGS[name], groups, STEPS)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('name', ['sgd-nesterov-wd', 'adam-amsgrad-wd', 'rmsprop-all'])
def test_resuming_from_a_saved_state_dict_continues_the_same_trajectory(name, tmp_path):
    make = CONFIGS[name]
    params, optimizer = run_minigan(make, two_groups, STEPS // 2)
    mg.save({'params': [p.detach() for p in params], 'optimizer': optimizer.state_dict()}, tmp_path / 'ck.npz')
    ckpt = mg.load(tmp_path / 'ck.npz')
    fresh = [mg.nn.Parameter(t) for t in ckpt['params']]
    resumed = make(two_groups(fresh), mg.optim)
    resumed.load_state_dict(ckpt['optimizer'])
    for t in range(STEPS // 2, STEPS):  # continue with the gradients of steps 50..99
        for p, g in zip(fresh, gradient([p.numpy() for p in fresh], t)):
            p.grad = mg.tensor(g)
        resumed.step()
    theirs = run_torch(make, two_groups, STEPS)
    for p, q in zip(fresh, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_state_dict_has_torchs_structure():
    params, ours = run_minigan(CONFIGS['adam-amsgrad-wd'], two_groups, 3)
    theirs = CONFIGS['adam-amsgrad-wd'](two_groups([torch.nn.Parameter(torch.zeros(s)) for s in SHAPES]), torch.optim)
    for p in theirs.param_groups[0]['params'] + theirs.param_groups[1]['params']:
        p.grad = torch.ones_like(p)
    theirs.step()
    a, b = ours.state_dict(), theirs.state_dict()
    assert sorted(a['state']) == sorted(b['state']) == [0, 1, 2]
    assert set(a['state'][0]) == set(b['state'][0])
    assert [g['params'] for g in a['param_groups']] == [g['params'] for g in b['param_groups']]
    for ga, gb in zip(a['param_groups'], b['param_groups']):
        assert {k: ga[k] for k in ('lr', 'betas', 'eps', 'weight_decay', 'amsgrad')} == \
               {k: gb[k] for k in ('lr', 'betas', 'eps', 'weight_decay', 'amsgrad')}


def test_failed_load_state_dict_leaves_the_optimizer_unchanged():
    params, optimizer = run_minigan(CONFIGS['adam'], one_group, 3)
    before = optimizer.state_dict()
    snapshot = {i: {k: (v.numpy().copy() if isinstance(v, mg.Tensor) else v) for k, v in s.items()}
                for i, s in before['state'].items()}
    bad = optimizer.state_dict()
    bad['state'][2] = dict(bad['state'][2], exp_avg=mg.zeros(7, dtype='float64'))  # wrong shape
    bad['param_groups'][0] = dict(bad['param_groups'][0], lr=123.0)
    with pytest.raises(ValueError, match=r"state\[2\]\['exp_avg'\] has shape \(7,\)"):
        optimizer.load_state_dict(bad)
    assert optimizer.param_groups[0]['lr'] == 0.01
    after = optimizer.state_dict()['state']
    for i, s in snapshot.items():
        for k, v in s.items():
            np.testing.assert_array_equal(after[i][k].numpy() if isinstance(v, np.ndarray) else after[i][k], v)
    with pytest.raises(ValueError, match='parameter groups'):
        optimizer.load_state_dict({'state': {}, 'param_groups': []})


def test_step_with_a_bad_gradient_changes_nothing():
    a, b = mg.nn.Parameter(mg.ones(2)), mg.nn.Parameter(mg.ones(3))
    opt = mg.optim.SGD([a, b], lr=0.1)
    a.grad, b.grad = mg.ones(2), mg.ones(4)
    with pytest.raises(ValueError, match=r'shape \(4,\).*shape \(3,\)'):
        opt.step()
    assert a.tolist() == [1.0, 1.0] and b.tolist() == [1.0, 1.0, 1.0]


def test_step_records_no_graph_and_keeps_the_parameter_objects():
    w = mg.nn.Parameter(mg.tensor([1.0, 2.0]))
    data = w.array
    opt = mg.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.grad_fn is None and w.is_leaf and w.array is data


@pytest.mark.parametrize('bad, message', [
    (lambda p: mg.optim.SGD(p, lr=-1), 'SGD: lr must be a finite number >= 0'),
    (lambda p: mg.optim.SGD(p, nesterov=True), 'Nesterov'),
    (lambda p: mg.optim.Adam(p, betas=(1.0, 0.9)), r'Adam: betas\[0\] must be'),
    (lambda p: mg.optim.RMSprop(p, alpha=-0.1), 'alpha'),
    (lambda p: mg.optim.SGD([], lr=0.1), 'empty parameter list'),
    (lambda p: mg.optim.SGD(p + p), 'more than once'),
])
def test_bad_hyperparameters_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        bad([mg.nn.Parameter(mg.ones(2))])


def test_zero_grad_sets_none_or_zeros():
    w = mg.nn.Parameter(mg.ones(2))
    opt = mg.optim.SGD([w], lr=0.1)
    w.grad = mg.ones(2)
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


# ----------------------------------------------------------------------------- schedulers
def cyclegan_lambda_rule(epoch, n_epochs=3, n_epochs_decay=4, epoch_count=1):
    """CycleGAN's own lambda_rule (models/networks.py), with its options as arguments."""
    return 1.0 - max(0, epoch + epoch_count - n_epochs) / float(n_epochs_decay + 1)


@pytest.mark.parametrize('make', [
    lambda o, s, opt: s.LambdaLR(opt, lambda e: 0.9 ** e),
    lambda o, s, opt: s.StepLR(opt, step_size=3, gamma=0.5),
    lambda o, s, opt: (s.LinearDecayLR(opt, 3, 4) if o is mg.optim else s.LambdaLR(opt, cyclegan_lambda_rule)),
], ids=['LambdaLR', 'StepLR', 'LinearDecayLR'])
def test_schedules_match_torch(make):
    lrs = []
    for o, s, p in ((mg.optim, mg.optim.lr_scheduler, mg.nn.Parameter(mg.ones(1))),
                    (torch.optim, torch.optim.lr_scheduler, torch.nn.Parameter(torch.ones(1)))):
        opt = o.Adam([{'params': [p]}], lr=0.1)
        sched = make(o, s, opt)
        seen = [opt.param_groups[0]['lr']]
        for _ in range(10):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr()[0])
        lrs.append(seen)
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-15)


def test_scheduler_state_round_trips_through_a_checkpoint(tmp_path):
    opt = mg.optim.SGD([mg.nn.Parameter(mg.ones(1))], lr=0.1)
    sched = mg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(5):
        sched.step()
    mg.save(sched.state_dict(), tmp_path / 's.npz')
    opt2 = mg.optim.SGD([mg.nn.Parameter(mg.ones(1))], lr=0.1)
    sched2 = mg.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    sched2.load_state_dict(mg.load(tmp_path / 's.npz'))
    assert sched2.last_epoch == 5 and sched2.get_last_lr() == sched.get_last_lr()


# ----------------------------------------------------------------------------- EMA and clipping
def test_ema_matches_torch_averaged_model():
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    decay = 0.9
    ours = mg.nn.Linear(3, 2).double()
    theirs = torch.nn.Linear(3, 2).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ema = mg.optim.ExponentialMovingAverage(ours, decay=decay)
    averaged = AveragedModel(theirs, multi_avg_fn=get_ema_multi_avg_fn(decay))
    averaged.update_parameters(theirs)  # torch's first update copies; ours copies at construction
    rng = np.random.default_rng(0)
    for _ in range(20):
        step = {k: rng.standard_normal(v.shape) for k, v in ours.state_dict().items()}
        with mg.no_grad(), torch.no_grad():
            for k, v in ours.state_dict().items():
                v.array += step[k]
            for k, v in theirs.state_dict().items():
                v += torch.tensor(step[k])
        ema.update()
        averaged.update_parameters(theirs)
    target = mg.nn.Linear(3, 2).double()
    ema.copy_to(target)
    for k, v in target.state_dict().items():
        np.testing.assert_allclose(v.numpy(), averaged.module.state_dict()[k].numpy(), rtol=1e-12)


def test_ema_follows_the_weights_before_start_itr_and_round_trips(tmp_path):
    net = mg.nn.Linear(2, 2)
    ema = mg.optim.EMA(net, decay=0.5, start_itr=10)
    with mg.no_grad():
        net.weight.array += 1.0
    ema.update(itr=3)  # warm-up: decay 0, the average is the weights
    np.testing.assert_array_equal(ema.shadow['weight'].numpy(), net.weight.numpy())
    mg.save(ema.state_dict(), tmp_path / 'ema.npz')
    other = mg.optim.EMA(mg.nn.Linear(2, 2), decay=0.1)
    other.load_state_dict(mg.load(tmp_path / 'ema.npz'))
    assert other.decay == 0.5 and other.start_itr == 10
    np.testing.assert_array_equal(other.shadow['weight'].numpy(), net.weight.numpy())


def test_clip_weights_matches_torch_clamp():
    ours = mg.nn.Sequential(mg.nn.Linear(4, 3), mg.nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    with mg.no_grad():
        ours[1].weight.array[...] = np.array([-0.5, 0.001, 2.0], dtype=np.float32)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    mg.optim.clip_weights(ours, 0.01)
    with torch.no_grad():
        for p in theirs.parameters():
            p.clamp_(-0.01, 0.01)
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), theirs.state_dict()[k].numpy())
    with pytest.raises(ValueError, match='c must be a finite number > 0'):
        mg.optim.clip_weights(ours, 0)
