"""The four fakes, one module per vendor (kept as one import for the benches)."""

from tests.fakes.common import FIXTURES
from tests.fakes.datadog import FakeDatadog
from tests.fakes.github import FakeGitHub, required_permission
from tests.fakes.pagerduty import FakePagerDuty
from tests.fakes.slack import FakeSlack

__all__ = ["FIXTURES", "FakeDatadog", "FakeGitHub", "FakePagerDuty", "FakeSlack",
           "required_permission"]
