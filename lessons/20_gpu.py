# %% [markdown]
# # Lesson 20 · To the GPU
#
# A GPU runs thousands of arithmetic units at once, each slower than a CPU core, fed from its own
# memory. minigan reaches it through **CuPy**, a NumPy look-alike whose arrays live in GPU memory:
# `cupy.exp(x)` launches a kernel on the device where `numpy.exp(x)` loops on the host. Install
# it with `pip install 'minigan[gpu]'` (or the CuPy wheel for your CUDA version).
#
# **What does not change: the code.** No op of minigan names NumPy. Every kernel asks for the
# array module of its inputs and calls that,
#
#     xp = backend.xp_of(a)          # numpy for a host array, cupy for a device array
#     return xp.maximum(a, 0)
#
# so one line runs on both. Backward is written in Tensor ops, which are themselves device
# generic; the random numbers come from one host generator and are copied to the device, so
# `mg.manual_seed(0)` gives the same numbers on both devices and a run can be compared number for
# number.
#
# **What changes: where the data is.** A tensor lives on one device; an op refuses to mix devices
# (it cannot add host memory to device memory without a copy, and a silent copy would hide a
# slow program). As in torch:
#
# - `mg.randn(64, 100, device='cuda')`, `model.to('cuda')`, `x.to('cuda')`, `x.cpu()`: choose and
#   move; `next(model.parameters()).device` says where a model is;
# - every copy between host and device crosses the PCIe bus (≈ 10-25 GB/s, plus ≈ 10 µs per
#   copy), far slower than the GPU's own memory (≈ 1-3 TB/s): move the data once, keep it there,
#   and copy back only the few numbers you print;
# - `.item()`, `.numpy()`, `float(loss)` copy to the host, so they wait for the GPU to finish.
#
# **Timing needs care.** A GPU call returns as soon as its kernel is *queued*: a stopwatch around
# it measures the launch, not the work. Wait for the device (`mg.cuda.synchronize()`) before
# reading the clock, and again before starting it. The first calls are slower too (CuPy compiles
# and caches kernels, the memory pool grows): run a few untimed **warm-up** calls first. Then
# repeat and take the median, which a busy machine's outliers do not move.
#
# **Without a GPU.** Everything in this lesson runs on the CPU, and every exercise can be done
# there: the checks run your code on the CPU, and, when CuPy sees a GPU, once more on 'cuda'
# against the CPU's answer. Code that forgets `xp` (an `np.zeros` mixed into device arrays, an
# `np.where` on a device array) works on the CPU and breaks only on a GPU, so on a laptop that
# half of exercises 1 to 3 waits for a machine with one; the demo says which case you are in.
# (The project's own test suite closes that gap with a strict stand-in for CuPy that refuses
# host/device mixing: a tool of the tests, `tests/strict_device.py`, not of this course.)
#
# **The benchmarks.** The project measures its kernels and whole training steps, CPU against GPU,
# with `python -m benchmarks --quick` (add `--device cuda` on a machine with a GPU; without
# `--quick`, the full sizes). This lesson's demo times a few of the same things with your own
# stopwatch.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import backend, nn, optim
from minigan.gan.models import ConvDiscriminator, ConvGenerator
from _checks import Mismatch, called, call, expect, expect_close, expect_equal, rng
from _course import Lesson

lesson = Lesson('20_gpu', 'To the GPU')


def devices_to_check():
    """'cpu', and 'cuda' too when CuPy sees a GPU: the checks run device code on both."""
    return ['cpu', 'cuda'] if mg.cuda.is_available() else ['cpu']


def on_cuda(fn, *args, **kwargs):
    """Run fn on device 'cuda'; a host/device mix becomes a Mismatch that says so."""
    try:
        return fn(*args, **kwargs)
    except (TypeError, ValueError, RuntimeError) as error:
        raise Mismatch(f"on device 'cuda' it raised {type(error).__name__}: {error}\n"
                       "device code must keep every array on its input's device: xp = backend.xp_of(a), "
                       "device=... when creating tensors") from None


# %% [markdown]
# ## Exercise 1 · a device-generic kernel
#
# A conditional GAN (lesson 12) joins a one-hot label to the noise. Write the kernel on raw
# arrays: the labels arrive on some device, and the result must be created on the same one
# (`xp.zeros`, `xp.arange`, with `xp = backend.xp_of(labels)`), in float32 like the noise it
# joins.

