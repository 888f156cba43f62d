"""Tensor creation, dtypes, properties, module-level functions and boundary errors."""
import numpy as np
import pytest

import minigan as mg


def test_python_numbers_become_float32_or_int64_as_in_torch():
    assert mg.tensor(1.5).dtype == mg.float32
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.tensor([True, False]).dtype == mg.bool
    assert mg.tensor(np.zeros(2)).dtype == mg.float64, "an array keeps its dtype"
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == mg.float64


def test_tensor_copies_its_data():
    a = np.ones(3, dtype=np.float32)
    t = mg.tensor(a)
    a[0] = 5
    assert t.numpy()[0] == 1


def test_properties():
    t = mg.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.size() == (2, 3, 4) and t.size(1) == 3
    assert t.numel() == 24 and len(t) == 2 and t.device == 'cpu' and t.is_leaf
    assert mg.tensor(2.5).item() == 2.5
    assert mg.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert isinstance(t.numpy(), np.ndarray)


def test_item_of_many_elements_is_an_error():
    with pytest.raises(ValueError, match=r'one-element.*\(2,\)'):
        mg.ones(2).item()


def test_only_floating_tensors_can_require_grad():
    with pytest.raises(TypeError, match='floating'):
        mg.tensor([1, 2], requires_grad=True)


def test_arithmetic_with_python_numbers_keeps_float32():
    x = mg.ones(2)
    for y in (x + 1, 2 * x, x / 3, x ** 2, 1 - x, 2.0 ** x, -x):
        assert y.dtype == mg.float32
    assert (mg.tensor([1, 2]) * 0.5).dtype == mg.float32
    assert (mg.tensor([1, 2]) / mg.tensor([2, 2])).dtype == mg.float32, "int / int divides truly"
    assert (mg.tensor([1, 2]) + 1).dtype == mg.int64


def test_integer_and_bool_tensors_join_a_float_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * mg.tensor([True, False])
    assert y.dtype == mg.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0])


def test_comparisons_are_bool_and_not_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    for c in (x > 1, x >= 1, x < 1, x <= 1, x == 1, x != 1):
        assert c.dtype == mg.bool and not c.requires_grad
    np.testing.assert_array_equal((x > 1.5).numpy(), [False, True])


def test_mixed_float_dtypes_are_an_error_naming_both():
    with pytest.raises(TypeError, match='add: .*float32 and float64'):
        mg.ones(2) + mg.ones(2, dtype=mg.float64)


def test_shapes_that_do_not_broadcast_are_named():
    with pytest.raises(ValueError, match=r'mul: shapes \(2, 3\) and \(4,\) do not broadcast'):
        mg.ones(2, 3) * mg.ones(4)


def test_matmul_shape_error_says_what_was_expected():
    with pytest.raises(ValueError, match=r'matmul: shapes \(2, 3\) and \(4, 5\).*3.*4'):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(ValueError, match='0-d'):
        mg.tensor(1.0) @ mg.ones(2)


def test_shape_op_errors():
    with pytest.raises(ValueError, match=r'reshape: cannot reshape .*\(2, 3\).*into \(4, 2\)'):
        mg.ones(2, 3).reshape(4, 2)
    with pytest.raises(IndexError, match='sum: dim 2 is out of range for a tensor of 2 dims'):
        mg.ones(2, 3).sum(2)
    with pytest.raises(ValueError, match='permute'):
        mg.ones(2, 3).permute(0, 0)
    with pytest.raises(ValueError, match=r'cat: tensor 1 has shape \(2, 4\)'):
        mg.cat([mg.ones(3, 3), mg.ones(2, 4)], dim=0)
    with pytest.raises(ValueError, match='stack'):
        mg.stack([mg.ones(2), mg.ones(3)])
    with pytest.raises(IndexError, match=r'getitem.*\(2, 3\)'):
        mg.ones(2, 3)[5]


def test_max_with_dim_returns_values_and_indices_like_torch():
    x = mg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.numpy(), [5.0, 7.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    assert x.max(1, keepdim=True).indices.shape == (2, 1)
    assert x.max().item() == 7.0 and x.min(dim=0).values.tolist() == [1.0, 0.0, 2.0]
    np.testing.assert_array_equal(mg.max(x, mg.zeros(2, 3) + 2).numpy(), np.maximum(x.numpy(), 2))


def test_tied_maxima_share_the_gradient_for_amax_but_not_for_max_dim():
    x = mg.tensor([3.0, 1.0, 3.0], requires_grad=True)
    x.amax().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 0.0, 0.5])
    x.grad = None
    x.max(dim=0).values.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 0.0])


