"""Super-resolution runs as the SRGAN paper's table: bicubic, SRResNet-MSE and SRGAN, scale by scale.

  python -m jaxgan.tools.sr_table runs/sr_srresnet_x4 runs/sr_srgan_x4 experiments/results/sr_srgan_x2.json ... \
      [--output experiments/README.md --marker TABLE_SRGAN]

Ledig et al. 2017 (Table 2) set bicubic upsampling, SRResNet (pixel MSE) and
SRGAN side by side: SRGAN has the lower PSNR/SSIM and the better perceptual
score. Each argument is a run's workdir or its row kept by `image_table
--keep`. The `translation` evaluator scores each run's outputs and, beside
them, bicubic upsampling of the same inputs (`<name>/bicubic_*`); the bicubic
row of a scale is read from its runs, which must agree on it (the same fixed
test garments). The method of a run is read from its config: no adversarial
weight is SRResNet-MSE. Every number is read from the files; none is typed.
"""

from __future__ import annotations

from typing import Any

from absl import app, flags

from jaxgan import cli
from jaxgan.tools.image_table import load
from jaxgan.tools.markdown import define_output_flags, emit

# (heading, result key after `<name>/` or `<name>/bicubic_`)
COLUMNS = (("PSNR (dB)", "psnr"), ("SSIM", "ssim"), ("L1", "l1"), ("Inception FID", "inception_fid/fid"),
           ("KID", "inception_fid/kid"), ("class kept", "class_accuracy"))


def prediction(row: dict[str, Any]) -> str:
    """The translation name of a super-resolution run (`upscale`), from its `<name>/bicubic_psnr` key."""
    names = [k.split("/")[0] for k in row if k.endswith("/bicubic_psnr")]
    if len(names) != 1:
        raise ValueError(f"{row['name']} has no bicubic baseline among its results: it is not a super-resolution "
                         "run of the translation evaluator (experiments/srgan_fashion_mnist_x4.py).")
    return names[0]


def method(row: dict[str, Any]) -> str:
    family = row.get("family", {})
    if family.get("name") != "srgan":
        raise ValueError(f"{row['name']} is not an srgan-family run (family {family.get('name')!r}).")
    return "SRResNet (MSE)" if family.get("content") == "pixel" and not family.get("adversarial_weight") else (
        f"SRGAN ({family.get('content')} content)" if family.get("adversarial_weight") else
        f"SRResNet ({family.get('content')} content)")


def _cell(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else "" if value is None else str(value)


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| data | method | run | steps | wall (min) | " + " | ".join(h for h, _ in COLUMNS) + " |",
             "|---" * (5 + len(COLUMNS)) + "|"]
    for dataset in sorted({r["dataset"] for r in rows}):
        runs = [r for r in rows if r["dataset"] == dataset]
        baselines = {tuple(r.get(f"{prediction(r)}/bicubic_{k}") for _, k in COLUMNS if k != "class_accuracy")
                     for r in runs}
        if len(baselines) > 1:
            raise ValueError(f"The {dataset} runs disagree on the bicubic baseline ({baselines}): were they scored "
                             "on different test examples (eval.num_samples, eval.reference_split)?")
        first = runs[0]
        cells = [first.get(f"{prediction(first)}/bicubic_{k}") for _, k in COLUMNS]
        lines.append(f"| {dataset} | bicubic | | | | " + " | ".join(map(_cell, cells)) + " |")
        for r in runs:  # in the order given
            wall = f"{r['wall_s'] / 60:.1f}" if "wall_s" in r else ""
            cells = [r.get(f"{prediction(r)}/{k}") for _, k in COLUMNS]
            lines.append(f"| {dataset} | {method(r)} | {r['name']} | {r['step']} | {wall} | "
                         + " | ".join(map(_cell, cells)) + " |")
    protocols = sorted({r.get(f"{prediction(r)}/protocol", "") for r in rows} - {""})
    return "\n".join(lines + [""] + [f"Protocol: {p}" for p in protocols]) + "\n"


def main(argv):
    if len(argv) < 2:
        raise app.UsageError("Usage: python -m jaxgan.tools.sr_table WORKDIR|KEPT.json [...] [--output FILE]")
    try:
        text = table([load(a) for a in argv[1:]])
    except ValueError as e:
        raise flags.ValidationError(str(e)) from None
    emit(text)


if __name__ == "__main__":
    define_output_flags("TABLE_SRGAN")
    cli.run(main)
