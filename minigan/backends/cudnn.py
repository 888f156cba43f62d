"""torch.backends.cudnn's switches, so that ``cudnn.benchmark = True`` in a script runs.

minigan does not use cuDNN (its GPU convolutions are CuPy matrix products), so these settings
change nothing; ``is_available()`` says so.
"""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None
