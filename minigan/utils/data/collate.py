"""default_collate: a list of examples -> one batch, as torch.utils.data.default_collate.

    tensors, NumPy arrays    stacked along a new dim 0 (dtype kept)
    Python ints / floats     an int64 / float64 tensor (torch's choice: a float stays a double)
    bools, NumPy scalars     a tensor of their dtype
    strings                  the list itself
    tuples and lists         collated field by field -> a list (a namedtuple stays one)
    dicts                    collated key by key -> a dict

default_convert is what a loader with ``batch_size=None`` applies to single examples: arrays
become tensors, tuples lists, nothing is stacked.
"""
from ... import backend
from ...errors import ArgumentTypeError, UsageError
from ...ops.shape import stack
from ...tensor import Tensor
from .dataset import Batch


def default_collate(examples):
    if isinstance(examples, Batch):
        return list(examples)
    first = examples[0]
    if isinstance(first, Tensor):
        return stack(examples)
    if backend.is_array(first):
        return stack([Tensor(e) for e in examples])
    if isinstance(first, bool):
        return Tensor(backend.asarray(examples, dtype=backend.bool_))
    if isinstance(first, int):
        return Tensor(backend.asarray(examples, dtype=backend.int64))
    if isinstance(first, float):
        return Tensor(backend.asarray(examples, dtype=backend.float64))
    if isinstance(first, str):
        return list(examples)
    if isinstance(first, dict):
        return {key: default_collate([e[key] for e in examples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(e) != len(first) for e in examples):
            raise UsageError("default_collate: each element in list of batch should be of equal size; "
                             f"got fields {sorted({len(e) for e in examples})}")
        fields = [default_collate(list(field)) for field in zip(*examples)]
        if hasattr(first, '_fields'):  # a namedtuple
            return type(first)(*fields)
        return fields
    if _is_numpy_scalar(first):
        return Tensor(backend.asarray(examples))
    raise ArgumentTypeError(f"default_collate: cannot batch examples of type {type(first).__name__}; "
                            "expected Tensors, arrays, numbers, strings, or tuples/lists/dicts of them "
                            "(or pass collate_fn=...)")


def default_convert(example):
    """One example, unbatched: arrays -> tensors, tuples -> lists, containers recursively."""
    if backend.is_array(example) or _is_numpy_scalar(example):
        return Tensor(backend.asarray(example))
    if isinstance(example, dict):
        return {k: default_convert(v) for k, v in example.items()}
    if isinstance(example, tuple) and hasattr(example, '_fields'):
        return type(example)(*(default_convert(v) for v in example))
    if isinstance(example, (tuple, list)):
        return [default_convert(v) for v in example]
    return example


def _is_numpy_scalar(value):
    return not isinstance(value, Tensor) and hasattr(value, 'dtype') and hasattr(value, 'item')
