"""Reference verification API service."""
