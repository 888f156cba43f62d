"""Finished pieces for lesson 12's demo: a few labelled digits and a small classifier trained on them.

Lesson 12 asks whether digits drawn by a conditional GAN help a classifier that has only 100
labels. Its exercises are the GAN's side; what the classifier needs is here, ready made, so that
the lesson reads as the experiment:

    labelled_subset(per_class)      the first ``per_class`` training digits of each class
    batches(*tensors, batch_size)   an endless stream of random batches
    train_classifier(labelled, ...) a small convnet trained on them, optionally shifted or joined
                                    by extra (generated) labelled digits
    compare_classifiers(...)        that convnet trained on each variant and tested on held-out digits
    accuracy(logits, labels)        the share of rows whose largest logit is the label
    accuracy_bars(ax, ...)          the accuracies as a bar chart
"""
import numpy as np

import minigan as mg
import minigan.functional as F
from minigan import nn, optim
from minigan.data import digits
from minigan.gan.classifier import random_shift

N_CLASSES = 10


def labelled_subset(per_class):
    """(images (10·per_class, 1, 28, 28), labels): the first ``per_class`` training digits of each
    class (the data is stored class by class, so "first" is not a choice of easy ones)."""
    x, y = digits('train').tensors
    keep = np.concatenate([np.flatnonzero(y.numpy() == k)[:per_class] for k in range(N_CLASSES)])
    return x[mg.tensor(keep)], y[mg.tensor(keep)]


def batches(*tensors, batch_size):
    """An endless stream of random batches of rows of ``tensors`` (drawn with minigan's generator,
    so ``mg.manual_seed`` fixes them)."""
    n = tensors[0].shape[0]
    while True:
        index = mg.randint(0, n, (batch_size,))
        yield tuple(t[index] for t in tensors)


def small_classifier():
    """Two 3×3 convolutions with max pooling, dropout and a linear layer: (N, 1, 28, 28) -> (N, 10)."""
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 7 * 7, N_CLASSES))


def train_classifier(labelled, steps, extra=None, shift=False, batch_size=32, seed=1):
    """The small convnet, trained with Adam on batches of the labelled digits (shifted by up to 2
    pixels when ``shift``), each joined by an equal batch of ``extra`` (images, labels) if given.
    Every variant starts from the same weights (``seed``). Returns the net in eval mode."""
    mg.manual_seed(seed)
    net = small_classifier()
    opt = optim.Adam(net.parameters(), lr=1e-3)
    few = batches(*labelled, batch_size=batch_size)
    more = batches(*extra, batch_size=batch_size) if extra is not None else None
    for _ in range(steps):
        x, y = next(few)
        if shift:
            x = random_shift(x)
        if more is not None:
            x_more, y_more = next(more)
            x, y = mg.cat([x, x_more]), mg.cat([y, y_more])
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net.eval()


def compare_classifiers(labelled, variants, steps, test):
    """Train the small convnet once per variant, (name, train_classifier options), each from the
    same start and for ``steps`` steps, and test it on ``test`` (images, labels). Prints and
    returns the accuracies, in the variants' order."""
    results = []
    for name, options in variants:
        net = train_classifier(labelled, steps, **options)
        with mg.no_grad():
            results.append(accuracy(net(test[0]), test[1]))
        print(f"  classifier on {name}: {results[-1]:.1%} of the {len(test[1])} held-out digits")
    return results


def accuracy(logits, labels):
    """The share of rows of ``logits`` (N, K) whose argmax is ``labels`` (N,), as a float."""
    return float((logits.argmax(1) == labels).float().mean().item())


def accuracy_bars(ax, names, accuracies, title):
    """Horizontal bars of held-out accuracies (shares in [0, 1]), the first name on top, each bar
    labelled with its percentage."""
    values = 100 * np.asarray(accuracies)[::-1]
    colors = ['tab:blue', 'tab:orange', 'tab:green', 'tab:purple', 'tab:red'][:len(values)][::-1]
    ax.barh(list(names)[::-1], values, color=colors)
    for y, v in enumerate(values):
        ax.text(v + 0.5, y, f"{v:.1f}%", va='center')
    ax.set(xlim=(0, 105), xlabel='% of the 500 held-out digits read right', title=title)
