"""Worked answers to lesson 15, and the plausible wrong answers each check must reject."""
import minigan as mg
import minigan.functional as F
from _course import WrongAnswers

wrong = WrongAnswers()


def unet_forward(x, down1, down2, up2, up1):
    e1 = down1(x)
    d2 = up2(down2(e1))
    return up1(mg.cat([d2, e1], 1))


@wrong('unet_forward', "joins the skip in the wrong order (encoder features first)")
def _(x, down1, down2, up2, up1):
    e1 = down1(x)
    return up1(mg.cat([e1, up2(down2(e1))], 1))


def patch_receptive_field(layers):
    r = 1
    for kernel, stride in reversed(layers):
        r = (r - 1) * stride + kernel
    return r


@wrong('patch_receptive_field', "ignores the strides: adds up the kernels as if every stride were 1")
def _(layers):
    return 1 + sum(kernel - 1 for kernel, _ in layers)


@wrong('patch_receptive_field', "walks the layers from the input to the output")
def _(layers):
    r = 1
    for kernel, stride in layers:
        r = (r - 1) * stride + kernel
    return r


def _bce(logits, label):
    target = mg.ones_like(logits) if label else mg.zeros_like(logits)
    return F.binary_cross_entropy_with_logits(logits, target)


def pix2pix_discriminator_loss(D, a, b, fake):
    real = _bce(D(mg.cat([a, b], 1)), 1)
    fake = _bce(D(mg.cat([a, fake.detach()], 1)), 0)
    return 0.5 * (real + fake)


@wrong('pix2pix_discriminator_loss', "forgets to detach the fake: the D step would move G too")
def _(D, a, b, fake):
    return 0.5 * (_bce(D(mg.cat([a, b], 1)), 1) + _bce(D(mg.cat([a, fake], 1)), 0))


@wrong('pix2pix_discriminator_loss', "swaps the labels: real pairs as 0, fake pairs as 1")
def _(D, a, b, fake):
    return 0.5 * (_bce(D(mg.cat([a, b], 1)), 0) + _bce(D(mg.cat([a, fake.detach()], 1)), 1))


@wrong('pix2pix_discriminator_loss', "puts the image before the input in the pair (b ⊕ a)")
def _(D, a, b, fake):
    return 0.5 * (_bce(D(mg.cat([b, a], 1)), 1) + _bce(D(mg.cat([fake.detach(), a], 1)), 0))


def pix2pix_generator_loss(D, a, b, fake, lambda_l1=100.0):
    return _bce(D(mg.cat([a, fake], 1)), 1) + lambda_l1 * (fake - b).abs().mean()


@wrong('pix2pix_generator_loss', "the saturating loss log(1 − D) instead of −log D")
def _(D, a, b, fake, lambda_l1=100.0):
    return -_bce(D(mg.cat([a, fake], 1)), 0) + lambda_l1 * (fake - b).abs().mean()


@wrong('pix2pix_generator_loss', "squared error to the target instead of L1")
def _(D, a, b, fake, lambda_l1=100.0):
    return _bce(D(mg.cat([a, fake], 1)), 1) + lambda_l1 * ((fake - b) ** 2).mean()


@wrong('pix2pix_generator_loss', "detaches the fake before D: no adversarial gradient reaches G")
def _(D, a, b, fake, lambda_l1=100.0):
    return _bce(D(mg.cat([a, fake.detach()], 1)), 1) + lambda_l1 * (fake - b).abs().mean()
