"""Old PyTorch's spellings (Variable, FloatTensor, x.type(...)) behave as torch's and name the
modern form once."""
import warnings

import numpy as np
import pytest

import minigan as mg
from minigan import legacy
from minigan.autograd import Variable

torch = pytest.importorskip('torch')
from torch.autograd import Variable as TorchVariable  # noqa: E402


@pytest.fixture(autouse=True)
def quiet_and_fresh():
    legacy._warned.clear()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        yield


def test_variable_is_the_tensor_detached_as_in_torch():
    w, wt = mg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    for requires_grad in (False, True):
        v, vt = Variable(w * 2, requires_grad=requires_grad), TorchVariable(wt * 2, requires_grad=requires_grad)
        assert (v.requires_grad, v.grad_fn is None, v.is_leaf) == (vt.requires_grad, vt.grad_fn is None, vt.is_leaf)
    x = mg.zeros(3)
    Variable(x).fill_(1.0)  # same memory
    assert x.tolist() == [1.0, 1.0, 1.0]
    assert isinstance(x, Variable) and isinstance(mg.zeros(1, dtype=mg.int64), Variable)
    with pytest.raises(TypeError, match='has to be a tensor'):
        Variable([1, 2])


CONSTRUCTIONS = [
    ('FloatTensor', (2, 3)), ('FloatTensor', ([[1, 2]],)), ('FloatTensor', (np.random.default_rng(0).random((2, 2)),)),
    ('LongTensor', (np.array([3, 1, 2]),)), ('LongTensor', (np.array([1.7, 2.0]),)), ('LongTensor', (4,)),
    ('DoubleTensor', ([0.5],)), ('ByteTensor', ([1, 2],)), ('BoolTensor', ([1, 0],)), ('IntTensor', (2,)),
    ('HalfTensor', ([1.5],)), ('FloatTensor', ()),
]


@pytest.mark.parametrize('name, args', CONSTRUCTIONS)
def test_typed_constructors_match_torch(name, args):
    ours, theirs = getattr(mg, name)(*args), getattr(torch, name)(*args)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).split('.')[1]
    if theirs.numel() and not (len(args) and all(isinstance(a, int) for a in args)):  # sized ones: torch's memory is uninitialized
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert isinstance(ours, getattr(mg, name)) and isinstance(theirs, getattr(torch, name))
    assert not isinstance(mg.zeros(1, dtype=mg.bool), mg.FloatTensor)


def test_typed_constructor_of_a_tensor_shares_it_and_refuses_to_convert_as_torch():
    source = mg.tensor([1.5, 2.5])
    assert mg.FloatTensor(source).array is source.array
    with pytest.raises(TypeError):
        torch.LongTensor(torch.tensor([1.5, 2.5]))
    with pytest.raises(TypeError, match='float32'):
        mg.LongTensor(source)


def test_type_method_matches_torch():
    x, xt = mg.tensor([1.7, -2.2]), torch.tensor([1.7, -2.2])
    assert x.type() == 'minigan.FloatTensor' and xt.type() == 'torch.FloatTensor'
    assert mg.zeros(1, dtype=mg.int64).type() == 'minigan.LongTensor'
    for spec_o, spec_t in [(mg.LongTensor, torch.LongTensor), ('torch.DoubleTensor', 'torch.DoubleTensor'),
                           (mg.int32, torch.int32), (mg.FloatTensor, torch.FloatTensor)]:
        ours, theirs = x.type(spec_o), xt.type(spec_t)
        assert str(ours.dtype) == str(theirs.dtype).split('.')[1] and ours.tolist() == pytest.approx(theirs.tolist())
    assert x.type(mg.FloatTensor) is x  # already that type, as torch returns self
    assert x.type(mg.cuda.FloatTensor).is_cuda
    with pytest.raises(ValueError, match='invalid type'):
        x.type('torch.FancyTensor')


def test_cuda_typed_constructors_make_device_tensors():
    t = mg.cuda.LongTensor([1, 2])
    assert t.is_cuda and t.dtype == mg.int64 and isinstance(t, mg.cuda.LongTensor) and not isinstance(t, mg.LongTensor)
    assert repr(mg.cuda.FloatTensor) == "<class 'minigan.cuda.FloatTensor'>"


def test_each_legacy_spelling_names_the_modern_form_once():
    legacy._warned.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for _ in range(3):
            Variable(mg.FloatTensor(2, 1).fill_(1.0), requires_grad=False)
        Variable(mg.zeros(1), volatile=True)
        mg.zeros(1).type(mg.LongTensor)
        mg.zeros(1).type(mg.float64)  # a dtype is today's spelling: no warning
    messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert len(messages) == 4  # FloatTensor, Variable, volatile, x.type(...): once each
    assert any('torch.zeros' in m for m in messages) and any('no_grad' in m for m in messages)
    assert any('x.float()' in m for m in messages)
