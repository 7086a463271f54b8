"""Names compared the way GitHub compares them.

GitHub treats label names, logins and repository owners and names as case-insensitive: a
repository cannot have both `Incident` and `incident` (creating the second is 422
`already_exists`, hackebrot/labels#15, git-bug/git-bug#176), adding `incident` to an issue
attaches the repository's `Incident`, removing `phase:active` removes `Phase:Active`, and the
workflow expressions' `contains()` and `==` ignore case ("Expressions", docs.github.com). A
tool that compares them exactly misses a repository's own spelling: actions/stale#1 kept
labelling issues whose `Stale` label it did not recognise as its `stale`, and
Mergifyio/mergify#3935 fixed the same mistake. Branch names, by contrast, are git refs and
case-sensitive, and are compared exactly wherever they are compared.

Light on purpose (standard library only): the event's first look, which decides whether an
event is about an incident before anything heavy loads, uses it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["fold", "same", "spelled", "starts_with", "without_prefix"]


def fold(name: str) -> str:
    """The form two names share when GitHub counts them as one."""
    return name.casefold()


def same(a: str | None, b: str | None) -> bool:
    """Whether GitHub counts these two labels (or logins, or repositories) as one."""
    if a is None or b is None:
        return a is b
    return fold(a) == fold(b)


def spelled(name: str, names: Iterable[str]) -> str | None:
    """How `names` (the repository's or the issue's labels) spell `name`, None if absent."""
    folded = fold(name)
    return next((candidate for candidate in names if fold(candidate) == folded), None)


def starts_with(name: str, prefix: str | tuple[str, ...]) -> bool:
    prefixes = (prefix,) if isinstance(prefix, str) else prefix
    return any(fold(name[:len(p)]) == fold(p) for p in prefixes)


def without_prefix(name: str, prefix: str) -> str | None:
    """What follows `prefix` in `name` (GitHub's spelling kept), None without the prefix."""
    return name[len(prefix):] if starts_with(name, prefix) else None
