"""Worked answers to lesson 12, and the plausible wrong answers each check must reject."""
import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def generator_input(z, labels, n_classes):
    return mg.cat([z, F.one_hot(labels, n_classes).to(z.dtype)], 1)


@wrong('generator_input', "calls F.one_hot without n_classes: as wide as the largest label present + 1")
def _(z, labels, n_classes):
    return mg.cat([z, F.one_hot(labels).to(z.dtype)], 1)


@wrong('generator_input', "joins the label as one number instead of a one-hot vector")
def _(z, labels, n_classes):
    return mg.cat([z, labels.to(z.dtype).reshape(-1, 1)], 1)


def label_maps(images, labels, n_classes):
    n, _, h, w = images.shape
    maps = F.one_hot(labels, n_classes).to(images.dtype).reshape(n, n_classes, 1, 1)
    return mg.cat([images, maps.expand(n, n_classes, h, w)], 1)


@wrong('label_maps', "one map holding the label's value, instead of one map per class")
def _(images, labels, n_classes):
    n, _, h, w = images.shape
    return mg.cat([images, labels.to(images.dtype).reshape(n, 1, 1, 1).expand(n, 1, h, w)], 1)


@wrong('label_maps', "puts the label maps in front of the image's channels")
def _(images, labels, n_classes):
    n, _, h, w = images.shape
    maps = F.one_hot(labels, n_classes).to(images.dtype).reshape(n, n_classes, 1, 1)
    return mg.cat([maps.expand(n, n_classes, h, w), images], 1)


def _bce(logits, target):
    return F.binary_cross_entropy_with_logits(logits, mg.full_like(logits, target))


def acgan_discriminator_loss(real_logits, fake_logits, real_class_logits, labels, fake_class_logits, wanted):
    adversarial = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
    return adversarial + F.cross_entropy(real_class_logits, labels) + F.cross_entropy(fake_class_logits, wanted)


@wrong('acgan_discriminator_loss', "swaps the real and fake targets")
def _(real_logits, fake_logits, real_class_logits, labels, fake_class_logits, wanted):
    adversarial = _bce(real_logits, 0.0) + _bce(fake_logits, 1.0)
    return adversarial + F.cross_entropy(real_class_logits, labels) + F.cross_entropy(fake_class_logits, wanted)


@wrong('acgan_discriminator_loss', "scores G's images against the real labels instead of the ones G was asked for")
def _(real_logits, fake_logits, real_class_logits, labels, fake_class_logits, wanted):
    adversarial = _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)
    return adversarial + F.cross_entropy(real_class_logits, labels) + F.cross_entropy(fake_class_logits, labels)


def acgan_generator_loss(fake_logits, fake_class_logits, wanted):
    return _bce(fake_logits, 1.0) + F.cross_entropy(fake_class_logits, wanted)


@wrong('acgan_generator_loss', "the saturating form: minimizes log(1 − D(G(z))) instead of maximizing log D(G(z))")
def _(fake_logits, fake_class_logits, wanted):
    return -_bce(fake_logits, 0.0) + F.cross_entropy(fake_class_logits, wanted)


@wrong('acgan_generator_loss', "subtracts the class loss: G is paid for images D cannot classify")
def _(fake_logits, fake_class_logits, wanted):
    return _bce(fake_logits, 1.0) - F.cross_entropy(fake_class_logits, wanted)


def generated_digits(generator, n_per_class, latent_dim, n_classes=10):
    labels = mg.arange(n_classes).repeat(n_per_class)
    z = mg.randn(labels.shape[0], latent_dim)
    was_training = generator.training
    generator.eval()
    try:
        with mg.no_grad():
            images = generator(generator_input(z, labels, n_classes))
    finally:
        generator.train(was_training)
    return images, labels


@wrong('generated_digits', "samples with a graph: no mg.no_grad()")
def _(generator, n_per_class, latent_dim, n_classes=10):
    labels = mg.arange(n_classes).repeat(n_per_class)
    generator.eval()
    images = generator(generator_input(mg.randn(labels.shape[0], latent_dim), labels, n_classes))
    generator.train()
    return images, labels


@wrong('generated_digits', "samples in train mode: batch norm normalizes with this batch's statistics")
def _(generator, n_per_class, latent_dim, n_classes=10):
    labels = mg.arange(n_classes).repeat(n_per_class)
    with mg.no_grad():
        images = generator(generator_input(mg.randn(labels.shape[0], latent_dim), labels, n_classes))
    return images, labels


@wrong('generated_digits', "asks G for random classes but returns balanced labels")
def _(generator, n_per_class, latent_dim, n_classes=10):
    labels = mg.arange(n_classes).repeat(n_per_class)
    asked = mg.randint(0, n_classes, labels.shape)
    generator.eval()
    with mg.no_grad():
        images = generator(generator_input(mg.randn(labels.shape[0], latent_dim), asked, n_classes))
    generator.train()
    return images, labels


@wrong('generated_digits', "one z for every image: each class is one digit, copied")
def _(generator, n_per_class, latent_dim, n_classes=10):
    labels = mg.arange(n_classes).repeat(n_per_class)
    z = mg.randn(1, latent_dim).expand(labels.shape[0], latent_dim)
    generator.eval()
    with mg.no_grad():
        images = generator(generator_input(z, labels, n_classes))
    generator.train()
    return images, labels
