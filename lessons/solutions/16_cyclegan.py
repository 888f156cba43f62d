"""Worked answers to lesson 16, and the plausible wrong answers each check must reject."""
import minigan as mg
from _course import WrongAnswers

wrong = WrongAnswers()


def cycle_loss(G_ab, G_ba, a, b):
    return (G_ba(G_ab(a)) - a).abs().mean() + (G_ab(G_ba(b)) - b).abs().mean()


@wrong('cycle_loss', "composes the generators the wrong way round (G_ab(G_ba(a)) for a)")
def _(G_ab, G_ba, a, b):
    return (G_ab(G_ba(a)) - a).abs().mean() + (G_ba(G_ab(b)) - b).abs().mean()


@wrong('cycle_loss', "squared error instead of L1")
def _(G_ab, G_ba, a, b):
    return ((G_ba(G_ab(a)) - a) ** 2).mean() + ((G_ab(G_ba(b)) - b) ** 2).mean()


def cyclegan_generator_loss(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle=10.0, lambda_identity=0.5):
    adversarial = ((D_b(G_ab(a)) - 1) ** 2).mean() + ((D_a(G_ba(b)) - 1) ** 2).mean()
    identity = (G_ab(b) - b).abs().mean() + (G_ba(a) - a).abs().mean()
    return (adversarial + lambda_cycle * cycle_loss(G_ab, G_ba, a, b)
            + lambda_identity * lambda_cycle * identity)


@wrong('cyclegan_generator_loss', "each discriminator judges the wrong generator (D_a on G_ab's output)")
def _(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle=10.0, lambda_identity=0.5):
    adversarial = ((D_a(G_ab(a)) - 1) ** 2).mean() + ((D_b(G_ba(b)) - 1) ** 2).mean()
    identity = (G_ab(b) - b).abs().mean() + (G_ba(a) - a).abs().mean()
    return (adversarial + lambda_cycle * cycle_loss(G_ab, G_ba, a, b)
            + lambda_identity * lambda_cycle * identity)


@wrong('cyclegan_generator_loss', "identity with the source domain's images (G_ab(a) ≈ a)")
def _(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle=10.0, lambda_identity=0.5):
    adversarial = ((D_b(G_ab(a)) - 1) ** 2).mean() + ((D_a(G_ba(b)) - 1) ** 2).mean()
    identity = (G_ab(a) - a).abs().mean() + (G_ba(b) - b).abs().mean()
    return (adversarial + lambda_cycle * cycle_loss(G_ab, G_ba, a, b)
            + lambda_identity * lambda_cycle * identity)


@wrong('cyclegan_generator_loss', "weights the identity terms by lambda_identity alone")
def _(G_ab, G_ba, D_a, D_b, a, b, lambda_cycle=10.0, lambda_identity=0.5):
    adversarial = ((D_b(G_ab(a)) - 1) ** 2).mean() + ((D_a(G_ba(b)) - 1) ** 2).mean()
    identity = (G_ab(b) - b).abs().mean() + (G_ba(a) - a).abs().mean()
    return adversarial + lambda_cycle * cycle_loss(G_ab, G_ba, a, b) + lambda_identity * identity


def history_pool_query(pool, images, size, coins, slots):
    if size == 0:
        return images
    chosen = []
    for i in range(images.shape[0]):
        image = images[i]
        if len(pool) < size:
            pool.append(image)
            chosen.append(image)
        elif coins[i] > 0.5:
            chosen.append(pool[slots[i]])
            pool[slots[i]] = image
        else:
            chosen.append(image)
    return mg.stack(chosen)


@wrong('history_pool_query', "swaps the new image in but hands D the new one, not the old one")
def _(pool, images, size, coins, slots):
    if size == 0:
        return images
    for i in range(images.shape[0]):
        if len(pool) < size:
            pool.append(images[i])
        elif coins[i] > 0.5:
            pool[slots[i]] = images[i]
    return images


@wrong('history_pool_query', "keeps storing past the pool's size")
def _(pool, images, size, coins, slots):
    if size == 0:
        return images
    chosen = []
    for i in range(images.shape[0]):
        if coins[i] > 0.5 and len(pool) >= size:
            chosen.append(pool[slots[i]])
        else:
            chosen.append(images[i])
        pool.append(images[i])
    return mg.stack(chosen)
