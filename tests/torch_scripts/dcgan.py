"""DCGAN (Radford et al. 2016), in the style of PyTorch's own DCGAN example: torch.device,
weights_init through .data, torch.full labels refilled in place, a fixed noise under no_grad."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data

opt = argparse.Namespace(n_steps=300, batch_size=64, lr=0.0002, beta1=0.5, nz=8, ngf=8, ndf=8, nc=1, seed=0,
                         shuffle=True, dropout=0.1)
device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')
real_label, fake_label = 1.0, 0.0


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        m.bias.data.fill_(0)


class Generator(nn.Module):
    """z (N, nz, 1, 1) -> image (N, nc, 16, 16)."""

    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(opt.nz, opt.ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(opt.ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(opt.ngf * 4, opt.ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(opt.ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(opt.ngf * 2, opt.nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Conv2d(opt.nc, opt.ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Dropout2d(opt.dropout),
            nn.Conv2d(opt.ndf, opt.ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(opt.ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(opt.ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def build():
    netG, netD = Generator().to(device), Discriminator().to(device)
    netG.apply(weights_init)
    netD.apply(weights_init)
    return {'netG': netG, 'netD': netD}


def train(netG, netD, images, labels):
    rng = np.random.default_rng(opt.seed)

    def noise(n):
        return torch.from_numpy(rng.standard_normal((n, opt.nz, 1, 1))).float().to(device)

    dataset = torch.utils.data.TensorDataset(torch.tensor(images), torch.tensor(labels))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size, shuffle=opt.shuffle)
    criterion = nn.BCELoss()
    fixed_noise = noise(16)
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    history = []
    while len(history) < opt.n_steps:
        for i, data in enumerate(dataloader, 0):
            # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            real_cpu = data[0].to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype=torch.float, device=device)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            fake = netG(noise(batch_size))
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) update G: maximize log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            with torch.no_grad():
                sample = netG(fixed_noise).detach().cpu()
            history.append({'errD': errD.item(), 'errG': errG.item(), 'D_x': D_x, 'D_G_z1': D_G_z1,
                            'D_G_z2': D_G_z2, 'sample_mean': float(sample.mean())})
            if len(history) == opt.n_steps:
                break
    return history


if __name__ == '__main__':
    data = np.random.uniform(-1, 1, (256, opt.nc, 16, 16)).astype(np.float32)
    for step, losses in enumerate(train(**build(), images=data, labels=np.zeros(256, dtype=np.int64))):
        print('[%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f' % (step, losses['errD'], losses['errG'], losses['D_x']))
