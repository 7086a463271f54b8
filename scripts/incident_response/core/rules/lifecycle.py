"""The incident's lifecycle as data: its phases, what each means, and the moves between them.

Commands, label edits, mirrors, reminders and the sweep all ask this table; none keeps a list
of phases of its own. Adding a phase is one entry in `Phase`, one row in `PHASES` and its moves
in `MOVES` (plus its label's colour and the texts that name it).
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_response.core.vocabulary import Phase

__all__ = ["MOVES", "PHASES", "PhaseTraits", "command_for", "traits"]


@dataclass(frozen=True)
class PhaseTraits:
    """What being in a phase implies for the rest of the program."""

    #: the incident was declared: paged, in the incident tool, announced (as its priority says)
    declared: bool
    #: customers may still be impacted: reminders run, the page stays open
    live: bool
    #: the sweep still watches it (live, or waiting for its post-mortem)
    watched: bool
    #: the resolution happened: the page is resolved, the recovery checklist posted
    ended: bool


PHASES: dict[Phase, PhaseTraits] = {
    Phase.TRIAGE: PhaseTraits(declared=False, live=False, watched=False, ended=False),
    Phase.ACTIVE: PhaseTraits(declared=True, live=True, watched=True, ended=False),
    Phase.STABLE: PhaseTraits(declared=True, live=True, watched=True, ended=False),
    Phase.RESOLVED: PhaseTraits(declared=True, live=False, watched=True, ended=True),
    Phase.COMPLETED: PhaseTraits(declared=True, live=False, watched=False, ended=True),
}

#: (from, to) -> what makes that move. A move not listed is refused (a label edit reverted).
#: Moves made by a command or a label: declare, mitigate, resolve, and back to active from
#: stable when impact returns. Moves made by GitHub facts: the post-mortem merge completes a
#: resolved incident; reopening the issue makes an ended incident active again.
MOVES: dict[tuple[Phase, Phase], str] = {
    (Phase.TRIAGE, Phase.ACTIVE): "declare",
    (Phase.ACTIVE, Phase.STABLE): "mitigate",
    (Phase.ACTIVE, Phase.RESOLVED): "resolve",
    (Phase.STABLE, Phase.RESOLVED): "resolve",
    (Phase.STABLE, Phase.ACTIVE): "reactivate",
    (Phase.RESOLVED, Phase.COMPLETED): "merge",
    (Phase.RESOLVED, Phase.ACTIVE): "reopen",
    (Phase.COMPLETED, Phase.ACTIVE): "reopen",
}


def traits(phase: Phase) -> PhaseTraits:
    return PHASES[phase]


def command_for(source: Phase, target: Phase) -> str | None:
    """What moves an incident from `source` to `target`, or None when nothing may."""
    return MOVES.get((source, target))


def phases(**wanted: bool) -> tuple[Phase, ...]:
    """The phases with these traits, in lifecycle order: `phases(live=True)`."""
    return tuple(p for p, t in PHASES.items()
                 if all(getattr(t, name) == value for name, value in wanted.items()))
