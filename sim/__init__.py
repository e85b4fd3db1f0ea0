"""govsim: agent-based comparison of municipal governance models (BUM, HOD, model municipality).

``from sim import run`` is the one entry point every tool uses.
"""

from sim.errors import GovsimError
from sim.runner import RunResult, run
from sim.scenario import Scenario, load_scenario

__version__ = "0.1.0"
__all__ = ["run", "RunResult", "Scenario", "load_scenario", "GovsimError", "__version__"]
