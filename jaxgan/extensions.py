"""Extensions registered outside jaxgan (a loss in an experiment file, a family in a user package).

A run records, in its workdir, which registered entries it used that jaxgan
itself does not define, and where they came from (`imports.json`). Every
entry point that rebuilds a run from its workdir (resume, `jaxgan.sample`,
`jaxgan.evaluate`) loads them first, so a loss registered in an experiment
file works there too, not only in the training process.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from typing import Iterable

from etils import epath

from jaxgan.registry import REGISTRIES

IMPORTS_FILE = "imports.json"


def _outside(origin: dict[str, str]) -> bool:
    return not (origin["module"] == "jaxgan" or origin["module"].startswith("jaxgan."))


def external(used: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """What a run needs imported: the modules outside jaxgan behind the (kind, name) entries it used.

    Every entry those modules registered is recorded (a family may look up
    its own loss only when the step runs), each with its origin, sorted.
    """
    used = set(used)
    modules = {REGISTRIES[k].origin(n)["module"] for k, n in used if n in REGISTRIES[k]
               and _outside(REGISTRIES[k].origin(n))}
    records = []
    for kind, registry in sorted(REGISTRIES.items()):
        for name in registry.names():
            origin = registry.origin(name)
            if origin["module"] in modules:
                records.append({"kind": kind, "name": name, **origin})
    return records


def save(workdir: str | epath.Path, records: list[dict[str, str]]) -> None:
    (epath.Path(workdir) / IMPORTS_FILE).write_text(json.dumps(records, indent=2) + "\n")


def _import(record: dict[str, str]) -> None:
    """Imports the module behind `record`: by name when that finds the recorded file, else from the file."""
    path = record["file"]
    try:
        spec = importlib.util.find_spec(record["module"])
    except (ImportError, ValueError):
        spec = None
    if spec is not None and (not path or spec.origin == path):
        importlib.import_module(record["module"])
        return
    if not path or not epath.Path(path).exists():
        raise ImportError(
            f"The run used {record['kind']} {record['name']!r} from module {record['module']!r}"
            f"{' (' + path + ')' if path else ''}, which cannot be imported here. "
            "Make it importable (PYTHONPATH) or put the file back.")
    spec = importlib.util.spec_from_file_location(f"jaxgan_extension_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def load(workdir: str | epath.Path) -> None:
    """Registers the extensions the run in `workdir` recorded, unless they are registered already."""
    path = epath.Path(workdir) / IMPORTS_FILE
    if not path.exists():
        return
    for record in json.loads(path.read_text()):
        registry = REGISTRIES.get(record["kind"])
        if registry is not None and record["name"] in registry:
            continue
        _import(record)
