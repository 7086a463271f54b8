"""Chasing end to end: an overdue follow-up issue reminded on GitHub and told to leadership."""

from __future__ import annotations

from tests.conftest import World
from tests.support import comment, declare, handle


def test_an_overdue_followup_is_chased_every_five_business_days_until_closed(
        world: World) -> None:

    declare(world)
    handle(world, comment(world, "/followup Alert on SAML errors within 5 minutes @lee", 5), 5.5)
    handle(world, comment(world, "/resolve", 10), 10.5)
    [pull] = world.github.pulls.values()
    handle(world, world.github.merge(pull["number"], "sam"), 20, event_name="pull_request")
    [followup] = [i for i in world.github.issues.values()
                  if "incident-followup" in [lb["name"] for lb in i["labels"]]]
    followup["created_at"] = "2026-11-30T15:00:00Z"  # opened on Monday at completion

    def sweep(at: str) -> list[str]:
        run = world.call("sweep", "--now", at)
        assert run.returncode == 0, run.stdout
        return [c["body"] for c in world.github.comments_on(followup["number"])
                if "this follow-up was due" in c["body"]]

    # 20 business days after Monday 2026-11-30, Christmas off: due at the end of 12-29.
    assert sweep("2026-12-29T15:00:00Z") == []
    [first] = sweep("2026-12-30T15:00:00Z")
    assert "@lee: this follow-up was due on 2026-12-29" in first
    overdue = [m for m in world.slack.in_channel("#identity-leadership")
               if m["text"].startswith("Overdue follow-up")]
    assert len(overdue) == 1
    assert len(sweep("2026-12-31T15:00:00Z")) == 1  # not again the next day
    assert len(sweep("2027-01-06T15:00:00Z")) == 1
    assert len(sweep("2027-01-07T15:00:00Z")) == 2  # five business days later (Jan 1 off)
    assert len([m for m in world.slack.in_channel("#identity-leadership")
                if m["text"].startswith("Overdue follow-up")]) == 1
    followup["state"] = "closed"
    assert len(sweep("2027-01-20T15:00:00Z")) == 2  # closed: nothing more
