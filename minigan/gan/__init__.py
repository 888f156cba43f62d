"""The GAN layer: models, recipes and the metrics that judge them."""
