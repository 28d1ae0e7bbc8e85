"""Each learner mistake gets a clear error in the learner's language, and the kernel keeps working."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

BENGALI = re.compile("[\u0980-\u09ff]")

MISTAKES = {
    "not-an-app": ("perflab.serve(None, name='x')", "NotAnASGIApp"),
    "port-taken": ("perflab.serve(app, name='other', port=holder.port)", "PortInUse"),
    "startup-raises": ("perflab.serve(FastAPI(lifespan=broken), name='broken')", "StartupFailed"),
    "closed-port": ("perflab.load(f'http://127.0.0.1:{free_port}/', concurrency=1, requests=5)", "ServerUnreachable"),
}

SETUP = """
import socket
from contextlib import asynccontextmanager
from fastapi import FastAPI
import perflab
perflab.use_language("bn")
app = FastAPI()
holder = perflab.serve(app, name="holder")

@asynccontextmanager
async def broken(app):
    raise RuntimeError("database is down")
    yield

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    free_port = probe.getsockname()[1]
"""


def _cells(mistake: str) -> list[nbformat.NotebookNode]:
    code = [SETUP, MISTAKES[mistake][0], "perflab.use_language('xx')", "holder.stop()\nprint('kernel alive')"]
    return [nbformat.v4.new_code_cell(source) for source in code]


@pytest.mark.slow
@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistake_gives_a_translated_error_and_the_kernel_survives(mistake: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = _cells(mistake)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    error = next(o for o in nb.cells[1].outputs if o.output_type == "error")
    assert error.ename == MISTAKES[mistake][1]
    assert BENGALI.search(error.evalue), error.evalue
    assert len(error.traceback) == 1, "a learner's mistake shows the message, not perflab's frames"
    unknown = next(o for o in nb.cells[2].outputs if o.output_type == "error")
    assert unknown.ename == "UnknownLanguage" and "bn" in unknown.evalue and len(unknown.traceback) == 1
    assert "kernel alive" in nb.cells[3].outputs[0].text
