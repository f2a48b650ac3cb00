"""cop-app: a multi-domain common operating picture for ceasefire monitoring."""

__version__ = "0.1.0"
