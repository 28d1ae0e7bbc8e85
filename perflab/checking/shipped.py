"""The stubs as shipped with the course: ``exercises/stubs.lock`` names each one by its git blob id.

``perflab reset`` restores a stub from that fixed reference, so a learner who committed their
own work still gets the course's version back, never their own commit. The build writes the
lock (``make notebooks``) and the gate fails when it is stale.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from perflab.checking.manifest import Exercise, Manifest
from perflab.errors import PerflabError
from perflab.i18n import _

__all__ = ["LOCK_PATH", "git_blob_id", "locked_stubs", "shipped_stub", "stub_lock"]

LOCK_PATH = "exercises/stubs.lock"


def git_blob_id(data: bytes) -> str:
    """Return the id git gives a file with these bytes (``git hash-object``).

    Args:
        data: The file's bytes.
    """
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's own naming, not security


def stub_lock(manifest: Manifest) -> str:
    """Return the lock file's text for the stubs as they are now: exercise id to path and blob id.

    Args:
        manifest: The course's exercises.
    """
    entries = {e.id: {"stub": e.stub, "git_blob": git_blob_id((manifest.root / e.stub).read_bytes())}
               for e in manifest.exercises}
    return json.dumps(entries, indent=1, sort_keys=True) + "\n"


def locked_stubs(root: Path) -> dict[str, dict[str, str]]:
    """Return the lock's entries, or an empty dict when the course has none.

    Args:
        root: The course root.
    """
    try:
        data = json.loads((root / LOCK_PATH).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def shipped_stub(root: Path, exercise: Exercise) -> bytes:
    """Return the stub of ``exercise`` as shipped, from git's object store, whatever HEAD holds now.

    Args:
        root: The course root, a git clone.
        exercise: The exercise.
    """
    blob = locked_stubs(root).get(exercise.id, {}).get("git_blob", "")
    done = subprocess.run(["git", "-C", str(root), "cat-file", "blob", blob], capture_output=True, timeout=30) \
        if blob else None
    if done is None or done.returncode != 0 or git_blob_id(done.stdout) != blob:
        raise PerflabError(_("Cannot find the original of {path}: the course folder must be a git clone.",
                             path=exercise.stub))
    return done.stdout
