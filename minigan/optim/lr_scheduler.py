"""Learning-rate schedules, as torch.optim.lr_scheduler: call ``scheduler.step()`` once per epoch,
after the optimizer's steps.

    LambdaLR        lr = base_lr · lr_lambda(epoch)
    StepLR          lr = base_lr · gamma^(epoch // step_size)
    LinearDecayLR   CycleGAN's schedule: base_lr for the first n_epochs, then linear decay

Like torch's, a scheduler sets each group's 'initial_lr' and applies the epoch-0 lr as soon as
it is created; ``last_epoch`` counts the step() calls.
"""
from ..checks import count, describe, number
from ..errors import ArgumentError, ArgumentTypeError, StateDictError
from .optimizer import Optimizer


class LRScheduler:
    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise ArgumentTypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault('initial_lr', group['lr'])
            elif 'initial_lr' not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer")
        self.base_lrs = [group['initial_lr'] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def get_lr(self):
        raise NotImplementedError

    def step(self):
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group['lr'] = lr
        self._last_lr = [group['lr'] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        """Plain values only (not the optimizer, not the lambdas, which are code)."""
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'lr_lambdas')}

    def load_state_dict(self, state_dict):
        unknown = set(state_dict) - set(self.state_dict())
        if unknown:
            raise StateDictError(f"{type(self).__name__}.load_state_dict: unexpected keys {sorted(unknown)}")
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """lr = base_lr · lr_lambda(epoch); one lambda, or one per parameter group."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ArgumentError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise ArgumentTypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {describe(fn)}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for base, fn in zip(self.base_lrs, self.lr_lambdas)]


class StepLR(LRScheduler):
    """Multiply the lr by gamma every step_size epochs (applied to the current lr, as torch does)."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        count('StepLR', 'step_size', step_size, minimum=1)
        number('StepLR', 'gamma', gamma, low=0.0)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lrs = [group['lr'] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]


class LinearDecay:
    """CycleGAN's lr factor (its ``lambda_rule``): 1 for the first n_epochs epochs, then falling
    linearly by 1/(n_epochs_decay + 1) per epoch, to 1/(n_epochs_decay + 1) at the last of the
    n_epochs + n_epochs_decay epochs (the next one would be 0):

        factor(epoch) = 1 − max(0, epoch + epoch_count − n_epochs) / (n_epochs_decay + 1)

    epoch_count is the epoch numbering's start (1 in CycleGAN; more when resuming).
    """

    def __init__(self, n_epochs, n_epochs_decay, epoch_count=1):
        if n_epochs < 0 or n_epochs_decay < 0:
            raise ArgumentError(f"LinearDecay: n_epochs ({n_epochs}) and n_epochs_decay ({n_epochs_decay}) "
                                "must be >= 0")
        self.n_epochs, self.n_epochs_decay, self.epoch_count = n_epochs, n_epochs_decay, epoch_count

    def __call__(self, epoch):
        return 1.0 - max(0, epoch + self.epoch_count - self.n_epochs) / float(self.n_epochs_decay + 1)


class LinearDecayLR(LambdaLR):
    """LambdaLR with CycleGAN's LinearDecay (100 + 100 epochs in the paper)."""

    def __init__(self, optimizer, n_epochs, n_epochs_decay, epoch_count=1, last_epoch=-1):
        super().__init__(optimizer, LinearDecay(n_epochs, n_epochs_decay, epoch_count), last_epoch)
