"""No graph outlives its step. Every op node made during a training run -- by the step, by the
pictures and metrics of an epoch's end, under --detect-anomaly and --profile -- must be gone
(without the garbage collector: graphs hold no reference cycles) by the end of the next step;
and the number of live tensors stays flat from epoch to epoch. Nothing that the loop keeps --
gradients, hooks, the loss history, the metrics, the profiler's and anomaly detector's records,
history pools, an EMA -- may hold on to a graph.

benchmarks/memory.py watches the resident memory of a 10,000-step run; this is its quick,
untimed version.
"""
import gc
import weakref

import pytest

from minigan.cli import main
from minigan.cli.run import Run
from minigan.gan.evaluation import Evaluation
from minigan.instrument import Instrument, install, remove
from minigan.tensor import Tensor

from .test_cli import TINY


class NodeRecorder(Instrument):
    """Keeps a weak reference to every op node made, and nothing stronger."""

    def __init__(self):
        self.nodes = []

    def call(self, fn, inputs):
        output = super().call(fn, inputs)
        self.nodes.append(weakref.ref(fn))
        return output

    def alive(self):
        alive = [type(node()).__name__ for node in self.nodes if node() is not None]
        self.nodes.clear()
        return alive


@pytest.fixture(autouse=True)
def small_evaluations(monkeypatch):
    """The metrics run on few samples here: what they keep alive is under test, not their values."""
    monkeypatch.setattr(Evaluation, 'digit_samples', 40)
    monkeypatch.setattr(Evaluation, 'pair_samples', 20)


def live_tensors():
    gc.collect()
    return sum(issubclass(type(obj), Tensor) for obj in gc.get_objects())  # type(): no lazy attribute lookups


@pytest.mark.parametrize('variant, steps, extra', [
    ('dcgan', 40, ['--detect-anomaly', '--profile', '10']),   # epochs of 5 steps
    ('hinge', 20, []),                                        # spectral norm, an EMA, two D steps a step
    ('cyclegan', 18, ['--batch-size', '1', '--limit', '3', '--width', '2']),  # history pools, schedules
])
def test_no_graph_survives_a_step_and_live_tensors_stay_flat(variant, steps, extra, tmp_path, monkeypatch):
    """Live tensors are counted at the ends of epochs 3 and 5, both after a metrics epoch (the
    first loads the digit scorer) and after the --profile window."""
    recorder, survivors, tensors = NodeRecorder(), [], {}
    original = Run.advance

    def advance(self):
        values, ended = original(self)
        survivors.extend(recorder.alive())  # every node made since the last step's end, the report's too
        if ended and self.epochs_done in (3, 5):
            tensors[self.epochs_done] = live_tensors()
        return values, ended
    monkeypatch.setattr(Run, 'advance', advance)
    install(recorder)
    try:
        status = main(['train', variant, '--steps', str(steps), '--out', str(tmp_path), '--batch-size', '4',
                       '--limit', '20', '--eval-every', '2', *TINY[variant], *extra])
    finally:
        remove(recorder)
    assert status == 0 and len(tensors) == 2
    assert not survivors, f"op nodes alive after the step that made them: {sorted(set(survivors))[:10]}"
    assert tensors[5] <= tensors[3], f"live tensors grew from {tensors[3]} (epoch 3) to {tensors[5]} (epoch 5)"


def test_the_checks_see_a_kept_graph_and_kept_tensors():
    """What the test above must catch: a log that keeps each step's loss and a metric as tensors
    instead of floats. backward() frees the loss's graph behind it, so the loss keeps only its own
    node; the metric, never backpropagated, keeps its whole graph."""
    import minigan as mg
    recorder, kept = NodeRecorder(), []
    install(recorder)
    try:
        x = mg.randn(4, 3, requires_grad=True)
        before = live_tensors()
        for _ in range(3):
            loss = (x * 2).tanh().sum()
            loss.backward()
            metric = (x * 3).sigmoid().mean()
            kept += [loss, metric]  # the mistake: tensors, not loss.item()
        alive = recorder.alive()
    finally:
        remove(recorder)
    # each metric's whole graph (its Sigmoid among it) and each loss's last node live on;
    # the losses' Tanh nodes were freed by backward
    assert alive.count('Sigmoid') == 3 and 'Tanh' not in alive and len(alive) > 6, alive
    assert live_tensors() >= before + 6