def test_numpy_axis_and_keepdims_names_are_accepted():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.sum(axis=0, keepdims=True).numpy(), [[3.0, 5.0, 7.0]])
    assert x.mean(axis=1).shape == (2,)


def test_module_level_functions_follow_torch_names():
    a, b = mg.tensor([1.0, -2.0]), mg.tensor([0.5, 0.5])
    np.testing.assert_allclose(mg.cat([a, b]).numpy(), [1, -2, 0.5, 0.5])
    assert mg.stack([a, b], dim=1).shape == (2, 2)
    np.testing.assert_allclose(mg.where(a > 0, a, b).numpy(), [1.0, 0.5])
    np.testing.assert_allclose(mg.maximum(a, b).numpy(), [1.0, 0.5])
    np.testing.assert_allclose(mg.exp(mg.zeros(2)).numpy(), [1, 1])
    assert mg.zeros(2, 3).shape == mg.zeros((2, 3)).shape == mg.ones([2, 3]).shape == (2, 3)
    assert mg.arange(5).dtype == mg.int64 and mg.arange(0, 1, 0.25).dtype == mg.float32
    np.testing.assert_allclose(mg.linspace(0, 1, 3).numpy(), [0, 0.5, 1])
    np.testing.assert_array_equal(mg.eye(2).numpy(), np.eye(2))
    assert mg.full((2,), 7).dtype == mg.int64 and mg.full((2,), 7.0).dtype == mg.float32
    assert [p.shape for p in mg.split(mg.zeros(5, 2), 2)] == [(2, 2), (2, 2), (1, 2)]
    assert mg.randint(0, 10, (3,)).dtype == mg.int64
    assert mg.zeros_like(a).shape == a.shape and mg.ones_like(a, dtype=mg.float64).dtype == mg.float64


def test_manual_seed_makes_random_tensors_repeat():
    mg.manual_seed(3)
    first = (mg.randn(4).numpy(), mg.rand(2).numpy(), mg.randint(0, 100, (3,)).numpy())
    mg.manual_seed(3)
    again = (mg.randn(4).numpy(), mg.rand(2).numpy(), mg.randint(0, 100, (3,)).numpy())
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match='int seed'):
        mg.manual_seed(1.5)


def test_indexing_forms():
    x = mg.tensor(np.arange(24.0).reshape(2, 3, 4))
    ref = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(x[..., 1].numpy(), ref[..., 1])
    np.testing.assert_array_equal(x[None, 1, ::2].numpy(), ref[None, 1, ::2])
    np.testing.assert_array_equal(x[mg.tensor([1, 0, 1])].numpy(), ref[[1, 0, 1]])
    np.testing.assert_array_equal(x[x > 20].numpy(), ref[ref > 20])
    np.testing.assert_array_equal(x[-1, [0, 2], 1:3].numpy(), ref[-1, [0, 2], 1:3])


def test_repeated_integer_indices_add_their_gradients():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[mg.tensor([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])


def test_repr_looks_like_torch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert 'requires_grad=True' in repr(x)
    assert 'grad_fn=<MulBackward>' in repr(x * 2)
    assert repr(mg.tensor([1, 2])).startswith('tensor([1, 2]')


def test_conversions():
    x = mg.tensor([1.5, 2.5], requires_grad=True)
    assert x.double().dtype == mg.float64 and x.long().dtype == mg.int64
    assert x.to(mg.float64).dtype == mg.float64 and x.to(mg.zeros(1, dtype=mg.float64)).dtype == mg.float64
    (x.double() * 2).sum().backward()  # a cast is differentiable and gives grads in x's dtype
    assert x.grad.dtype == mg.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
    assert float(mg.tensor(2.0)) == 2.0 and int(mg.tensor(3)) == 3
    with pytest.raises(ValueError, match='ambiguous'):
        bool(mg.ones(2))


def test_numpy_asarray_sees_a_cpu_tensor_but_not_a_cuda_one():
    np.testing.assert_array_equal(np.asarray(mg.tensor([1.0, 2.0])), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"'cuda' tensor.*\.numpy\(\)"):
        np.asarray(mg.ones(2, device='cuda'))


def test_norm_is_exact_and_has_gradient_zero_at_zero_like_torch():
    x = mg.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    n = x.norm(dim=1)
    np.testing.assert_array_equal(n.numpy(), [5.0, 0.0])
    n.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.6, 0.8], [0.0, 0.0]])
    with pytest.raises(ValueError, match='norm: p must be'):
        x.norm(-1)