# %%
@lesson.exercise(hint="xp = backend.xp_of(labels); out = xp.zeros((len(labels), num_classes), dtype=xp.float32); "
                      "out[xp.arange(len(labels)), labels] = 1; no np.* anywhere: np.zeros would be a host "
                      "array.")
def one_hot_kernel(labels, num_classes):
    """(N, num_classes) float32 array on labels' device, row i all 0 but a 1 at column labels[i].

    labels: an int array (N,) (NumPy on the host, or CuPy on a GPU).
    """
    raise NotImplementedError("lesson 20, exercise one_hot_kernel: replace this line with your answer")


@one_hot_kernel.check
def check_one_hot_kernel(one_hot_kernel):
    labels = rng().integers(0, 10, 7)
    got = call(one_hot_kernel, labels, 10)
    expect_close(got, np.eye(10)[labels], source="rows of the identity matrix, np.eye(10)[labels]")
    expect_equal(str(got.dtype), 'float32', what="the dtype")
    if 'cuda' in devices_to_check():
        called("one_hot_kernel(labels on device 'cuda', 10)")
        got = on_cuda(one_hot_kernel, backend.to_device(labels, 'cuda'), 10)
        expect_equal(backend.device_of(got), 'cuda', what="the device of the result",
                     source="the labels' device: create it with xp, not np")
        expect_close(backend.to_numpy(got), np.eye(10)[labels], what="the result on 'cuda'",
                     source="the same rows as on the CPU")


# %% [markdown]
# ## Exercise 2 · a backward that runs anywhere
#
# Below, `Softplus` is an op in the engine's own style (lesson 1's micro-engine, grown up): a
# `forward` on raw arrays, written with `xp`, and a `backward` in Tensor ops. softplus(x) =
# log(1 + eˣ) has the derivative σ(x). Write the backward: given the input Tensor x and the
# gradient of the loss with respect to the output, return the gradient with respect to x. Built
# from Tensor ops, it runs on every device, and it can itself be differentiated (second order).

# %%
@lesson.exercise(hint="The chain rule: grad_output * mg.sigmoid(x). Stay in Tensor ops (no .numpy(), no "
                      "np.*): then it runs on the GPU and has a second derivative.")
def softplus_backward(x, grad_output):
    """dL/dx = dL/dy · σ(x) for y = softplus(x). x, grad_output: Tensors of one shape and device."""
    raise NotImplementedError("lesson 20, exercise softplus_backward: replace this line with your answer")


class Softplus(mg.Function):
    def forward(self, a):
        xp = backend.xp_of(a)
        return xp.logaddexp(xp.zeros((), dtype=a.dtype), a)   # log(e⁰ + eᵃ), never overflows

    def backward(self, grad_output):
        (x,) = self.inputs
        return softplus_backward(x, grad_output)


def softplus(x):
    return Softplus()(x)


def softplus_with(backward):
    """The Softplus op with ``backward`` as its backward (the answer a check is given)."""
    class Checked(Softplus):
        def backward(self, grad_output):
            return backward(self.inputs[0], grad_output)
    return lambda x: Checked()(x)


@softplus_backward.check
def check_softplus_backward(softplus_backward):
    softplus = softplus_with(softplus_backward)
    x = mg.tensor(rng().standard_normal((3, 4)) * 3, dtype=mg.float64, requires_grad=True)
    called("gradcheck of Softplus (your backward) at x: Tensor (3, 4) float64")
    mg.gradcheck(softplus, (x,))
    called("gradgradcheck of Softplus (your backward differentiated once more)")
    mg.gradgradcheck(softplus, (x,))
    (expected,) = mg.grad([softplus(x).sum()], [x])
    if 'cuda' in devices_to_check():
        called("softplus(x).sum().backward() with x on device 'cuda'")
        x_cuda = x.detach().to('cuda').requires_grad_()
        (got,) = on_cuda(mg.grad, [softplus(x_cuda).sum()], [x_cuda])
        expect_equal(str(got.device), 'cuda', what="the device of the gradient")
        expect_close(got.cpu(), expected, what="the gradient on 'cuda'", source="the gradient on the CPU")


