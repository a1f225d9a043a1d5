"""Name -> object registries, so configs pick losses, networks and datasets by name.

Adding a loss, penalty, network or dataset is one definition plus one
`@REGISTRY.register("name")` line; nothing else in the trainer changes.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

# Every registry by kind, and the (kind, name) pairs looked up while tracking
# (`tracking()`): how a run learns which registered entries it uses.
REGISTRIES: dict[str, "Registry"] = {}
_TRACKED: list[set[tuple[str, str]]] = []


def _caller_origin(depth: int) -> dict[str, str]:
    """The module (name and file) of the code `depth` frames up: the one that registers an entry."""
    frame_globals = sys._getframe(depth + 1).f_globals
    path = frame_globals.get("__file__") or ""
    return {"module": frame_globals.get("__name__", ""), "file": os.path.abspath(path) if path else ""}


@contextlib.contextmanager
def tracking() -> Iterator[set[tuple[str, str]]]:
    """Collects the (kind, name) of every `Registry.get` inside the block."""
    used: set[tuple[str, str]] = set()
    _TRACKED.append(used)
    try:
        yield used
    finally:
        _TRACKED.remove(used)


class Registry:
    """A small named registry whose lookups fail with the list of valid names."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Any] = {}
        self._meta: dict[str, dict[str, Any]] = {}
        self._origins: dict[str, dict[str, str]] = {}
        REGISTRIES[kind] = self

    def register(self, name: str, **meta: Any) -> Callable[[T], T]:
        """Decorator registering `obj` under `name`, with optional metadata."""

        origin = _caller_origin(1)

        def decorator(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._entries[name] = obj
            self._meta[name] = dict(meta)
            self._origins[name] = origin
            return obj

        return decorator

    def get(self, name: str) -> Any:
        """Returns the entry for `name`, or raises listing the valid choices."""
        if name not in self._entries:
            raise ValueError(
                f"Unknown {self.kind} {name!r}. Choices: {', '.join(self.names())}."
            )
        for used in _TRACKED:
            used.add((self.kind, name))
        return self._entries[name]

    def origin(self, name: str) -> dict[str, str]:
        """The module (and file) that registered `name`."""
        self.get(name)
        return self._origins[name]

    def meta(self, name: str) -> dict[str, Any]:
        self.get(name)
        return self._meta[name]

    def unregister(self, name: str) -> None:
        """Removes an entry (for tests that register temporary entries)."""
        self._entries.pop(name, None)
        self._meta.pop(name, None)
        self._origins.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
