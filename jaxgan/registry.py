"""Name -> object registries, so configs pick losses, networks and datasets by name.

Adding a loss, penalty, network or dataset is one definition plus one
`@REGISTRY.register("name")` line; nothing else in the trainer changes.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")


class Registry:
    """A small named registry whose lookups fail with the list of valid names."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Any] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def register(self, name: str, **meta: Any) -> Callable[[T], T]:
        """Decorator registering `obj` under `name`, with optional metadata."""

        def decorator(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._entries[name] = obj
            self._meta[name] = dict(meta)
            return obj

        return decorator

    def get(self, name: str) -> Any:
        """Returns the entry for `name`, or raises listing the valid choices."""
        if name not in self._entries:
            raise ValueError(
                f"Unknown {self.kind} {name!r}. Choices: {', '.join(self.names())}."
            )
        return self._entries[name]

    def meta(self, name: str) -> dict[str, Any]:
        self.get(name)
        return self._meta[name]

    def unregister(self, name: str) -> None:
        """Removes an entry (for tests that register temporary entries)."""
        self._entries.pop(name, None)
        self._meta.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
