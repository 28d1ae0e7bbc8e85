"""FastAPI Performance Lab: serve, load, time, plot and check FastAPI apps inside a notebook."""

from __future__ import annotations

from perflab.i18n import LANGUAGES, current_language, use_language

__all__ = ["LANGUAGES", "current_language", "use_language"]
__version__ = "0.1.0"
