"""The standard-library reads follow a renamed repository as GitHub answers it.

A run from a terminal reads the repository first (`GitHubReads.repository`, shell/terminal.py)
to learn its `full_name` as GitHub spells it. A repository renamed or transferred since the
person typed its old name answers `301 Moved Permanently` with a `Location` on the API
(`/repositories/{id}`): the Octokit maintainers' recording `rename-repository`
(tests/fixtures/github/octokit-fixtures/, ORIGIN.md there). This replays that recording's two
GET answers, word for word, from a loopback HTTPS server, and checks the reads end at the new
name, as PyGithub's requests does for the full run.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from incident_response.adapters.github.reads import GitHubReads
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, Refusal

RECORDING = (Path(__file__).resolve().parents[1] / "fixtures" / "github" / "octokit-fixtures"
             / "rename-repository" / "normalized-fixture.json")
RECORDED_HOST = "https://api.github.com"


class Replay:
    """A loopback HTTPS server answering each recorded GET path with its recorded answer."""

    def __init__(self, tls: ssl.SSLContext, answers: dict[str, dict[str, Any]]) -> None:
        replay = self
        self.asked: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                replay.asked.append(self.path)
                recorded = answers.get(self.path)
                status = recorded["status"] if recorded else 404
                body = json.dumps(recorded["response"] if recorded else {
                    "message": "Not Found"}).encode()
                self.send_response(status)
                for name, value in (recorded or {}).get("headers", {}).items():
                    sent = str(value).replace(RECORDED_HOST, replay.url) if (
                        name.lower() == "location") else str(value)
                    if name.lower() not in ("content-length", "transfer-encoding"):
                        self.send_header(name, sent)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def recorded_gets(server_tls: ssl.SSLContext) -> Iterator[Replay]:
    gets = {entry["path"]: entry for entry in json.loads(RECORDING.read_text(encoding="utf-8"))
            if entry["method"].lower() == "get"}
    assert gets["/repos/octokit-fixture-org/rename-repository"]["status"] == 301
    replay = Replay(server_tls, gets)
    yield replay
    replay.stop()


def _reads(replay: Replay, repository: str, bundle: Path) -> GitHubReads:
    transport = Transport(attempts=1, timeout_seconds=5, backoff_seconds=0.01,
                          ca_file=str(bundle))
    return GitHubReads("0000000000000000000000000000000000000001", repository, replay.url,
                       transport)


def test_a_renamed_repository_is_read_under_its_new_name(
        recorded_gets: Replay, certificate_authority: tuple[trustme.CA, Path]) -> None:
    reads = _reads(recorded_gets, "octokit-fixture-org/rename-repository",
                   certificate_authority[1])
    assert reads.repository()["full_name"] == "octokit-fixture-org/rename-repository-newname"
    assert recorded_gets.asked == ["/repos/octokit-fixture-org/rename-repository",
                                   "/repositories/1000"]


def test_a_name_github_does_not_know_stays_a_refusal(
        recorded_gets: Replay, certificate_authority: tuple[trustme.CA, Path]) -> None:
    reads = _reads(recorded_gets, "octokit-fixture-org/no-such-repository",
                   certificate_authority[1])
    with pytest.raises(PermanentServiceError) as caught:
        reads.repository()
    assert caught.value.reason is Refusal.GONE
    assert recorded_gets.asked == ["/repos/octokit-fixture-org/no-such-repository"]
