"""Permission levels per area: the pure rules of who may do what on a company."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum


class Area(StrEnum):
    ACTIVE_INVOICES = "active_invoices"
    RECEIVED_INVOICES = "received_invoices"
    REPORTS = "reports"
    SETTINGS = "settings"


class Level(IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2
    ADMIN = 3

    @classmethod
    def named(cls, name: str) -> Level:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


Levels = dict[Area, Level]

FULL: Levels = dict.fromkeys(Area, Level.ADMIN)
NOTHING: Levels = dict.fromkeys(Area, Level.NONE)


def levels_from(raw: Mapping[str, str] | None, default: Levels = NOTHING) -> Levels:
    """Levels from their stored/JSON form {"active_invoices": "write", ...}; missing areas default."""
    levels = dict(default)
    for area, level in (raw or {}).items():
        levels[Area(area)] = Level.named(level)
    return levels


def levels_json(levels: Levels) -> dict[str, str]:
    return {area.value: level.label for area, level in levels.items()}


def intersect(*grants: Levels) -> Levels:
    """What holds under every grant at once: the lowest level per area."""
    return {area: min(grant.get(area, Level.NONE) for grant in grants) for area in Area}


def sees(levels: Levels) -> bool:
    return any(level > Level.NONE for level in levels.values())
