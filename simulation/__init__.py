"""orgchange: an agent-based model of how leadership spreads commitment to
quality through a hospital.

>>> from simulation import OrgChangeModel
>>> df = OrgChangeModel(staff=200, weeks=26, seed=3).run()
"""

from simulation.config import Config, ConfigError
from simulation.model import OrgChangeModel
from simulation.organization import ChartError, Organization

__version__ = "0.1.0"

__all__ = ["ChartError", "Config", "ConfigError", "OrgChangeModel", "Organization", "__version__"]
