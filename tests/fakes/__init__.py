"""Loopback fakes of GitHub, Datadog, Slack and PagerDuty for end-to-end tests.

Each is a real HTTPS server on 127.0.0.1 (certificates from a throwaway test CA made by
trustme), keeps the state the real service would, checks every request against the vendor's
OpenAPI description from `tests/fixtures/`, and injects faults on demand.
"""
