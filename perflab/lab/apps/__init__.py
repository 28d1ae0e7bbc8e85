"""Tiny FastAPI apps that the course serves and load-tests, importable as ``perflab.lab.apps.<name>:app``."""

from __future__ import annotations

__all__: list[str] = []
