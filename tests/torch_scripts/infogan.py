"""InfoGAN (Chen et al. 2016): the generator gets a categorical code and a continuous code
besides the noise, and a Q head on the discriminator learns to read them back from the image;
maximizing that (a lower bound of the mutual information) makes the codes mean something."""
import argparse
import itertools

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable
from torch.utils.data import DataLoader, TensorDataset

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, b1=0.5, b2=0.999, latent_dim=8, n_classes=10,
                         code_dim=2, img_size=16, channels=1, lambda_cat=1.0, lambda_con=0.1, seed=0,
                         shuffle=True, dropout=0.25)
cuda = True if torch.cuda.is_available() else False
FloatTensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor
LongTensor = torch.cuda.LongTensor if cuda else torch.LongTensor


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(m.bias.data, 0.0)


def to_categorical(y, num_columns):
    """One-hot codes of the integer array y, built in NumPy."""
    y_cat = np.zeros((y.shape[0], num_columns))
    y_cat[range(y.shape[0]), y] = 1.0
    return Variable(FloatTensor(y_cat))


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        input_dim = opt.latent_dim + opt.n_classes + opt.code_dim
        self.init_size = opt.img_size // 4
        self.l1 = nn.Sequential(nn.Linear(input_dim, 16 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(16),
            nn.ConvTranspose2d(16, 16, 4, 2, 1),
            nn.BatchNorm2d(16, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.ConvTranspose2d(16, 8, 4, 2, 1),
            nn.BatchNorm2d(8, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(8, opt.channels, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, noise, labels, code):
        gen_input = torch.cat((noise, labels, code), -1)
        out = self.l1(gen_input)
        out = out.view(out.shape[0], 16, self.init_size, self.init_size)
        return self.conv_blocks(out)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()

        def discriminator_block(in_filters, out_filters, bn=True):
            block = [nn.Conv2d(in_filters, out_filters, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True),
                     nn.Dropout2d(opt.dropout)]
            if bn:
                block.append(nn.BatchNorm2d(out_filters, 0.8))
            return block

        self.conv_blocks = nn.Sequential(
            *discriminator_block(opt.channels, 8, bn=False),
            *discriminator_block(8, 16),
        )
        ds_size = opt.img_size // 2 ** 2
        self.adv_layer = nn.Sequential(nn.Linear(16 * ds_size ** 2, 1))
        self.aux_layer = nn.Sequential(nn.Linear(16 * ds_size ** 2, opt.n_classes), nn.Softmax(dim=1))
        self.latent_layer = nn.Sequential(nn.Linear(16 * ds_size ** 2, opt.code_dim))

    def forward(self, img):
        out = self.conv_blocks(img)
        out = out.view(out.shape[0], -1)
        return self.adv_layer(out), self.aux_layer(out), self.latent_layer(out)


def build():
    generator, discriminator = Generator(), Discriminator()
    if cuda:
        generator.cuda()
        discriminator.cuda()
    generator.apply(weights_init_normal)
    discriminator.apply(weights_init_normal)
    return {'generator': generator, 'discriminator': discriminator}


def train(generator, discriminator, images, labels):
    np.random.seed(opt.seed)
    adversarial_loss = torch.nn.MSELoss()
    categorical_loss = torch.nn.CrossEntropyLoss()
    continuous_loss = torch.nn.MSELoss()
    dataloader = DataLoader(TensorDataset(torch.tensor(images), torch.tensor(labels)),
                            batch_size=opt.batch_size, shuffle=opt.shuffle)
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    optimizer_info = torch.optim.Adam(itertools.chain(generator.parameters(), discriminator.parameters()),
                                      lr=opt.lr, betas=(opt.b1, opt.b2))

    history = []
    while len(history) < opt.n_steps:
        for i, (imgs, labels) in enumerate(dataloader):
            batch_size = imgs.shape[0]
            valid = Variable(FloatTensor(batch_size, 1).fill_(1.0), requires_grad=False)
            fake = Variable(FloatTensor(batch_size, 1).fill_(0.0), requires_grad=False)
            real_imgs = Variable(imgs.type(FloatTensor))

            # generator: fool the discriminator
            optimizer_G.zero_grad()
            z = Variable(FloatTensor(np.random.normal(0, 1, (batch_size, opt.latent_dim))))
            label_input = to_categorical(np.random.randint(0, opt.n_classes, batch_size), num_columns=opt.n_classes)
            code_input = Variable(FloatTensor(np.random.uniform(-1, 1, (batch_size, opt.code_dim))))
            gen_imgs = generator(z, label_input, code_input)
            validity, _, _ = discriminator(gen_imgs)
            g_loss = adversarial_loss(validity, valid)
            g_loss.backward()
            optimizer_G.step()

            # discriminator: real against fake (least squares)
            optimizer_D.zero_grad()
            real_pred, _, _ = discriminator(real_imgs)
            fake_pred, _, _ = discriminator(gen_imgs.detach())
            d_loss = (adversarial_loss(real_pred, valid) + adversarial_loss(fake_pred, fake)) / 2
            d_loss.backward()
            optimizer_D.step()

            # information loss: read the codes back from the image (one-hot by scatter_ this time)
            optimizer_info.zero_grad()
            sampled_labels = np.random.randint(0, opt.n_classes, batch_size)
            gt_labels = Variable(LongTensor(sampled_labels), requires_grad=False)
            label_input = FloatTensor(batch_size, opt.n_classes).zero_()
            label_input.scatter_(1, gt_labels.view(-1, 1), 1)
            z = Variable(FloatTensor(np.random.normal(0, 1, (batch_size, opt.latent_dim))))
            code_input = Variable(FloatTensor(np.random.uniform(-1, 1, (batch_size, opt.code_dim))))
            gen_imgs = generator(z, label_input, code_input)
            _, pred_label, pred_code = discriminator(gen_imgs)
            info_loss = opt.lambda_cat * categorical_loss(pred_label, gt_labels) + \
                opt.lambda_con * continuous_loss(pred_code, code_input)
            info_loss.backward()
            optimizer_info.step()

            history.append({'d_loss': d_loss.item(), 'g_loss': g_loss.item(), 'info_loss': info_loss.item()})
            if len(history) == opt.n_steps:
                break
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256, opt.channels, opt.img_size, opt.img_size)).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=np.random.randint(0, 10, 256))):
        print(step, losses)
