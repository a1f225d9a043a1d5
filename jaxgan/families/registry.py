"""The family registry: `config.family.name` picks one (members import it from here)."""

from jaxgan.registry import Registry

FAMILIES = Registry("family")
