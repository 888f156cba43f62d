"""A conditional GAN (Mirza & Osindero 2014) trained with the least-squares loss of LSGAN
(Mao et al. 2017): both networks see the class label through an embedding."""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, b1=0.5, b2=0.999, latent_dim=16, n_classes=10,
                         img_size=16, channels=1, seed=0, shuffle=True, dropout=0.4)
img_shape = (opt.channels, opt.img_size, opt.img_size)
cuda = True if torch.cuda.is_available() else False


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.label_emb = nn.Embedding(opt.n_classes, opt.n_classes)

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(opt.latent_dim + opt.n_classes, 32, normalize=False),
            *block(32, 64),
            nn.Linear(64, int(np.prod(img_shape))),
            nn.Tanh(),
        )

    def forward(self, noise, labels):
        gen_input = torch.cat((self.label_emb(labels), noise), -1)
        img = self.model(gen_input)
        return img.view(img.size(0), *img_shape)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.label_embedding = nn.Embedding(opt.n_classes, opt.n_classes)
        self.model = nn.Sequential(
            nn.Linear(opt.n_classes + int(np.prod(img_shape)), 64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, 64),
            nn.Dropout(opt.dropout),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(64, 1),
        )

    def forward(self, img, labels):
        d_in = torch.cat((img.view(img.size(0), -1), self.label_embedding(labels)), -1)
        return self.model(d_in)


def build():
    generator, discriminator = Generator(), Discriminator()
    if cuda:
        generator.cuda()
        discriminator.cuda()
    return {'generator': generator, 'discriminator': discriminator}


def train(generator, discriminator, images, labels):
    np.random.seed(opt.seed)
    adversarial_loss = torch.nn.MSELoss()
    if cuda:
        adversarial_loss.cuda()
    dataloader = DataLoader(TensorDataset(torch.from_numpy(images), torch.from_numpy(labels)),
                            batch_size=opt.batch_size, shuffle=opt.shuffle)
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    FloatTensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor
    LongTensor = torch.cuda.LongTensor if cuda else torch.LongTensor

    history = []
    while len(history) < opt.n_steps:
        for i, (imgs, labels) in enumerate(dataloader):
            batch_size = imgs.shape[0]
            valid = Variable(FloatTensor(batch_size, 1).fill_(1.0), requires_grad=False)
            fake = Variable(FloatTensor(batch_size, 1).fill_(0.0), requires_grad=False)
            real_imgs = Variable(imgs.type(FloatTensor))
            labels = Variable(labels.type(LongTensor))

            optimizer_G.zero_grad()
            z = Variable(FloatTensor(np.random.normal(0, 1, (batch_size, opt.latent_dim))))
            gen_labels = Variable(LongTensor(np.random.randint(0, opt.n_classes, batch_size)))
            gen_imgs = generator(z, gen_labels)
            g_loss = adversarial_loss(discriminator(gen_imgs, gen_labels), valid)
            g_loss.backward()
            optimizer_G.step()

            optimizer_D.zero_grad()
            d_real_loss = adversarial_loss(discriminator(real_imgs, labels), valid)
            d_fake_loss = adversarial_loss(discriminator(gen_imgs.detach(), gen_labels), fake)
            d_loss = (d_real_loss + d_fake_loss) / 2
            d_loss.backward()
            optimizer_D.step()

            history.append({'d_loss': d_loss.item(), 'g_loss': g_loss.item()})
            if len(history) == opt.n_steps:
                break
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256,) + img_shape).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=np.random.randint(0, 10, 256))):
        print(step, losses)
