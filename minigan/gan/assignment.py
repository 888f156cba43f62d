"""The assignment problem, solved by the Hungarian algorithm (Kuhn 1955, Munkres 1957).

Given a cost matrix C (n, m), n <= m, choose one column per row, no column twice, so that the
total cost Σ_i C[i, σ(i)] is least. Trying every assignment costs m!/(m-n)! (3.6 million for
10 x 10); the Hungarian algorithm needs O(n² m) steps.

The idea: keep *potentials* u (rows) and v (columns) with u_i + v_j <= C[i, j] everywhere. An
edge with u_i + v_j = C[i, j] is *tight*. If every row can be matched along tight edges, the
matching is optimal, because its cost Σ_i C[i, σ(i)] = Σ u + Σ v is a lower bound of any
assignment's cost (sum the inequalities along that assignment). Rows are added one at a time:
grow a tree of alternating paths from the new row over tight edges; while no free column is
reachable, raise the potentials of the tree's rows and lower those of its columns by the
smallest slack δ = min C[i, j] - u_i - v_j leaving the tree, which keeps every inequality and
makes one more edge tight. When a free column is reached, flip the path: one more row matched.

InfoGAN uses it to score its categorical code: the code values carry no names, so code k is
matched to the digit class it agrees with most (minigan.gan.metrics.code_accuracy).
"""
import math

from .. import backend
from ..tensor import Tensor


def linear_sum_assignment(cost, maximize=False):
    """(rows, cols): the assignment of least total ``cost`` (largest when ``maximize``).

    cost: (n, m) matrix (list, array or Tensor) of finite numbers. Returns two int64 host arrays
    of length min(n, m), rows in increasing order, so that ``cost[rows, cols].sum()`` is optimal
    -- scipy.optimize.linear_sum_assignment's name and result.
    """
    matrix = backend.to_numpy(cost.array if isinstance(cost, Tensor) else backend.asarray(cost))
    if matrix.ndim != 2:
        raise ValueError(f"linear_sum_assignment: expected a 2-D cost matrix, got shape {matrix.shape}")
    if not (backend.is_floating(matrix.dtype) or matrix.dtype.kind in 'iub'):
        raise TypeError(f"linear_sum_assignment: expected a numeric cost matrix, got dtype {matrix.dtype}")
    rows = [[float(c) for c in row] for row in matrix.tolist()]
    if not all(math.isfinite(c) for row in rows for c in row):
        raise ValueError("linear_sum_assignment: the cost matrix has NaN or infinite entries")
    if maximize:
        rows = [[-c for c in row] for row in rows]
    transposed = len(rows) > matrix.shape[1]
    if transposed:  # the algorithm below matches every row: it wants no more rows than columns
        rows = [list(col) for col in zip(*rows)]
    col_of_row = _hungarian(rows)
    pairs = sorted((c, r) if transposed else (r, c) for r, c in enumerate(col_of_row))
    return (backend.asarray([p[0] for p in pairs], dtype=backend.int64),
            backend.asarray([p[1] for p in pairs], dtype=backend.int64))


def _hungarian(cost):
    """The column of each row in a least-cost assignment of the n x m lists ``cost`` (n <= m).

    Column 0 below is a virtual column where the row being added starts its search; real columns
    are 1..m, so ``row_of_col[j] == 0`` means column j is free.
    """
    n, m = len(cost), len(cost[0]) if cost else 0
    u = [0.0] * (n + 1)  # row potentials (row i of cost is row i + 1 here)
    v = [0.0] * (m + 1)  # column potentials
    row_of_col = [0] * (m + 1)
    for new_row in range(1, n + 1):
        row_of_col[0] = new_row
        slack = [math.inf] * (m + 1)  # least reduced cost from the tree to each column
        came_from = [0] * (m + 1)  # the tree column before j on the path that reaches j
        in_tree = [False] * (m + 1)
        col = 0
        while row_of_col[col] != 0:  # until the path ends at a free column
            in_tree[col] = True
            row, delta, next_col = row_of_col[col], math.inf, 0
            for j in range(1, m + 1):
                if in_tree[j]:
                    continue
                reduced = cost[row - 1][j - 1] - u[row] - v[j]
                if reduced < slack[j]:
                    slack[j], came_from[j] = reduced, col
                if slack[j] < delta:
                    delta, next_col = slack[j], j
            for j in range(m + 1):  # shift potentials by δ: the edge to next_col becomes tight
                if in_tree[j]:
                    u[row_of_col[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            col = next_col
        while col != 0:  # flip the alternating path back to the virtual column
            previous = came_from[col]
            row_of_col[col] = row_of_col[previous]
            col = previous
    col_of_row = [0] * n
    for j in range(1, m + 1):
        if row_of_col[j]:
            col_of_row[row_of_col[j] - 1] = j - 1
    return col_of_row
