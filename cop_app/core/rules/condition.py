"""What a rule says: a condition that holds now for one subject."""

from __future__ import annotations

from typing import Any, NamedTuple

from cop_app.core.enums import Severity


class Condition(NamedTuple):
    """``(subject, rule)`` holds at ``time``; the server turns it into at most one alert.

    ``message`` must stay the same while nothing meaningful changes (no live numbers
    such as "silent for 17 min"): the server rewrites an alert only when its message or
    severity changes, so a moving track does not produce a stream of versions. A
    NamedTuple: rules build thousands per evaluation; a frozen dataclass costs more.
    """

    subject: str
    rule: str
    severity: Severity
    time: float
    lat: float | None
    lon: float | None
    message: str
    zone: str | None = None
    details: dict[str, Any] | None = None  # rule-specific facts (positions, times)

    @property
    def key(self) -> tuple[str, str]:
        return (self.subject, self.rule)


Conditions = dict[tuple[str, str], Condition]

