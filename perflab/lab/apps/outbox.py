"""A signup app that sends its welcome email after the response: ``perflab.lab.apps.outbox:app``.

Each worker process appends the address of every email it finished to its own outbox file,
:func:`outbox_path` of its pid, so a lesson can count the emails that a killed worker never sent.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from fastapi import BackgroundTasks, FastAPI

__all__ = ["app", "outbox_path"]

app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


def outbox_path(pid: int) -> Path:
    """Return the file where worker ``pid`` records the emails it finished.

    Args:
        pid: The worker's process id, e.g. from ``server.pids``.
    """
    return Path(tempfile.gettempdir()) / f"perflab-outbox-{pid}.txt"


async def send_welcome_email(email: str, seconds: float) -> None:
    """Take ``seconds`` to "send" an email, then record it in this worker's outbox.

    Args:
        email: The address.
        seconds: How long the email provider takes.
    """
    await asyncio.sleep(seconds)
    with outbox_path(os.getpid()).open("a", encoding="utf-8") as outbox:
        outbox.write(email + "\n")


@app.post("/signup")
async def signup(email: str, background: BackgroundTasks, seconds: float = 0.5) -> dict[str, str]:
    """Answer at once and send the welcome email after the response.

    Args:
        email: The new user's address.
        background: FastAPI's tasks for after the response.
        seconds: How long the email takes. Defaults to 0.5.
    """
    background.add_task(send_welcome_email, email, seconds)
    return {"email": email}
