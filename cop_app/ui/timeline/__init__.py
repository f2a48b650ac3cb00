"""The timeline: counts over time, the time cursor, replay and the time-window brush."""

from cop_app.ui.timeline.view import TimelineView

__all__ = ["TimelineView"]
