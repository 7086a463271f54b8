"""The loopback fakes with a throwaway CA, for the benchmark scripts (as the tests use them)."""

from __future__ import annotations

import ssl
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import trustme  # noqa: E402
from tests.conftest import TEST_CONFIG, World  # noqa: E402
from tests.fakes.services import FakeDatadog, FakeGitHub, FakePagerDuty, FakeSlack  # noqa: E402

__all__ = ["ROOT", "Loopback"]


class Loopback:
    """A working folder with the test policy, a CA, and fresh fakes on demand."""

    def __init__(self) -> None:
        ca = trustme.CA()
        self.workdir = Path(tempfile.mkdtemp())
        self.bundle = self.workdir / "ca.pem"
        ca.cert_pem.write_to_path(str(self.bundle))
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost", "127.0.0.1").configure_cert(self.tls)
        (self.workdir / ".github").mkdir()
        self.config = self.workdir / ".github" / "incident-response.yml"
        self.config.write_text(TEST_CONFIG)

    def world(self) -> World:
        fakes = (FakeGitHub(self.tls), FakeDatadog(self.tls), FakeSlack(self.tls),
                 FakePagerDuty(self.tls))
        return World(*fakes, workdir=self.workdir, ca_bundle=self.bundle)

    @staticmethod
    def stop(world: World) -> None:
        for fake in (world.github, world.datadog, world.slack, world.pagerduty):
            fake.stop()
