"""orgchange: an agent-based model of how leadership spreads commitment to
quality through a hospital.

>>> from simulation import OrgChangeModel
>>> df = OrgChangeModel(staff=200, weeks=26, seed=3).run()

The names below are imported on first use (PEP 562), so that importing a
light module such as `simulation.rules` or `simulation.parameters` does not
load Mesa, pandas, SciPy or networkx.
"""

from __future__ import annotations

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = metadata.version("orgchange")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

_LAZY = {
    "Config": "simulation.config",
    "ConfigError": "simulation.config",
    "OrgChangeModel": "simulation.model",
    "ChartError": "simulation.organization",
    "Organization": "simulation.organization",
}

if TYPE_CHECKING:
    from simulation.config import Config, ConfigError
    from simulation.model import OrgChangeModel
    from simulation.organization import ChartError, Organization


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value  # looked up once
        return value
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = ["ChartError", "Config", "ConfigError", "OrgChangeModel", "Organization", "__version__"]
