"""InfoGAN's whole training step against its PyTorch twin (benchmarks/recipes.py), step after step.

Who learns from the information term L_I decides whether the categorical code comes to mean the
digit, and the first losses alone do not show it: L_I's gradient reaches the second step's
losses only through the parameters the first step moved. So both sides take several steps from
the same weights, noise and codes, and every parameter -- G's, D's trunk and heads, Q's head --
must end where PyTorch's does, with Q learning with G (the default) or with D (the paper's code),
with and without batch norm on D's fully connected layer.
"""
import numpy as np
import pytest

torch = pytest.importorskip('torch')

from benchmarks.recipes import build_infogan  # noqa: E402

STEPS = 4
# float32 on both sides; after 4 Adam steps sums taken in another order differ by ~1e-6 relative,
# while a parameter left out of (or added to) an optimizer is off by Adam's whole step, ~lr = 1e-3.
RTOL, ATOL = 1e-4, 2e-5


@pytest.mark.parametrize('q_with, d_hidden_batch_norm', [('G', True), ('D', False)])
def test_the_infogan_step_moves_every_part_as_pytorch_does(q_with, d_hidden_batch_norm):
    built = build_infogan('cpu', quick=True, q_with=q_with, d_hidden_batch_norm=d_hidden_batch_norm)
    (mine, nets), (theirs, twin) = built['minigan'], built['torch']
    for step in range(STEPS):
        np.testing.assert_allclose(mine(), theirs(), rtol=RTOL, atol=ATOL, err_msg=f"losses, step {step}")
    twin_state = {f'{name}.{key}': value.detach().numpy() for name, net in zip('GD', twin[:2])
                  for key, value in net.state_dict().items()}
    mine_state = {f'{name}.{key}': value.numpy() for name, net in nets.items()
                  for key, value in net.state_dict().items()}
    assert mine_state.keys() == twin_state.keys()
    for key, value in mine_state.items():
        np.testing.assert_allclose(value, twin_state[key], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{key} after {STEPS} steps (Q with {q_with})")