# %% [markdown]
# ## Exercise 3 · a training step that follows its model
#
# One generator step of a GAN, on whatever device the models are: draw the noise *there*
# (`device=`), compute the non-saturating loss `mg.losses.bce_generator_loss(D(G(z)))`, zero the
# gradients, backward, step, and return the loss as a Python float (`.item()`, one small copy to
# the host).

# %%
@lesson.exercise(hint="device = next(G.parameters()).device; z = mg.randn(batch_size, latent_dim, device=device); "
                      "then the usual zero_grad, backward, step; return loss.item().")
def generator_step(G, D, optimizer, batch_size, latent_dim):
    """One step of ``optimizer`` (over G's parameters) on −E[log D(G(z))], z ~ N(0, I) drawn on
    G's device. Returns the loss, a float."""
    raise NotImplementedError("lesson 20, exercise generator_step: replace this line with your answer")


def tiny_gan():
    G, D = nn.Linear(3, 2), nn.Linear(2, 1)
    r = rng()
    with mg.no_grad():
        for p in list(G.parameters()) + list(D.parameters()):
            p.copy_(mg.tensor(r.standard_normal(p.shape), dtype=p.dtype))
    return G, D


def reference_steps(steps=2):
    """What two steps do on the CPU, gradient descent by hand: (losses, G's weight afterwards)."""
    G, D = tiny_gan()
    mg.manual_seed(7)
    losses = []
    for _ in range(steps):
        loss = mg.losses.bce_generator_loss(D(G(mg.randn(5, 3))))
        grads = mg.grad([loss], list(G.parameters()))
        with mg.no_grad():
            for p, g in zip(G.parameters(), grads):
                p.sub_(0.1 * g)
        losses.append(loss.item())
    return losses, G.weight.detach().numpy()


@generator_step.check
def check_generator_step(generator_step):
    losses, weight = reference_steps()
    for device in devices_to_check():
        G, D = tiny_gan()
        G, D = G.to(device), D.to(device)
        optimizer = optim.SGD(G.parameters(), lr=0.1)
        mg.manual_seed(7)                 # the host generator: the same noise on both devices
        got = []
        for _ in range(2):
            called(f"generator_step(G, D, SGD(lr=0.1), 5, 3) with the models on '{device}'")
            got.append(on_cuda(generator_step, G, D, optimizer, 5, 3) if device == 'cuda' else
                       generator_step(G, D, optimizer, 5, 3))
        expect(all(isinstance(v, float) for v in got),
               f"generator_step returned {[type(v).__name__ for v in got]}: return loss.item(), a float")
        expect_close(np.array(got), np.array(losses), what=f"the losses of two steps on '{device}'",
                     source="the same two steps written out on the CPU")
        expect_close(G.weight.detach().cpu(), weight, what=f"G's weight after two steps on '{device}'",
                     source="the same two steps written out on the CPU")


# %% [markdown]
# ## Exercise 4 · what a copy costs
#
# Model one host-to-device copy as a fixed latency plus the bytes over the bandwidth. The bytes
# of an array: the number of elements times the size of one (`np.dtype(dtype).itemsize`: 4 for
# float32, 8 for float64, 1 for uint8).

# %%
@lesson.exercise(hint="np.prod(shape) * np.dtype(dtype).itemsize bytes per copy; each copy costs "
                      "latency + bytes / bandwidth, and `copies` copies cost that many times as much.")
def copy_seconds(shape, dtype, copies=1, bandwidth=12e9, latency=10e-6):
    """The seconds to copy ``copies`` arrays of ``shape`` and ``dtype`` to the device, each
    costing latency + bytes / bandwidth (bandwidth in bytes per second). A float."""
    raise NotImplementedError("lesson 20, exercise copy_seconds: replace this line with your answer")


@copy_seconds.check
def check_copy_seconds(copy_seconds):
    # a batch of 64 digits in float32: 64·784 numbers of 4 bytes = 200,704 bytes
    expect_close(call(copy_seconds, (64, 1, 28, 28), np.float32), 10e-6 + 200_704 / 12e9,
                 source="10 µs + 200,704 bytes / 12 GB/s")
    expect_close(call(copy_seconds, (64, 1, 28, 28), np.float64, copies=3, bandwidth=24e9, latency=5e-6),
                 3 * (5e-6 + 401_408 / 24e9), source="3 × (5 µs + 401,408 bytes / 24 GB/s)")
    # an epoch of the digits, batch by batch, against the whole set at once
    expect_close(call(copy_seconds, (64, 1, 28, 28), np.uint8, copies=70), 70 * (10e-6 + 50_176 / 12e9),
                 source="70 × (10 µs + 50,176 bytes / 12 GB/s)")
    expect_close(call(copy_seconds, (4500, 1, 28, 28), np.float32), 10e-6 + 14_112_000 / 12e9,
                 source="10 µs + 14,112,000 bytes / 12 GB/s")


