"""An exponential moving average of a model's weights (BigGAN's G_ema; Karras et al.'s too).

Samples from the averaged generator are usually better than from the last iterate, whose
weights oscillate with the adversarial game. After every training step:

    shadow ← decay · shadow + (1 − decay) · current        for each floating entry of state_dict()

Integer entries (BatchNorm's num_batches_tracked) are copied. Before ``start_itr`` (given to
update) the average just follows the weights (decay 0), as BigGAN does during warm-up.
"""
from .. import backend
from ..checks import describe, number
from ..errors import ArgumentError, StateDictError
from ..tensor import Tensor


class ExponentialMovingAverage:
    def __init__(self, module, decay=0.9999, start_itr=0):
        number('ExponentialMovingAverage', 'decay', decay, low=0.0, high=1.0)
        self.module, self.decay, self.start_itr = module, decay, start_itr
        self.num_updates = 0
        self.shadow = {k: Tensor(v.array.copy()) for k, v in module.state_dict().items()}

    def update(self, itr=None):
        """Fold the module's current weights into the average."""
        decay = 0.0 if itr is not None and itr < self.start_itr else self.decay
        current = self.module.state_dict()
        if set(current) != set(self.shadow):
            raise ArgumentError("ExponentialMovingAverage.update: the module's state_dict keys changed "
                                f"(now {sorted(set(current) ^ set(self.shadow))} differ)")
        for key, avg in self.shadow.items():
            value = current[key].array
            avg.array = backend.to_device(avg.array, backend.device_of(value))  # follows module.to()
            if backend.is_floating(avg.dtype):
                avg.array *= decay
                avg.array += (1 - decay) * value
            else:
                avg.array[...] = value
        self.num_updates += 1

    def copy_to(self, module=None):
        """Load the averaged weights into ``module`` (default: the tracked module itself)."""
        (self.module if module is None else module).load_state_dict(self.shadow)

    def state_dict(self):
        return {'decay': self.decay, 'start_itr': self.start_itr, 'num_updates': self.num_updates,
                'shadow': dict(self.shadow)}

    def load_state_dict(self, state_dict):
        where = "ExponentialMovingAverage.load_state_dict"
        expected = {'decay', 'start_itr', 'num_updates', 'shadow'}
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            got = sorted(state_dict) if isinstance(state_dict, dict) else describe(state_dict)
            raise StateDictError(f"{where}: expected a dict with keys {sorted(expected)}, got {got}")
        shadow = state_dict['shadow']
        if not isinstance(shadow, dict) or not all(isinstance(v, Tensor) or backend.is_array(v) for v in shadow.values()):
            raise StateDictError(f"{where}: 'shadow' must be a dict of tensors, got {describe(shadow)}")
        if set(shadow) != set(self.shadow):
            raise StateDictError("ExponentialMovingAverage.load_state_dict: keys differ: "
                                 f"{sorted(set(shadow) ^ set(self.shadow))}")
        for key, value in shadow.items():
            if tuple(value.shape) != tuple(self.shadow[key].shape):
                raise StateDictError(f"ExponentialMovingAverage.load_state_dict: {key!r} has shape "
                                     f"{tuple(value.shape)}, expected {tuple(self.shadow[key].shape)}")
        self.decay, self.start_itr = state_dict['decay'], state_dict['start_itr']
        self.num_updates = state_dict['num_updates']
        for key, value in shadow.items():
            array = value.array if isinstance(value, Tensor) else value
            mine = self.shadow[key]
            self.shadow[key] = Tensor(backend.to_device(array, mine.device).astype(mine.dtype))


EMA = ExponentialMovingAverage
