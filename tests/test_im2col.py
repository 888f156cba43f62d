"""ops/im2col.py: the column matrix and its adjoint on every window geometry (kernel smaller or
larger than the stride, strides that divide the kernel or not, dilation, padding, either input
layout), against direct loops; on worker threads too."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from minigan import backend
from minigan.ops import im2col as I
from minigan.ops import parallel


@st.composite
def geometries(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    big = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4))
                for k, d, p in zip(kernel, dilation, pad))
    small = tuple(I.out_size(n, k, s, p, p, d) for n, k, s, p, d in zip(big, kernel, stride, pad, dilation))
    C, N = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return I.Window(kernel, stride, dilation, pad, big, small), C, N


def direct_cols(x, win):
    """cols[c, i, j, oh, ow, n] = xpad[c, oh*sh + i*dh, ow*sw + j*dw, n], by loops."""
    (kh, kw), (sh, sw), (dh, dw), (pt, pl), (oh, ow) = win.kernel, win.stride, win.dilation, win.pad, win.small
    C, H, W, N = x.shape
    xpad = np.zeros((C, H + 2 * pt + 8, W + 2 * pl + 8, N))
    xpad[:, pt:pt + H, pl:pl + W] = x
    cols = np.empty((C, kh, kw, oh, ow, N))
    for i in range(kh):
        for j in range(kw):
            for r in range(oh):
                for t in range(ow):
                    cols[:, i, j, r, t] = xpad[:, r * sh + i * dh, t * sw + j * dw]
    return cols.reshape(C * kh * kw, oh * ow * N)


def direct_col2im(cols, win, C, N):
    """Every column entry added back onto the pixel it reads (padding dropped), by loops."""
    (kh, kw), (sh, sw), (dh, dw), (pt, pl), (oh, ow) = win.kernel, win.stride, win.dilation, win.pad, win.small
    (H, W) = win.big
    xpad = np.zeros((C, H + 2 * pt + 8, W + 2 * pl + 8, N))
    c6 = cols.reshape(C, kh, kw, oh, ow, N)
    for i in range(kh):
        for j in range(kw):
            for r in range(oh):
                for t in range(ow):
                    xpad[:, r * sh + i * dh, t * sw + j * dw] += c6[:, i, j, r, t]
    return xpad[:, pt:pt + H, pl:pl + W]


@given(case=geometries(), seed=st.integers(0, 2 ** 16), batch_last=st.booleans())
def test_im2col_and_col2im_match_direct_loops(case, seed, batch_last):
    win, C, N = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((C,) + win.big + (N,))
    if not batch_last:  # stored (N, C, H, W), as a tensor made by the user is
        x = np.ascontiguousarray(x.transpose(3, 0, 1, 2)).transpose(1, 2, 3, 0)
    np.testing.assert_array_equal(I.im2col(x, win), direct_cols(x, win))
    cols = rng.standard_normal(win.cols_shape(C, N))
    np.testing.assert_allclose(I.col2im(cols, win, C, N), direct_col2im(cols, win, C, N), rtol=1e-12, atol=1e-12)
    if N == 1:  # one image: the same sum, from the columns transposed, channels-last
        rows = np.ascontiguousarray(cols.T)
        np.testing.assert_allclose(I.col2im_rows(rows, win, C), direct_col2im(cols, win, C, N), rtol=1e-12,
                                   atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col_on_threads(monkeypatch):
    """<im2col(x), c> = <x, col2im(c)>, with every channel block on a worker thread."""
    monkeypatch.setattr(parallel, 'BLOCK', 1)
    rng = np.random.default_rng(0)
    for win in [I.Window((4, 4), (2, 2), (1, 1), (1, 1), (14, 14), (7, 7)),    # DCGAN: a split view
                I.Window((3, 3), (2, 2), (1, 1), (1, 1), (9, 9), (5, 5)),      # offset by offset
                I.Window((1, 2), (3, 3), (1, 1), (0, 0), (7, 8), (3, 3))]:     # gaps: kernel < stride
        C, N = 4, 3
        x = rng.standard_normal((C,) + win.big + (N,))
        cols = rng.standard_normal(win.cols_shape(C, N))
        np.testing.assert_allclose(np.vdot(I.im2col(x, win), cols), np.vdot(x, I.col2im(cols, win, C, N)),
                                   rtol=1e-12)
        np.testing.assert_array_equal(I.im2col(x, win), direct_cols(x, win))


def test_col2im_sums_a_few_channels_at_a_time_as_all_at_once(monkeypatch):
    """A core's channels summed a block at a time (here one channel per block: PADDED_BLOCK holds
    one channel's padded image) give what the direct loops give, on one thread and on the pool's."""
    rng = np.random.default_rng(1)
    for threads in (False, True):
        if threads:
            monkeypatch.setattr(parallel, 'BLOCK', 1)
        for win in [I.Window((4, 4), (2, 2), (1, 1), (1, 1), (14, 14), (7, 7)),
                    I.Window((3, 3), (2, 2), (1, 1), (1, 1), (9, 9), (5, 5), 'reflect')]:
            C, N = 5, 3
            cols = rng.standard_normal(win.cols_shape(C, N))
            monkeypatch.setattr(I, 'PADDED_BLOCK', cols.itemsize * N * win.span[0] * win.span[1])  # one channel
            blocked = I.col2im(cols, win, C, N)
            monkeypatch.setattr(I, 'PADDED_BLOCK', 1 << 40)
            np.testing.assert_allclose(blocked, I.col2im(cols, win, C, N), rtol=1e-12, atol=1e-12)
            if win.mode == 'zeros':
                np.testing.assert_allclose(blocked, direct_col2im(cols, win, C, N), rtol=1e-12, atol=1e-12)


def test_im2col_into_its_own_memory_leaves_scratch_alone():
    win = I.Window((2, 2), (2, 2), (1, 1), (0, 0), (4, 4), (2, 2))
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((2, 4, 4, 3))
    own = np.empty(win.cols_shape(2, 3))
    kept = I.im2col(x1, win, out=own)
    assert np.shares_memory(kept, own)
    I.im2col(x2, win)  # into scratch
    np.testing.assert_array_equal(kept, direct_cols(x1, win))


def test_im2col_col2im_on_every_device(device):
    win = I.Window((4, 4), (2, 2), (1, 1), (1, 1), (6, 6), (3, 3))
    rng = np.random.default_rng(2)
    x, cols = rng.standard_normal((2,) + win.big + (3,)), rng.standard_normal(win.cols_shape(2, 3))
    on = lambda a: backend.to_device(a, device)  # noqa: E731
    np.testing.assert_array_equal(backend.to_numpy(I.im2col(on(x), win)), direct_cols(x, win))
    np.testing.assert_allclose(backend.to_numpy(I.col2im(on(cols), win, 2, 3)), direct_col2im(cols, win, 2, 3),
                               rtol=1e-12, atol=1e-12)
    one = rng.standard_normal(win.cols_shape(2, 1))
    np.testing.assert_allclose(backend.to_numpy(I.col2im_rows(on(np.ascontiguousarray(one.T)), win, 2)),
                               direct_col2im(one, win, 2, 1), rtol=1e-12, atol=1e-12)


def test_im2col_of_one_edge_padded_image_gathers_numpys_padded_windows():
    """One image padded with its edges, short rows: im2col gathers by index; the columns are
    those of NumPy's own np.pad (reflect -> 'reflect', replicate -> 'edge')."""
    rng = np.random.default_rng(3)
    for mode, np_mode in (('reflect', 'reflect'), ('replicate', 'edge')):
        for win in [I.Window((3, 3), (1, 1), (1, 1), (1, 1), (5, 6), (5, 6), mode),
                    I.Window((3, 2), (2, 1), (1, 2), (2, 1), (5, 4), (3, 3), mode)]:
            x = rng.standard_normal((3,) + win.big + (1,))
            assert I._gathers_by_index(x, win)
            (pt, pl), (hs, ws) = win.pad, win.span
            xpad = np.pad(x, ((0, 0), (pt, pt), (pl, pl), (0, 0)), mode=np_mode)[:, :hs, :ws]
            ref = np.zeros((3, hs + 8, ws + 8, 1))
            ref[:, :hs, :ws] = xpad
            zero_padded = I.Window(win.kernel, win.stride, win.dilation, (0, 0), (hs + 8, ws + 8), win.small)
            np.testing.assert_array_equal(I.im2col(x, win), direct_cols(ref, zero_padded))