# %% [markdown]
# ## Exercise 5 · timing a kernel properly
#
# `fn()` launches some work and may return before it is done; `synchronize()` waits until the
# device has finished everything queued; `clock()` reads the time in seconds. Run `warmup`
# untimed calls, then wait for them to finish; then, `repeats` times: read the clock, call fn,
# synchronize, read the clock. Return the list of the `repeats` durations.
#
# The check runs your function against a simulated GPU whose clock is simulated too: its calls
# return at once, each queues 5 ms of work, and the first call also compiles for 300 ms. (So the
# check is exact and instant, whatever the machine's load.)

# %%
@lesson.exercise(hint="for _ in range(warmup): fn(); then synchronize() once. Each timed call: start = "
                      "clock(); fn(); synchronize(); times.append(clock() - start). Without the wait you "
                      "time the launch; without the warm-up the first call's compilation.")
def time_kernel(fn, synchronize, warmup=3, repeats=10, clock=time.perf_counter):
    """[seconds of each of ``repeats`` calls of fn], after ``warmup`` untimed calls, each timed
    call measured from a clock read before it to one after ``synchronize()``."""
    raise NotImplementedError("lesson 20, exercise time_kernel: replace this line with your answer")


class SimulatedGPU:
    """Calls that return at once and queue work; a clock that the work moves on when waited for."""
    LAUNCH, WORK, COMPILE = 1e-5, 5e-3, 0.3

    def __init__(self):
        self.now, self.queued, self.calls = 0.0, 0.0, 0

    def clock(self):
        return self.now

    def kernel(self):
        self.calls += 1
        self.now += self.LAUNCH
        self.queued += self.WORK + (self.COMPILE if self.calls == 1 else 0.0)

    def synchronize(self):
        self.now += self.queued
        self.queued = 0.0


@time_kernel.check
def check_time_kernel(time_kernel):
    for warmup, repeats in ((3, 10), (1, 4)):
        gpu = SimulatedGPU()
        got = call(time_kernel, gpu.kernel, gpu.synchronize, warmup=warmup, repeats=repeats, clock=gpu.clock)
        expect_equal(len(got), repeats, what="the number of timings")
        expect_equal(gpu.calls, warmup + repeats, what="the number of calls of fn",
                     source=f"{warmup} warm-up + {repeats} timed")
        expect_close(np.array(got, dtype=np.float64), np.full(repeats, SimulatedGPU.LAUNCH + SimulatedGPU.WORK),
                     atol=1e-9, what="the timings (s)",
                     source="launch + work: 5.01 ms each, no compilation, no leftover queue")


# %% [markdown]
# ## The demo: the same code on every device
#
# It says whether this machine has a GPU. Then it times, with your `time_kernel`, a few kernels
# on every device there is -- a 512×512 matrix product, a DCGAN discriminator convolution forward
# and backward, and a whole DCGAN training step (both networks, batch 64) -- and, on a GPU, the
# host-to-device copy of a batch, which it sets against your `copy_seconds` model. Without a GPU
# it times the CPU alone and says so. The last picture uses your cost model: an epoch of the
# digits copied batch by batch against the whole set copied once. About ten seconds.
#
# For the whole picture run the project's benchmarks: `python -m benchmarks --quick` on any
# machine, `python -m benchmarks --quick --device cuda` on one with a GPU.

# %%
def dcgan_step(device, batch=64, width=32):
    """A closure running one full DCGAN training step (D, then G) on ``device``."""
    G = ConvGenerator(latent_dim=64, width=width).to(device)
    D = ConvDiscriminator(width=width).to(device)
    opt_g, opt_d = optim.Adam(G.parameters(), 2e-4, (0.5, 0.999)), optim.Adam(D.parameters(), 2e-4, (0.5, 0.999))
    real = mg.randn(batch, 1, 28, 28, device=device).clamp(-1, 1)

    def step():
        fake = G(mg.randn(batch, 64, device=device))
        loss_d = mg.losses.bce_discriminator_loss(D(real), D(fake.detach()))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = mg.losses.bce_generator_loss(D(fake))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step


