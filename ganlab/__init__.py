"""Train small GANs on 1-D targets and compare vanilla GAN, WGAN and WGAN-GP."""

__version__ = "0.1.0"
