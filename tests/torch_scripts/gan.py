"""A GAN of two multilayer perceptrons (Goodfellow et al. 2014), in the style of the classic
PyTorch tutorials -- old spellings (Variable, FloatTensor) included."""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, b1=0.5, b2=0.999, latent_dim=16, img_size=16,
                         channels=1, seed=0, shuffle=True, checkpoint='generator.pth')
img_shape = (opt.channels, opt.img_size, opt.img_size)
cuda = True if torch.cuda.is_available() else False


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(opt.latent_dim, 32, normalize=False),
            *block(32, 64),
            nn.Linear(64, int(np.prod(img_shape))),
            nn.Tanh(),
        )

    def forward(self, z):
        img = self.model(z)
        return img.view(img.size(0), *img_shape)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(int(np.prod(img_shape)), 64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 1),
            nn.Sigmoid(),
        )

    def forward(self, img):
        return self.model(img.view(img.size(0), -1))


def build():
    generator, discriminator = Generator(), Discriminator()
    if cuda:
        generator.cuda()
        discriminator.cuda()
    return {'generator': generator, 'discriminator': discriminator}


def train(generator, discriminator, images, labels):
    np.random.seed(opt.seed)
    adversarial_loss = torch.nn.BCELoss()
    dataloader = DataLoader(TensorDataset(torch.Tensor(images), torch.LongTensor(labels)),
                            batch_size=opt.batch_size, shuffle=opt.shuffle)
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor

    history = []
    while len(history) < opt.n_steps:
        for i, (imgs, _) in enumerate(dataloader):
            valid = Variable(Tensor(imgs.size(0), 1).fill_(1.0), requires_grad=False)
            fake = Variable(Tensor(imgs.size(0), 1).fill_(0.0), requires_grad=False)
            real_imgs = Variable(imgs.type(Tensor))

            optimizer_G.zero_grad()
            z = Variable(Tensor(np.random.normal(0, 1, (imgs.shape[0], opt.latent_dim))))
            gen_imgs = generator(z)
            g_loss = adversarial_loss(discriminator(gen_imgs), valid)
            g_loss.backward()
            optimizer_G.step()

            optimizer_D.zero_grad()
            real_loss = adversarial_loss(discriminator(real_imgs), valid)
            fake_loss = adversarial_loss(discriminator(gen_imgs.detach()), fake)
            d_loss = (real_loss + fake_loss) / 2
            d_loss.backward()
            optimizer_D.step()

            history.append({'d_loss': d_loss.item(), 'g_loss': g_loss.item()})
            if len(history) == opt.n_steps:
                break

    # a checkpoint, and a fresh generator that loads it, must generate the same images
    torch.save(generator.state_dict(), opt.checkpoint)
    restored = Generator().cuda() if cuda else Generator()
    restored.load_state_dict(torch.load(opt.checkpoint))
    generator.eval()
    restored.eval()
    with torch.no_grad():
        z = Variable(Tensor(np.random.normal(0, 1, (4, opt.latent_dim))))
        history.append({'reload_difference': (generator(z) - restored(z)).abs().max().item()})
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256,) + img_shape).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=np.zeros(256, dtype=np.int64))):
        print(step, losses)
