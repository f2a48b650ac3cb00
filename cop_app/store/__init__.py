"""Offline store: the SQLite cache of the last picture (the MBTiles tile cache comes later)."""

from cop_app.store.cache import AutoSave, PictureCache, default_cache_path
from cop_app.store.guard import CacheProblem

__all__ = ["AutoSave", "CacheProblem", "PictureCache", "default_cache_path"]
