"""pardot_sim: a local, stateful Salesforce Pardot simulator for tests, benchmarks and demos."""

from pardot_sim.simulator import Simulator

__all__ = ["Simulator"]
