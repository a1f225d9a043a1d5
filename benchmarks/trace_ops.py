"""Time per XLA op of a CPU `jax.profiler` trace, from the trainer's `--config.profile_steps` or any trace.

  pip install xprof    # the trace converter; a benchmark tool, never a jaxgan dependency
  python -m jaxgan.main --config C --workdir W --config.profile_steps=3,5
  python benchmarks/trace_ops.py W/profile [--steps 2] [--top 25]

XLA:CPU's thunk executor names each op's trace event after the HLO
instruction (`ynn_fusion.53`, `copy_bitcast_fusion.18`, ...). This sums the
events' durations on XLA's worker threads per op kind (the name without its
number) and per instance, divided by `--steps`, and reports the traced span
and how much of it no op covers. Match an instance to its layer in an
`--xla_dump_to` dump (`*.cpu_after_optimizations.txt`, the op's
`metadata.op_name`). Caveat: XLA's own (Eigen) convolutions dispatch their
work asynchronously, so their events are short and their work shows up as
uncovered time.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
from typing import Any

_WRAPPERS = ("ThreadpoolListener", "ThunkExecutor", "SlinkyThreadPool", "end:", "$")


def load_events(trace_dir: str) -> list[dict[str, Any]]:
    """Trace events (Chrome trace format) of the newest `*.xplane.pb` under `trace_dir`."""
    from xprof.convert import raw_to_tool_data

    paths = sorted(glob.glob(os.path.join(trace_dir, "**", "*.xplane.pb"), recursive=True), key=os.path.getmtime)
    if not paths:
        raise SystemExit(f"No *.xplane.pb under {trace_dir}: pass the directory jax.profiler wrote "
                         "(the trainer's <workdir>/profile).")
    data, _ = raw_to_tool_data.xspace_to_tool_data(paths[-1:], "trace_viewer", {})
    return json.loads(data if isinstance(data, str) else data.decode())["traceEvents"]


def op_times(events: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, float], float, float]:
    """(µs per op kind, µs per op instance, traced span µs, µs covered by some op) on XLA's threads."""
    threads = {(e.get("pid"), e.get("tid")): e["args"]["name"] for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    ops = [e for e in events if e.get("ph") == "X" and threads.get((e.get("pid"), e.get("tid")), "").startswith("tf_XLA")
           and not e["name"].startswith(_WRAPPERS)]
    kinds: dict[str, float] = collections.defaultdict(float)
    instances: dict[str, float] = collections.defaultdict(float)
    for e in ops:
        kinds[re.sub(r"[._]\d+$", "", e["name"])] += e.get("dur", 0)
        instances[e["name"]] += e.get("dur", 0)
    spans = sorted((e["ts"], e["ts"] + e.get("dur", 0)) for e in ops)
    covered, start, end = 0.0, *spans[0]
    for s, f in spans[1:]:
        if s > end:
            covered, start, end = covered + end - start, s, f
        else:
            end = max(end, f)
    covered += end - start
    return kinds, instances, spans[-1][1] - spans[0][0], covered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace_dir")
    parser.add_argument("--steps", type=int, default=1, help="steps in the trace; times are divided by it")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    kinds, instances, span, covered = op_times(load_events(args.trace_dir))
    total = sum(kinds.values())
    per = 1e3 * args.steps
    print(f"span {span / per:.0f} ms/step, covered by some op {covered / per:.0f} ms/step, "
          f"op time summed over threads {total / per:.0f} ms/step")
    for name, us in sorted(kinds.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{us / per:9.1f} ms/step {100 * us / total:5.1f}%  {name}")
    print("busiest instances:")
    for name, us in sorted(instances.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{us / per:9.1f} ms/step  {name}")


if __name__ == "__main__":
    main()
