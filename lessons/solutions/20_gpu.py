"""Worked answers to lesson 20, and the plausible wrong answers each check must reject."""
import time

import numpy as np

import minigan as mg
from minigan import backend
from _course import WrongAnswers

wrong = WrongAnswers()


def one_hot_kernel(labels, num_classes):
    xp = backend.xp_of(labels)
    out = xp.zeros((len(labels), num_classes), dtype=xp.float32)
    out[xp.arange(len(labels)), labels] = 1
    return out


@wrong('one_hot_kernel', "builds the result with np.zeros: a host array, whatever the labels' device")
def _(labels, num_classes):
    out = np.zeros((len(labels), num_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


@wrong('one_hot_kernel', "indexes NumPy's identity matrix with the labels")
def _(labels, num_classes):
    return np.eye(num_classes, dtype=np.float32)[labels]


@wrong('one_hot_kernel', "xp.zeros without a dtype: float64, not the noise's float32")
def _(labels, num_classes):
    xp = backend.xp_of(labels)
    out = xp.zeros((len(labels), num_classes))
    out[xp.arange(len(labels)), labels] = 1
    return out


def softplus_backward(x, grad_output):
    return grad_output * mg.sigmoid(x)


@wrong('softplus_backward', "forgets the incoming gradient: returns σ(x) alone")
def _(x, grad_output):
    return mg.sigmoid(x)


@wrong('softplus_backward', "computes σ(x) in NumPy: a constant to the second derivative, and a host array")
def _(x, grad_output):
    sigma = 1 / (1 + np.exp(-x.detach().numpy()))
    return grad_output * mg.tensor(sigma, dtype=x.dtype)


def generator_step(G, D, optimizer, batch_size, latent_dim):
    device = next(G.parameters()).device
    z = mg.randn(batch_size, latent_dim, device=device)
    loss = mg.losses.bce_generator_loss(D(G(z)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


@wrong('generator_step', "draws the noise on the CPU whatever the model's device")
def _(G, D, optimizer, batch_size, latent_dim):
    loss = mg.losses.bce_generator_loss(D(G(mg.randn(batch_size, latent_dim))))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


@wrong('generator_step', "never zeroes the gradients: each step adds the last one's")
def _(G, D, optimizer, batch_size, latent_dim):
    z = mg.randn(batch_size, latent_dim, device=next(G.parameters()).device)
    loss = mg.losses.bce_generator_loss(D(G(z)))
    loss.backward()
    optimizer.step()
    return loss.item()


@wrong('generator_step', "returns the loss Tensor, still on the device, instead of a float")
def _(G, D, optimizer, batch_size, latent_dim):
    z = mg.randn(batch_size, latent_dim, device=next(G.parameters()).device)
    loss = mg.losses.bce_generator_loss(D(G(z)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def copy_seconds(shape, dtype, copies=1, bandwidth=12e9, latency=10e-6):
    n_bytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return copies * (latency + n_bytes / bandwidth)


@wrong('copy_seconds', "counts elements, not bytes")
def _(shape, dtype, copies=1, bandwidth=12e9, latency=10e-6):
    return copies * (latency + int(np.prod(shape)) / bandwidth)


@wrong('copy_seconds', "pays the latency once for all the copies")
def _(shape, dtype, copies=1, bandwidth=12e9, latency=10e-6):
    return latency + copies * int(np.prod(shape)) * np.dtype(dtype).itemsize / bandwidth


def time_kernel(fn, synchronize, warmup=3, repeats=10, clock=time.perf_counter):
    for _ in range(warmup):
        fn()
    synchronize()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        synchronize()
        times.append(clock() - start)
    return times


@wrong('time_kernel', "never waits for the device: times the launch, not the work")
def _(fn, synchronize, warmup=3, repeats=10, clock=time.perf_counter):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return times


@wrong('time_kernel', "no warm-up: the first timing includes the compilation")
def _(fn, synchronize, warmup=3, repeats=10, clock=time.perf_counter):
    return time_kernel(fn, synchronize, 0, repeats, clock)


@wrong('time_kernel', "does not wait after the warm-up: its queued work lands in the first timing")
def _(fn, synchronize, warmup=3, repeats=10, clock=time.perf_counter):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        synchronize()
        times.append(clock() - start)
    return times
