"""wfm: terminal-first workforce management for contact centres."""

__version__ = "0.1.0"
