"""nn.parallel: torch's multi-GPU wrappers, for scripts that use them.

minigan drives one device, so there is nothing to split a batch across: ``DataParallel(model)``
runs the model as it is (keeping torch's ``module.`` prefix in state_dict keys, so checkpoints
move both ways), and ``data_parallel(module, input)`` is ``module(input)``.
"""
from .module import Module


class DataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*inputs, **(module_kwargs or {}))
