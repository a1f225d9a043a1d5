"""A PyTorch twin of jaxgan's 32x32 DCGAN train step, to set jaxgan's speed beside a same-machine reference.

  python benchmarks/torch_twin.py [--steps 5] [--batch_size 64]

The same networks as `jaxgan.models.dcgan` "dcgan32" (SNGAN's standard CNN:
G Dense -> BN -> ReLU, 3 x [ConvT 4x4 s2 -> BN -> ReLU], Conv 3x3 -> tanh;
D 7 convs with LeakyReLU 0.1 and a Dense), the same non-saturating loss, and
Adam (2e-4, 0.5, 0.999) for both; one step is one D update (on real data and
a detached G(z)) then one G update, as jaxgan's step does. Data is one fixed
batch of uniform noise, like `benchmarks/step_speed.py`. Uses the local CPU
torch wheel (`pip install torch`); never a jaxgan dependency.

On a GPU (`device="cuda"`) each step is waited for with
`torch.cuda.synchronize()`, as jaxgan's timed steps are with
`block_until_ready`; `dtype="bfloat16"` runs the networks under
`torch.autocast` (bf16 matmuls and convolutions, float32 parameters, Adam
states and losses), the counterpart of jaxgan's `model.dtype=bfloat16`.
"""

from __future__ import annotations

import time

import numpy as np


def _networks(width: int = 64, latent: int = 128, channels: int = 3):
    import torch
    from torch import nn

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(latent, 4 * 4 * 8 * width)
            self.bn0 = nn.BatchNorm1d(4 * 4 * 8 * width)
            layers, c = [], 8 * width
            for out in (4 * width, 2 * width, width):
                layers += [nn.ConvTranspose2d(c, out, 4, 2, 1), nn.BatchNorm2d(out), nn.ReLU()]
                c = out
            self.convs = nn.Sequential(*layers, nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh())

        def forward(self, z):
            x = torch.relu(self.bn0(self.dense(z)))
            return self.convs(x.view(-1, 8 * width, 4, 4))

    def discriminator():
        layers, c = [], channels
        for out in (width, 2 * width, 4 * width):
            layers += [nn.Conv2d(c, out, 3, 1, 1), nn.LeakyReLU(0.1), nn.Conv2d(out, out, 4, 2, 1), nn.LeakyReLU(0.1)]
            c = out
        layers += [nn.Conv2d(c, 8 * width, 3, 1, 1), nn.LeakyReLU(0.1), nn.Flatten(), nn.Linear(4 * 4 * 8 * width, 1)]
        return nn.Sequential(*layers)

    return Generator(), discriminator()


def benchmark(steps: int = 5, batch_size: int = 64, latent: int = 128, channels_last: bool = False,
              device: str = "cpu", dtype: str = "float32") -> dict[str, float]:
    """Times `steps` twin steps after one warm-up step; returns step_s (median), steps_per_s, images_per_s.

    `channels_last` runs the convolutions in NHWC memory format (oneDNN's and
    cuDNN's tensor-core layout). `device` is "cpu" or "cuda"; `dtype`
    "bfloat16" runs forward passes under autocast.
    """
    import contextlib

    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    g, d = _networks(latent=latent)
    g, d = g.to(device), d.to(device)
    real = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (batch_size, 3, 32, 32)).astype(np.float32))
    real = real.to(device)
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    def autocast():
        if dtype == "float32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.split(":")[0], dtype=getattr(torch, dtype))

    if channels_last:
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
        real = real.contiguous(memory_format=torch.channels_last)
    opt_g = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))

    def step():
        with autocast():
            fake = g(torch.randn(batch_size, latent, device=device)).detach()
            real_logits, fake_logits = d(real).float(), d(fake).float()
        d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                  + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        with autocast():
            fake_logits = d(g(torch.randn(batch_size, latent, device=device))).float()
        g_loss = -F.logsigmoid(fake_logits).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()

    step()  # warm-up
    sync()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    step_s = float(np.median(times))
    return {"step_s": step_s, "steps_per_s": 1.0 / step_s, "images_per_s": batch_size / step_s,
            "threads": torch.get_num_threads(), "torch": torch.__version__, "channels_last": channels_last,
            "device": device, "dtype": dtype}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--channels_last", action="store_true")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    args = parser.parse_args()
    print(benchmark(args.steps, args.batch_size, channels_last=args.channels_last, device=args.device,
                    dtype=args.dtype))
