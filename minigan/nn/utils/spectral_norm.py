"""Spectral normalization (Miyato et al. 2018, SN-GAN): use W / σ(W) instead of W, where σ(W) is
W's largest singular value, so the layer is 1-Lipschitz -- a cheap way to keep a discriminator
smooth.

σ is estimated by power iteration on the weight reshaped to a matrix W (rows = output dim):

    v ← Wᵀu / ‖Wᵀu‖,   u ← Wv / ‖Wv‖        (n_power_iterations times, no gradient)
    σ = uᵀ W v                               (differentiated with respect to W)

The vectors u and v persist between calls as buffers ``weight_u`` / ``weight_v``, so one
iteration per training step is enough: W changes little per step and u keeps converging. They
are updated only in training mode; eval uses them as they are. The learnable parameter becomes
``weight_orig``; ``weight`` is recomputed before every forward. The keys are torch's, so a
spectrally normalized model's state_dict loads into torch's ``spectral_norm`` and back.
"""
from ... import backend
from ...errors import ArgumentError, UsageError
from ...tensor import Tensor, no_grad
from ..layers.conv import ConvTranspose2d
from ..parameter import Parameter


def _normalize(vector, eps):
    """vector / max(‖vector‖, eps) on a raw array."""
    xp = backend.xp_of(vector)
    return vector / xp.maximum(xp.sqrt((vector * vector).sum()), eps)


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name>`` = weight_orig / σ before each call."""

    def __init__(self, name='weight', n_power_iterations=1, dim=0, eps=1e-12):
        if n_power_iterations <= 0:
            raise ArgumentError(f"spectral_norm: expected n_power_iterations to be positive, got {n_power_iterations}")
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, dim, eps

    def reshape_weight_to_matrix(self, weight):
        """(out, in, kH, kW) -> (out, in·kH·kW); the normalized dim ``dim`` becomes the rows."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.ndim) if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + '_orig')
        u, v = getattr(module, self.name + '_u'), getattr(module, self.name + '_v')
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            raw = matrix.array
            for _ in range(self.n_power_iterations):
                v.array[...] = _normalize(raw.T @ u.array, self.eps)
                u.array[...] = _normalize(raw @ v.array, self.eps)
        # copies, not the buffers: the next call updates the buffers in place, and this graph's
        # backward must still see the u, v it was built with
        u_now, v_now = Tensor(u.array.copy()), Tensor(v.array.copy())
        sigma = (u_now * (matrix @ v_now)).sum()
        return weight / sigma

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Apply spectral normalization to ``module.<name>`` and return the module (as torch's)."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise UsageError(f"spectral_norm: cannot register two spectral_norm hooks on the same parameter {name!r}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ArgumentError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
    if dim is None:  # a transposed conv's weight is (in, out, k, k): its output dim is 1
        dim = 1 if isinstance(module, ConvTranspose2d) else 0
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    with no_grad():
        rows, cols = fn.reshape_weight_to_matrix(weight).shape
        u = _normalize(backend.random_normal((rows,), weight.dtype, weight.device), eps)
        v = _normalize(backend.random_normal((cols,), weight.dtype, weight.device), eps)
    delattr(module, name)
    module.register_parameter(name + '_orig', weight)
    setattr(module, name, Tensor(weight.array))  # a plain attribute now, recomputed every forward
    module.register_buffer(name + '_u', Tensor(u))
    module.register_buffer(name + '_v', Tensor(v))
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module, name='weight'):
    """Undo spectral_norm: ``name`` becomes a plain parameter holding the current W / σ."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            del module._forward_pre_hooks[key]
            break
    else:
        raise ArgumentError(f"remove_spectral_norm: spectral_norm of {name!r} not found in {module}")
    for suffix in ('', '_orig', '_u', '_v'):
        delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight.array))
    return module
