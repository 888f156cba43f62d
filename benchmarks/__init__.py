"""minigan's benchmarks: what this machine can do, and how far minigan is from it and from PyTorch.

    python -m benchmarks                   # every device present: ceilings, kernels, whole steps
    python -m benchmarks --device cpu      # minigan on NumPy against PyTorch CPU
    python -m benchmarks --only steps      # the whole training steps alone
    python -m benchmarks --quick           # tiny sizes, a few repeats: a smoke run of seconds

One run, per device: first the machine's ceilings (machine.py: float32 GEMM GFLOP/s at 2048³,
memory copy GB/s, thread counts, versions, load), then the kernels of the GANs (kernels.py:
conv2d, conv_transpose2d, batch_norm, instance_norm, leaky_relu, matmul at DCGAN and CycleGAN
sizes, forward and forward+backward), then whole training steps (steps.py: DCGAN, WGAN-GP
critic, InfoGAN, CycleGAN). Every contender present runs in the same process (sides.py): minigan
on the device, PyTorch on the same device when installed, interleaved (timing.py). The results
are a table (report.py), JSON in benchmarks/results/<device>.json and a bar chart of the ratios
to PyTorch beside it (chart.py).

The package is not part of minigan: it may import torch (and numpy, to time the raw BLAS);
minigan itself never does.
"""
