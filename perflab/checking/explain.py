"""Say what an exception from a learner's code means, and where it came from, in the learner's language."""

from __future__ import annotations

import errno
import os
import resource
import sys
import traceback
from collections.abc import Callable

from perflab.i18n import _

__all__ = ["LIMIT_ERRNOS", "explain", "learner_line", "memory_limit_mb"]

_OURS = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))),  # perflab itself
         os.path.abspath(sys.base_prefix), os.path.abspath(sys.prefix))  # the standard library, site-packages


# The limits of a graded run, as the errors they cause: each message keeps the error's own text.
_OS_LIMITS: dict[int, Callable[[object, str], str]] = {
    errno.EAGAIN: lambda line, error: _(
        "Your code tried to start more processes than a check allows, on line {line} ({error}). "
        "Look for a fork or a process pool in a loop.", line=line, error=error),
    errno.EROFS: lambda line, error: _(
        "Your code tried to write where checked code may not, on line {line} ({error}). Only its current "
        "folder can be written (it is also TMPDIR), and it is private to the check.", line=line, error=error),
    errno.ENOSPC: lambda line, error: _(
        "Your code filled the disk space a check has, on line {line} ({error}). Write less, or nothing: an "
        "exercise needs no files.", line=line, error=error),
}


LIMIT_ERRNOS = frozenset(_OS_LIMITS)


def learner_line(error: BaseException) -> tuple[str, int] | None:
    """Return the file name and line, in the learner's code, where ``error`` was raised, or None.

    Args:
        error: The exception.
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if f.lineno and not os.path.abspath(f.filename).startswith(_OURS) and not f.filename.startswith("<frozen")]
    return (os.path.basename(frames[-1].filename), frames[-1].lineno) if frames else None


def memory_limit_mb() -> int | None:
    """Return this process's address-space limit in MB, or None when it has none."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft // 2**20


def explain(error: BaseException) -> str:
    """Return the message for an exception the learner's code raised, naming its line where known.

    Args:
        error: The exception.
    """
    where = getattr(error, "_perflab_where", None) or learner_line(error)  # the subject says where, when judged
    line = where[1] if where else "?"
    if isinstance(error, SystemExit):
        return _("Your code called sys.exit({code}) on line {line}; an exercise must return a value instead.",
                 code="" if error.code is None else repr(error.code), line=line)
    if isinstance(error, MemoryError):
        limit = getattr(error, "_perflab_limit_mb", None) or memory_limit_mb()
        return _("Your code ran out of memory on line {line}: a check may use {limit} MB. Look for a list or a "
                 "buffer that grows without end.", line=line, limit=limit if limit else "?")
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, RuntimeError) and "different event loop" in str(error):
        return _("Your code reused an asyncio object made for another event loop ({error}). A Semaphore, Lock, "
                 "Queue or client made once, at module level or in an earlier call, keeps its first loop and its "
                 "first limit, frozen: make it inside the function, once per call.", error=text)
    if isinstance(error, OSError) and error.errno in _OS_LIMITS:
        return _OS_LIMITS[error.errno](line, text)
    if where:
        return _("Your code raised an exception on line {line}: {error}", line=line, error=text)
    return _("Your code raised an exception: {error}", error=text)
