"""Run a server's own command line so that it dies with the kernel: ``python -m perflab.serving._exec PID -- ARGV``.

Linux keeps the parent-death signal across ``exec``, so uvicorn's or gunicorn's manager gets
SIGTERM, and stops its workers, even when the kernel that started it is killed.
"""

from __future__ import annotations

import os
import sys

from perflab.serving.lifetime import die_with_parent

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Ask for SIGTERM when the parent dies, then become the command.

    Args:
        argv: ``[parent_pid, "--", program, *args]``. Defaults to ``sys.argv[1:]``.
    """
    args = sys.argv[1:] if argv is None else argv
    die_with_parent(int(args[0]))
    command = args[2:]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
