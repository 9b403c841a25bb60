"""Shared pytest fixtures: the simulator lives in pardot_sim.testing."""

pytest_plugins = ["pardot_sim.testing"]