def kernels(device):
    """{name: closure} of the kernels timed on ``device``."""
    n, batch = lesson.size(512, quick=32), lesson.size(64, quick=4)
    a, b = mg.randn(n, n, device=device), mg.randn(n, n, device=device)
    x = mg.randn(batch, 32, 14, 14, device=device, requires_grad=True)
    w = mg.randn(64, 32, 4, 4, device=device, requires_grad=True)
    found = {f'matmul {n}×{n}': lambda: a @ b,
             f'conv2d 32→64, 14×14, batch {batch}, fwd+bwd':
                 lambda: F.conv2d(x, w, stride=2, padding=1).sum().backward(),
             f'DCGAN step, batch {batch}': dcgan_step(device, batch, width=lesson.size(32, quick=8))}
    if device == 'cuda':
        host = np.random.default_rng(0).standard_normal((64, 1, 28, 28)).astype(np.float32)
        found['copy a batch to the GPU'] = lambda: mg.tensor(host, device='cuda')
    return found


def why_no_gpu():
    try:
        mg.zeros(1, device='cuda')
    except Exception as error:   # DeviceError: CuPy missing, or no device
        return str(error)
    return None


@lesson.demo
def demo():
    mg.manual_seed(0)
    reason = why_no_gpu()
    devices = ['cpu'] if reason else ['cpu', 'cuda']
    print(f"  GPU: {'none -- ' + reason if reason else 'yes, CuPy sees one'}")
    repeats = lesson.size(10, quick=2)
    times = {}
    for device in devices:
        for name, fn in kernels(device).items():
            seconds = time_kernel(fn, mg.cuda.synchronize, warmup=lesson.size(3, quick=1), repeats=repeats)
            times[name, device] = float(np.median(seconds))
            print(f"  {name:40s} on {device:4s}: {1e3 * times[name, device]:8.2f} ms (median of {repeats})")
    if reason:
        print("  no GPU here: the device half of exercises 1 to 3 was not checked, and only the CPU was "
              "timed; on a machine with a GPU run this lesson again, and the benchmarks with "
              "`python -m benchmarks --quick --device cuda`")
    else:
        model = copy_seconds((64, 1, 28, 28), 'float32')
        print(f"  copy model for that batch: {1e6 * model:.0f} µs at 12 GB/s + 10 µs; measured "
              f"{1e6 * times['copy a batch to the GPU', 'cuda']:.0f} µs")
        print("  the project's benchmarks, CPU against this GPU: `python -m benchmarks --quick --device cuda`")

    names = list(dict.fromkeys(name for name, _ in times))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.2), layout='constrained')
    for i, device in enumerate(devices):
        values = [1e3 * times.get((name, device), np.nan) for name in names]
        left.barh(np.arange(len(names)) + 0.4 * i, values, height=0.4, label=device)
    left.set_yticks(np.arange(len(names)) + 0.2 * (len(devices) - 1), names)
    left.set(xscale='log', xlabel='median milliseconds per call',
             title='timed with your time_kernel' + ('' if len(devices) > 1 else ' (no GPU here: CPU only)'))
    left.legend()
    batch_sizes = np.array([1, 4, 16, 64, 256, 1024, 4500])
    for dtype, style in (('float32', '-'), ('float64', '--')):
        per_batch = [copy_seconds((int(b), 1, 28, 28), dtype, copies=int(np.ceil(4500 / b))) for b in batch_sizes]
        right.loglog(batch_sizes, 1e3 * np.array(per_batch), 'o' + style, label=f'batch by batch, {dtype}')
        right.axhline(1e3 * copy_seconds((4500, 1, 28, 28), dtype), color='0.5', linestyle=style,
                      label=f'the whole set once, {dtype}')
    right.set(xlabel='batch size', ylabel='milliseconds per epoch',
              title='copying the 4,500 digits to the GPU (your model: 12 GB/s, 10 µs a copy)')
    right.legend(fontsize=8)
    lesson.save(fig, 'devices.png')


# %%
if __name__ == '__main__':
    lesson.main()
