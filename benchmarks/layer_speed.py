"""Per-layer forward + backward time of the dcgan32 step's convolutions: jaxgan against PyTorch.

  python benchmarks/layer_speed.py [--rounds 3] [--batch_size 64] [--impl auto]
  python benchmarks/layer_speed.py --matmuls   # the step's three biggest matmuls alone, and 2048^3

Where does the dcgan32 step lose to its PyTorch twin (benchmarks/torch_twin.py)?
Each of its convolutions is timed alone, forward plus both gradients (input
and kernel, as in the G update; D's first layer needs no input gradient in
the D update, but does in the G update), on the same shapes and batch:
jaxgan's `Conv` / `ConvTranspose` jitted (with `conv_impl` `--impl`), and
`torch.nn.Conv2d` / `ConvTranspose2d` eager, in NCHW and channels_last, the
faster of the two counted. Rounds alternate the two frameworks; the figures
are per-round medians. GFLOP/s counts 3x the forward's multiply-adds x 2
(forward, input gradient, kernel gradient), as for a dense layer.

Uses the local CPU torch wheel (`pip install torch`); never a jaxgan dependency.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgan.models.conv import Conv, ConvTranspose

W = 64  # dcgan32's width
# (name, transposed, input size, in channels, out channels, kernel, stride, padding): dcgan32's G then D.
LAYERS = [
    ("G convT 8w->4w 4x4 s2 (4->8)", True, 4, 8 * W, 4 * W, 4, 2, 1),
    ("G convT 4w->2w 4x4 s2 (8->16)", True, 8, 4 * W, 2 * W, 4, 2, 1),
    ("G convT 2w->w 4x4 s2 (16->32)", True, 16, 2 * W, W, 4, 2, 1),
    ("G conv w->3 3x3 (32)", False, 32, W, 3, 3, 1, 1),
    ("D conv 3->w 3x3 (32)", False, 32, 3, W, 3, 1, 1),
    ("D conv w->w 4x4 s2 (32->16)", False, 32, W, W, 4, 2, 1),
    ("D conv w->2w 3x3 (16)", False, 16, W, 2 * W, 3, 1, 1),
    ("D conv 2w->2w 4x4 s2 (16->8)", False, 16, 2 * W, 2 * W, 4, 2, 1),
    ("D conv 2w->4w 3x3 (8)", False, 8, 2 * W, 4 * W, 3, 1, 1),
    ("D conv 4w->4w 4x4 s2 (8->4)", False, 8, 4 * W, 4 * W, 4, 2, 1),
    ("D conv 4w->8w 3x3 (4)", False, 4, 4 * W, 8 * W, 3, 1, 1),
]


def out_size(transposed: bool, size: int, stride: int) -> int:
    return size * stride if transposed else size // stride


def gflop(layer: tuple, batch: int) -> float:
    """Forward + input gradient + kernel gradient, at 2 FLOPs per multiply-add of the forward."""
    _, transposed, size, c_in, c_out, k, stride, _ = layer
    pixels = (size * size) if transposed else out_size(False, size, stride) ** 2  # a transposed conv: per input pixel
    return 3 * 2 * batch * pixels * k * k * c_in * c_out / 1e9


def jax_layer(layer: tuple, batch: int, impl: str):
    """A jitted (x, params, cotangent) -> (dx, dparams) for one layer, and its inputs."""
    _, transposed, size, c_in, c_out, k, stride, pad = layer
    cls = ConvTranspose if transposed else Conv
    padding = "SAME" if transposed else pad
    module = cls(c_out, (k, k), (stride, stride), padding, impl=impl)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, size, size, c_in), np.float32))
    params = module.init(jax.random.key(0), x)
    y = module.apply(params, x)
    ct = jnp.asarray(rng.standard_normal(y.shape, np.float32))

    @jax.jit
    def fwd_bwd(x, params, ct):
        _, vjp = jax.vjp(lambda x, p: module.apply(p, x), x, params)
        return vjp(ct)

    return lambda: jax.block_until_ready(fwd_bwd(x, params, ct))


def torch_layer(layer: tuple, batch: int, channels_last: bool):
    """The same layer in torch: forward, then backward to the input and the kernel."""
    import torch
    from torch import nn

    _, transposed, size, c_in, c_out, k, stride, pad = layer
    module = (nn.ConvTranspose2d if transposed else nn.Conv2d)(c_in, c_out, k, stride, pad)
    x = torch.randn(batch, c_in, size, size, requires_grad=True)
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
        x = x.detach().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    y = module(x)
    ct = torch.randn_like(y)

    def run():
        module.zero_grad(set_to_none=True)
        x.grad = None
        module(x).backward(ct)

    return run


def median_time(fn, repeats: int) -> float:
    fn()  # compile / warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


# The three biggest matmuls of the dcgan32 step (its G transposed convolutions' input gradients), and 2048^3.
MATMULS = [(1600, 1024, 2048), (5184, 512, 1024), (18496, 256, 512), (2048, 2048, 2048)]


def matmul_rates(repeats: int = 5) -> list[dict[str, Any]]:
    """GFLOP/s of each `MATMULS` shape alone: jitted (XLA:CPU) and numpy (its BLAS), medians of `repeats`."""
    matmul = jax.jit(jnp.matmul)
    rows = []
    for m, k, n in MATMULS:
        rng = np.random.default_rng(0)
        a, b = rng.random((m, k), np.float32), rng.random((k, n), np.float32)
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        flops = 2 * m * k * n / 1e9
        rows.append({"shape": f"[{m},{k}]x[{k},{n}]",
                     "jax_gflops": round(flops / median_time(lambda: matmul(ja, jb).block_until_ready(), repeats), 1),
                     "numpy_gflops": round(flops / median_time(lambda: a @ b, repeats), 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def measure(batch: int, rounds: int, repeats: int, impl: str) -> list[dict[str, Any]]:
    rows = []
    for layer in LAYERS:
        runs = {"jax": jax_layer(layer, batch, impl), "torch_nchw": torch_layer(layer, batch, False),
                "torch_cl": torch_layer(layer, batch, True)}
        times = {k: [] for k in runs}
        for _ in range(rounds):
            for k, fn in runs.items():
                times[k].append(median_time(fn, repeats))
        med = {k: float(np.median(v)) for k, v in times.items()}
        torch_s = min(med["torch_nchw"], med["torch_cl"])
        flops = gflop(layer, batch)
        rows.append({"layer": layer[0], "gflop": round(flops, 3), "jax_ms": round(1e3 * med["jax"], 2),
                     "torch_ms": round(1e3 * torch_s, 2), "torch_layout": "cl" if med["torch_cl"] < med["torch_nchw"] else "nchw",
                     "jax_gflops": round(flops / med["jax"], 1), "torch_gflops": round(flops / torch_s, 1),
                     "torch_over_jax_time": round(med["jax"] / torch_s, 2)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per round (median)")
    parser.add_argument("--impl", default="auto", choices=["auto", "subpixel", "xla"])
    parser.add_argument("--output", default="", help="also write the rows as JSON here")
    parser.add_argument("--matmuls", action="store_true", help="time the step's biggest matmuls alone instead")
    args = parser.parse_args()
    if args.matmuls:
        matmul_rates()
        return
    rows = measure(args.batch_size, args.rounds, args.repeats, args.impl)
    total_j, total_t = sum(r["jax_ms"] for r in rows), sum(r["torch_ms"] for r in rows)
    print(f"sum over layers: jaxgan {total_j:.1f} ms, torch {total_t:.1f} ms, jaxgan/torch speed {total_t / total_j:.2f}x")
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"rows": rows, "jax_ms": total_j, "torch_ms": total_t, "args": vars(args)}, f, indent=1)


if __name__ == "__main__":
    main()
