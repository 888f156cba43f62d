"""Wasserstein GANs: WGAN-GP (Gulrajani et al. 2017) penalizes the critic's gradient norm on
interpolates; mode='clip' is the original WGAN (Arjovsky et al. 2017), which clips the critic's
weights through .data and trains with RMSprop."""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch import autograd
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, b1=0.5, b2=0.9, latent_dim=16, img_size=16,
                         channels=1, n_critic=2, lambda_gp=10, clip_value=0.05, mode='gp', seed=0, shuffle=True)
img_shape = (opt.channels, opt.img_size, opt.img_size)
cuda = True if torch.cuda.is_available() else False
Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(opt.latent_dim, 64),
            nn.BatchNorm1d(64, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, int(np.prod(img_shape))),
            nn.Tanh(),
        )

    def forward(self, z):
        img = self.model(z)
        return img.view(img.shape[0], *img_shape)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(int(np.prod(img_shape)), 64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 1),
        )

    def forward(self, img):
        return self.model(img.view(img.shape[0], -1))


def compute_gradient_penalty(D, real_samples, fake_samples):
    """(||grad D(x_hat)||_2 - 1)^2 on random interpolates x_hat of real and fake samples."""
    alpha = Tensor(np.random.random((real_samples.size(0), 1, 1, 1)))
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = Variable(Tensor(real_samples.shape[0], 1).fill_(1.0), requires_grad=False)
    gradients = autograd.grad(outputs=d_interpolates, inputs=interpolates, grad_outputs=fake,
                              create_graph=True, retain_graph=True, only_inputs=True)[0]
    gradients = gradients.view(gradients.size(0), -1)
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


def build():
    generator, discriminator = Generator(), Discriminator()
    if cuda:
        generator.cuda()
        discriminator.cuda()
    return {'generator': generator, 'discriminator': discriminator}


def train(generator, discriminator, images, labels):
    np.random.seed(opt.seed)
    dataloader = DataLoader(TensorDataset(torch.FloatTensor(images)), batch_size=opt.batch_size, shuffle=opt.shuffle)
    if opt.mode == 'gp':
        optimizer_G = torch.optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
        optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    else:
        optimizer_G = torch.optim.RMSprop(generator.parameters(), lr=opt.lr)
        optimizer_D = torch.optim.RMSprop(discriminator.parameters(), lr=opt.lr)

    history = []
    while len(history) < opt.n_steps:
        for i, (imgs,) in enumerate(dataloader):
            real_imgs = Variable(imgs.type(Tensor))

            optimizer_D.zero_grad()
            z = Variable(Tensor(np.random.normal(0, 1, (imgs.shape[0], opt.latent_dim))))
            fake_imgs = generator(z)
            real_validity = discriminator(real_imgs)
            fake_validity = discriminator(fake_imgs if opt.mode == 'gp' else fake_imgs.detach())
            d_loss = -torch.mean(real_validity) + torch.mean(fake_validity)
            step = {'wasserstein': -d_loss.item()}
            if opt.mode == 'gp':
                gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data)
                d_loss = d_loss + opt.lambda_gp * gradient_penalty
                step['gradient_penalty'] = gradient_penalty.item()
            d_loss.backward()
            optimizer_D.step()
            if opt.mode == 'clip':
                for p in discriminator.parameters():
                    p.data.clamp_(-opt.clip_value, opt.clip_value)

            optimizer_G.zero_grad()
            if i % opt.n_critic == 0:  # the generator trains once every n_critic critic steps
                fake_imgs = generator(z)
                g_loss = -torch.mean(discriminator(fake_imgs))
                g_loss.backward()
                optimizer_G.step()
                step['g_loss'] = g_loss.item()
            step['d_loss'] = d_loss.item()
            step['largest_critic_weight'] = max(p.abs().max().item() for p in discriminator.parameters())
            history.append(step)
            if len(history) == opt.n_steps:
                break
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256,) + img_shape).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=None)):
        print(step, losses)
