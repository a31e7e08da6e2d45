from workforce_platform.config.scenario import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario"]
