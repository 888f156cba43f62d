"""Hypothesis strategies for op tests: shapes, broadcastable pairs, and values with a layout.

Shapes come from hypothesis (0-4 dims, sides 1-5), so it explores scalars, size-1 dims and
broadcasting, and shrinks a failure to the smallest shape. Values come from a NumPy generator
seeded by hypothesis: continuous random values never tie and stay off kinks with probability
one, which is what finite differences need, and a *domain* keeps them away from singularities
(log and sqrt of small numbers, division by ~0). Each array may be laid out non-contiguously
(a transposed or strided view), because ops must not assume C order.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_SIDE = 5
MAX_DIMS = 4

DOMAINS = {
    'real': lambda rng, shape: rng.uniform(-2.0, 2.0, shape),
    'positive': lambda rng, shape: rng.uniform(0.5, 2.0, shape),
    'nonzero': lambda rng, shape: rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape),
    'unit': lambda rng, shape: rng.uniform(-0.9, 0.9, shape),
    # at least 0.1 away from +-0.5, where clamp(x, -0.5, 0.5) has its kinks
    'clampable': lambda rng, shape: rng.choice([-1.0, 1.0], shape) * np.where(
        rng.random(shape) < 0.5, rng.uniform(0.0, 0.4, shape), rng.uniform(0.6, 2.0, shape)),
}


def shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_pair(min_dims=0, max_dims=MAX_DIMS):
    """Two shapes that broadcast together (either may have fewer dims or size-1 dims)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=max_dims,
                                             max_side=MAX_SIDE).map(lambda r: r.input_shapes)


@st.composite
def arrays(draw, shape, domain='real', dtype=np.float64, salt=0):
    """A float array of ``shape`` with values from ``domain``, contiguous or a strided view.

    Give each input of one case its own ``salt``: hypothesis often draws equal seeds, and two
    inputs with equal values would sit exactly on the kink of maximum(a, b).
    """
    rng = np.random.default_rng([draw(st.integers(0, 2 ** 32 - 1)), salt])
    layout = draw(st.sampled_from(['contiguous', 'transposed', 'strided'])) if shape else 'contiguous'
    if layout == 'transposed':  # a C-ordered array of the reversed shape, seen through .T
        base = DOMAINS[domain](rng, shape[::-1]).astype(dtype)
        return base.T
    if layout == 'strided':  # every other element of a twice-as-wide last dim
        wide = shape[:-1] + (2 * shape[-1],)
        return DOMAINS[domain](rng, wide).astype(dtype)[..., ::2]
    return np.asarray(DOMAINS[domain](rng, shape), dtype=dtype)


def numel(shape):
    return int(np.prod(shape, dtype=np.int64))
