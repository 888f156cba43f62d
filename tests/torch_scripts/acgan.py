"""ACGAN (Odena et al. 2017): the discriminator also classifies the digit, and the generator is
rewarded for images of the class it was asked for. A convolutional pair with upsampling."""
import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, b1=0.5, b2=0.999, latent_dim=16, n_classes=10,
                         img_size=16, channels=1, seed=0, shuffle=True, dropout=0.25)
cuda = True if torch.cuda.is_available() else False


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm2d') != -1:
        torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(m.bias.data, 0.0)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.label_emb = nn.Embedding(opt.n_classes, opt.latent_dim)
        self.init_size = opt.img_size // 4
        self.l1 = nn.Sequential(nn.Linear(opt.latent_dim, 16 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(16),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(16, 16, 3, stride=1, padding=1),
            nn.BatchNorm2d(16, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(16, 8, 3, stride=1, padding=1),
            nn.BatchNorm2d(8, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(8, opt.channels, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, noise, labels):
        gen_input = torch.mul(self.label_emb(labels), noise)
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
            *discriminator_block(16, 32),
        )
        ds_size = opt.img_size // 2 ** 3
        self.adv_layer = nn.Sequential(nn.Linear(32 * ds_size ** 2, 1), nn.Sigmoid())
        self.aux_layer = nn.Sequential(nn.Linear(32 * ds_size ** 2, opt.n_classes), nn.Softmax(dim=1))

    def forward(self, img):
        out = self.conv_blocks(img)
        out = out.view(out.shape[0], -1)
        return self.adv_layer(out), self.aux_layer(out)


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
    adversarial_loss = torch.nn.BCELoss()
    auxiliary_loss = torch.nn.CrossEntropyLoss()
    dataset = torch.utils.data.TensorDataset(torch.tensor(images), torch.tensor(labels))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size, shuffle=opt.shuffle)
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
            validity, pred_label = discriminator(gen_imgs)
            g_loss = 0.5 * (adversarial_loss(validity, valid) + auxiliary_loss(pred_label, gen_labels))
            g_loss.backward()
            optimizer_G.step()

            optimizer_D.zero_grad()
            real_pred, real_aux = discriminator(real_imgs)
            d_real_loss = (adversarial_loss(real_pred, valid) + auxiliary_loss(real_aux, labels)) / 2
            fake_pred, fake_aux = discriminator(gen_imgs.detach())
            d_fake_loss = (adversarial_loss(fake_pred, fake) + auxiliary_loss(fake_aux, gen_labels)) / 2
            d_loss = (d_real_loss + d_fake_loss) / 2
            pred = np.concatenate([real_aux.data.cpu().numpy(), fake_aux.data.cpu().numpy()], axis=0)
            gt = np.concatenate([labels.data.cpu().numpy(), gen_labels.data.cpu().numpy()], axis=0)
            d_acc = np.mean(np.argmax(pred, axis=1) == gt)
            d_loss.backward()
            optimizer_D.step()

            correct = real_aux.max(1)[1].eq(labels.view(-1)).sum().item()
            history.append({'d_loss': d_loss.item(), 'g_loss': g_loss.item(), 'd_acc': float(d_acc),
                            'real_correct': correct})
            if len(history) == opt.n_steps:
                break
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256, opt.channels, opt.img_size, opt.img_size)).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=np.random.randint(0, 10, 256))):
        print(step, losses)
