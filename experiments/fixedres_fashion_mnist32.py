"""ProGAN's baseline: the same networks, budget and seed as `progan_fashion_mnist32.py`, at 32x32 from step 1.

The paper's comparison (Karras et al. 2018, Table 1 / Figure 4) of growing
against training at the final resolution throughout. Everything but
`family.grow` is `progan_fashion_mnist32.py`'s (read its docstring).
`smoke`: 2 tiny steps. Command:
  python -m jaxgan.main --config experiments/fixedres_fashion_mnist32.py --workdir runs/progan_fixed_s0
Measured (seed 0; `progan_fashion_mnist32.py` docstring, experiments/README.md): 145.5,
108.2, 80.6, 63.5, 56.0, 53.2, 51.1 Inception FID after 32, 64, ..., 224 kimg (26.4, 52.0,
78.1, ..., 184.2 CPU-minutes); growing reaches 80.7 after 68.7 and ends there.
"""

from jaxgan.config import check_arg, load_experiment


def get_config(arg: str | None = None):
    check_arg(arg, ("smoke",), "fixedres_fashion_mnist32")
    c = load_experiment("progan_fashion_mnist32", "smoke" if arg == "smoke" else "fixed")
    c.family.grow = False
    return c
