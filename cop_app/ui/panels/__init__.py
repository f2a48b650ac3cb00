"""Dock panels: Layers, Tracks, Reports, Alerts, Details (views of the Picture via the Hub)."""
