"""What GANs are used for, measured: data augmentation (`cas`); each a CLI over a trained workdir."""
