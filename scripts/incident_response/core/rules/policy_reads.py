"""What the page's decision reads of the policy: protocols, for the type checker only.

The page of a report just opened is decided twice over on a runner: by the Action's first step,
on the runner's own Python before any dependency is installed, and again by the full run, which
records it. Both run the same code (the form's validation, the classification, the page), and
that code reads the policy through these protocols, not through the typed model
(`policy.Policy`, which needs pydantic): the model satisfies them as it is, and the first step
passes a `policy_view.PolicyView`. Modules import this under TYPE_CHECKING only, so it costs
the first step nothing at run time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from incident_response.core.vocabulary import Priority, Severity

__all__ = ["ClassifyingPolicy", "FormPolicy", "LabelPolicy", "Named", "PagePolicy"]


class Named(Protocol):
    @property
    def name(self) -> str: ...


class _Environment(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def tier(self) -> int: ...


class _Impact(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def severity(self) -> Severity: ...


class _Severities(Protocol):
    @property
    def user_impact(self) -> Sequence[_Impact]: ...

    @property
    def multiple_providers(self) -> Severity: ...

    @property
    def sign_in_providers(self) -> Sequence[str]: ...


class _Matrix(Protocol):
    @property
    def user_thresholds(self) -> Sequence[int]: ...

    @property
    def boundary(self) -> str: ...

    @property
    def rows(self) -> Mapping[int, Sequence[Priority]]: ...

    @property
    def no_users_priority(self) -> Priority: ...


class _Service(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def recovery_procedure(self) -> str | None: ...


class _Rule(Protocol):
    @property
    def page(self) -> bool: ...


class _Labels(Protocol):
    @property
    def incident(self) -> str: ...

    @property
    def priority_prefix(self) -> str: ...

    @property
    def severity_prefix(self) -> str: ...

    @property
    def phase_prefix(self) -> str: ...


class _Permissions(Protocol):
    @property
    def declare(self) -> str: ...


class LabelPolicy(Protocol):
    """What reading a label's phase, priority or severity needs."""

    @property
    def labels(self) -> _Labels: ...


class FormPolicy(Protocol):
    """What validating the form's answers reads."""

    @property
    def services(self) -> Sequence[Named]: ...

    @property
    def environments(self) -> Sequence[_Environment]: ...

    @property
    def severity(self) -> _Severities: ...


class ClassifyingPolicy(Protocol):
    """What the classification reads."""

    @property
    def priority_matrix(self) -> _Matrix: ...

    @property
    def severity(self) -> _Severities: ...

    def environment(self, name: str) -> _Environment | None: ...


class PagePolicy(FormPolicy, ClassifyingPolicy, LabelPolicy, Protocol):
    """Everything the page of a report just opened is decided from."""

    @property
    def permissions(self) -> _Permissions: ...

    def service(self, name: str) -> _Service | None: ...

    def rule(self, priority: Priority) -> _Rule: ...
