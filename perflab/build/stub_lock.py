"""Keep ``exercises/stubs.lock`` in step with the stubs: the fixed reference ``perflab reset`` restores from."""

from __future__ import annotations

from pathlib import Path

from perflab.build.notebooks import write_if_changed
from perflab.checking.manifest import ManifestError, load_manifest
from perflab.checking.shipped import LOCK_PATH, stub_lock

__all__ = ["stub_lock_problem", "write_stub_lock"]


def write_stub_lock(root: Path) -> bool:
    """Write the lock for the stubs as they are now; return True if it changed.

    Args:
        root: The repository root.
    """
    if not (root / "exercises" / "manifest.toml").exists():
        return False
    return write_if_changed(root / LOCK_PATH, stub_lock(load_manifest(root)))


def stub_lock_problem(root: Path) -> str | None:
    """Return what is wrong with the lock, or None when it names the stubs as they are now.

    Args:
        root: The repository root.
    """
    if not (root / "exercises" / "manifest.toml").exists():
        return None
    try:
        wanted = stub_lock(load_manifest(root))
    except (ManifestError, OSError) as error:
        return f"cannot read the stubs: {error}"
    path = root / LOCK_PATH
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    return None if current == wanted else "out of date with the stubs: run make notebooks"
