"""The whole table (issue 12): escape payloads × channels, wire faults, HTTP faults."""

from __future__ import annotations

from tests.hostile.scenario import Scenario
from tests.hostile.scenarios_escape import escape_scenarios
from tests.hostile.scenarios_http import HTTP
from tests.hostile.scenarios_wire import CLOSES, FOLLOW, FRAMES, JSON

SCENARIOS: list[Scenario] = [*escape_scenarios(), *FRAMES, *JSON, *FOLLOW, *CLOSES, *HTTP]

_ids = [s.sid for s in SCENARIOS]
assert len(_ids) == len(set(_ids)), "scenario ids must be unique"
