"""Where the course lives: the repository with ``chapters/``, or ``PERFLAB_ROOT`` when set."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["course_root", "repo_root"]


def repo_root() -> Path:
    """Return the course repository: the nearest folder up from here that has ``chapters/``."""
    for folder in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parent.parent]:
        if (folder / "chapters").is_dir():
            return folder
    return Path.cwd()


def course_root() -> Path:
    """Return the course root: ``PERFLAB_ROOT`` if set, else the repository found by :func:`repo_root`."""
    override = os.environ.get("PERFLAB_ROOT")
    if override:
        return Path(override).resolve()
    return repo_root()
