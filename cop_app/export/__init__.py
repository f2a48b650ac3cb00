"""Exports of the picture to files that leave the watch floor."""
