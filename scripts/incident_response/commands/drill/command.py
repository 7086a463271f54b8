"""The `drill` command: pick the scenario, the policy and the clock, then run it."""

from __future__ import annotations

import argparse
from pathlib import Path

from incident_response.commands.drill.runner import run_drill
from incident_response.commands.drill.scenarios import SCENARIOS, for_policy
from incident_response.core.errors import UsageError
from incident_response.shell.configuration import form_template, load_policy
from incident_response.shell.context import RunContext

__all__ = ["drill"]


def drill(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    scenario = SCENARIOS.get(arguments.scenario)
    if scenario is None:
        msg = (f"--scenario {arguments.scenario!r} is not a drill; choose one of "
               f"{', '.join(SCENARIOS)}")
        raise UsageError(msg)
    start = context.now.replace(second=0, microsecond=0)
    policy, template = load_policy(config), form_template(arguments.form)
    return run_drill(for_policy(scenario, policy, template), policy, template, start,
                     arguments.output)
