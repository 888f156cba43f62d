"""What a run measures after every epoch. Each recipe's ``evaluate(evaluation)`` says which of
these numbers apply to it; the loop writes them into metrics.jsonl and prints them.

    2-D points     modes, high_quality, reverse_kl       of 2,500 samples, PacGAN's protocol
                                                          (metrics.mixture_metrics)
    digits         fd         Fréchet distance between the digit scorer's features of 500 samples
                              and of 500 held-out digits (lower is better; its floor is not 0:
                              two halves of the real held-out digits are ~6.5 apart at 250 each)
                   classes    unconditional models: how many of the 10 digits make up at least
                              2% of the samples (a fifth of their fair share); class_counts: all
                   label_accuracy   cgan, acgan: share of samples read as the class asked for
                   code_accuracy    infogan: share read as its categorical code's digit, after
                                    the best one-to-one matching of code values to digits
    translation    l1         mean |G(a) − b| to the true bold target b of each held-out thin a
                   cycle_l1_a, cycle_l1_b   cyclegan: mean |F(G(a)) − a|, |G(F(b)) − b|

The digit scorer (classifier.DigitScorer, trained on the training digits, its weights shipped)
is loaded on first use. Samples are drawn in eval mode without a graph; the loop forks the random
generator around ``evaluate``, so measuring changes nothing of the run.
"""
from .. import backend
from ..tensor import Tensor
from .classifier import DigitScorer
from .metrics import frechet_distance

DIGIT_SAMPLES = 500     # the held-out digits number 500: the FD compares sets of equal size
POINT_SAMPLES = 2500    # PacGAN's evaluation size on the 2-D mixtures
CLASS_FLOOR = 0.02      # a class "is there" when it holds at least 2% of the samples


def spread(tensor, n):
    """n rows of ``tensor`` spread evenly over it (held-out sets are sorted by class)."""
    count = tensor.shape[0]
    index = backend.asarray([i * count // n for i in range(min(n, count))], dtype=backend.int64,
                            device=tensor.device)
    return Tensor(tensor.array[index])


class Evaluation:
    """The held-out data of a run and, loaded on first use, the digit scorer.

    ``digit_samples``, ``point_samples``, ``pair_samples``: how many samples a recipe draws, or
    held-out pairs it translates, to measure.
    """
    digit_samples = DIGIT_SAMPLES
    point_samples = POINT_SAMPLES
    pair_samples = DIGIT_SAMPLES  # every held-out pair of the stroke sets

    def __init__(self, held_out, info, device='cpu'):
        self.held_out, self.info, self.device = held_out, info, device
        self._scorer = self._real_features = None

    @property
    def on_digits(self):
        """True when the digit scorer can read the data: labelled 28×28 grey images."""
        return self.info.kind == 'labelled' and tuple(self.info.shape) == (1, 28, 28)

    @property
    def scorer(self):
        if self._scorer is None:
            self._scorer = DigitScorer.load(device=self.device)
        return self._scorer

    def digit_quality(self, images):
        """{'fd': ...}: the Fréchet distance of ``images`` to the held-out digits, whose features
        are computed once per run."""
        if self._real_features is None:
            self._real_features = self.scorer.features(spread(self.held_out.tensors[0], self.digit_samples))
        return {'fd': frechet_distance(self.scorer.features(images), self._real_features)}

    def class_coverage(self, images):
        """{'classes': digits with >= 2% of the samples, 'class_counts': [10 counts]}."""
        counts = self.scorer.class_counts(images)
        return {'classes': sum(c >= CLASS_FLOOR * len(images) for c in counts), 'class_counts': counts}

    def pairs(self):
        """Held-out (a, b) pairs of a translation task, spread over the set."""
        return tuple(spread(t, self.pair_samples) for t in self.held_out.tensors[:2])
