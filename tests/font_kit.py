"""Marks for tests that draw Bangla: they need a font with Bengali letters."""

from __future__ import annotations

import os

import pytest

from perflab.plots.fonts import find_bengali_font

# Asked the way the course asks, so a font installed after matplotlib cached its list counts.
# CI installs fonts-noto-core, so there a missing font fails these tests instead of skipping them.
needs_bengali_font = pytest.mark.skipif(
    find_bengali_font() is None and not os.environ.get("CI"),
    reason="no Bengali font installed (Debian: fonts-noto-core)",
)
