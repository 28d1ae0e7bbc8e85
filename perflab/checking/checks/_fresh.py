"""The learner's code behind a live object, and that code run again: here, or in a fresh Python process."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import linecache
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from perflab.checking.engine import CheckFailed, Namespace
from perflab.checking.learner import run_source
from perflab.i18n import _

__all__ = ["again_elsewhere", "definitions_of", "fresh_process", "learner_code", "run_again", "run_fresh", "run_here"]


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                ast.Assign, ast.AnnAssign)


def _is_definition(node: ast.stmt) -> bool:
    # Bare expressions (demo calls) and top-level awaits only work in a notebook: leave them out.
    if not isinstance(node, _DEFINITIONS):
        return False
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return not any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in ast.walk(node))
    return True


def _defines(source: str, name: str) -> ast.Module | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return tree if name in defined else None


def _notebook_cells(path: str) -> list[str]:
    # A graded notebook's cell is compiled under the notebook's own path, which linecache
    # reads as JSON: look for the code cell instead, without its %magic and !shell lines.
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells if c.get("cell_type") == "code"]
    return ["\n".join(line for line in s.splitlines() if not line.lstrip().startswith(("%", "!"))) for s in sources]


def _code_of_class(cls: type) -> Any:
    # A class (a class-based decorator, say) has no code of its own: its methods' code names the file.
    return next((f.__code__ for f in vars(cls).values() if hasattr(f, "__code__")), None)


def definitions_of(obj: Any, name: str) -> str:
    """Return the imports and definitions of the file or notebook cell that defined ``obj``.

    Args:
        obj: A function the learner defined.
        name: Its name, which that code must define at the top level.
    """
    code = getattr(obj, "__code__", None) or _code_of_class(obj if isinstance(obj, type) else type(obj))
    filename = code.co_filename if code is not None else ""
    candidates = ["".join(linecache.getlines(filename))] if filename else []
    if filename.endswith(".ipynb"):
        candidates += reversed(_notebook_cells(filename))
    tree = next((t for t in map(lambda c: _defines(c, name), candidates) if t is not None), None)
    if tree is None:
        raise CheckFailed(
            _("Cannot read the source code of `{name}`. Define it in the exercise cell or file, not with exec().",
              name=name)
        )
    return ast.unparse(ast.Module(body=[n for n in tree.body if _is_definition(n)], type_ignores=[]))


def learner_code(ns: Namespace, name: str, kind: str) -> str:
    """Return the learner's whole code as it ran, to run again; else the definitions behind ``ns[name]``.

    A file or a notebook's exercise cell is always known whole. Only ``check()`` given objects
    that no ``# exercise:`` cell of this kernel defined falls back to reading their source.

    Args:
        ns: The learner's objects.
        name: The object the exercise asks for, e.g. "cached".
        kind: How the exercise defines it, shown when it is missing.
    """
    obj = ns.require(name, kind)
    return ns.code if ns.code is not None else definitions_of(obj, name)


def run_again(code: str, module_name: str) -> dict[str, Any]:
    """Run the learner's code again in a fresh module here, as a restarted worker would; return its globals.

    Call it from a thread with no running event loop: top-level ``await`` in the code runs on one.

    Args:
        code: The learner's code (see ``learner_code``).
        module_name: The fresh module's name.
    """
    try:
        return run_source(code, "<exercise>", module_name)
    except Exception as exc:
        raise CheckFailed(_("Your code failed when it ran again on its own, as after a restart. Keep everything "
                            "it needs in the exercise cell or file."), actual=f"{type(exc).__name__}: {exc}") from None


# Runs in the fresh process: the learner's code comes on stdin, the probe in argv[1].
_FRESH = """
import asyncio, inspect, json, sys
from perflab.checking.learner import run_source
learner = run_source(sys.stdin.read(), "<exercise>", "perflab_learner")
probe = {"__name__": "perflab_probe"}
exec(compile(sys.argv[1], "<probe>", "exec", dont_inherit=True), probe)
result = probe["main"](learner)
print(json.dumps(asyncio.run(result) if inspect.isawaitable(result) else result))
"""


def _other_hash_seed() -> str:
    # Any seed other than this process's makes hash() of a str differ between the two.
    return "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"


async def run_here(objects: dict[str, Any], probe: str) -> Any:
    """Run ``probe``'s ``main(objects)`` in this process, as ``run_fresh`` does in a new one.

    Args:
        objects: The learner's objects by name.
        probe: Python source that defines ``main(learner)``, sync or async, returning JSON data.
    """
    namespace: dict[str, Any] = {"__name__": "perflab_probe"}
    exec(compile(probe, "<probe>", "exec", dont_inherit=True), namespace)
    result = namespace["main"](objects)
    return await result if inspect.isawaitable(result) else result


def run_fresh(source: str, probe: str, timeout_s: float = 20.0) -> Any:
    """Run the learner's ``source`` and then ``probe``'s ``main(learner)`` in a new Python process.

    The new process has another PYTHONHASHSEED, so anything built on ``hash()`` of a str differs.

    Args:
        source: The learner's code (see ``learner_code``).
        probe: Python source that defines ``main(learner)``, sync or async, returning JSON data.
        timeout_s: How long it may take. Defaults to 20.
    """
    env = {**os.environ, "PYTHONHASHSEED": _other_hash_seed(), "PYTHONIOENCODING": "utf-8"}
    try:
        done = subprocess.run([sys.executable, "-c", _FRESH, probe], input=source, capture_output=True,
                              text=True, encoding="utf-8", env=env, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise CheckFailed(_("Your code did not finish in a fresh Python process within {seconds:g} s.",
                            seconds=timeout_s)) from None
    if done.returncode != 0:
        raise _fresh_failed((done.stderr.strip().splitlines() or [""])[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])



def _fresh_failed(detail: str) -> CheckFailed:
    return CheckFailed(_("Your code failed in a fresh Python process. Keep everything it needs in the "
                         "exercise cell or file."), actual=detail)


async def _start_fresh(ns: Namespace, code: str, hash_seed: str | None) -> dict[str, Any]:
    """Start another subject that runs ``code``, kept until the judge's subject ends; return its objects."""
    fresh = ns.subject.fresh(code, hash_seed)
    ns.subject.adopt(fresh)
    outcome, objects = await asyncio.to_thread(fresh.start)
    if not outcome.passed:
        raise _fresh_failed(outcome.message)
    return objects


async def fresh_process(ns: Namespace, source: str, probe: str) -> Any:
    """Run ``source`` in a new process with another hash seed, then ``probe``'s ``main(learner)`` on it.

    Judged (``ns.subject`` set), the new process is another subject and the probe runs here, so
    what it reports is observed here; otherwise ``run_fresh`` runs both there.

    Args:
        ns: The learner's objects.
        source: The learner's code (see ``learner_code``).
        probe: Python source that defines ``main(learner)``, sync or async, returning JSON data.
    """
    if ns.subject is None:
        return await asyncio.to_thread(run_fresh, source, probe)
    return await run_here(await _start_fresh(ns, source, _other_hash_seed()), probe)


async def again_elsewhere(ns: Namespace, code: str, module_name: str) -> dict[str, Any]:
    """Run the learner's code again as a restarted worker would; return its objects.

    Judged, the restart is a new subject process; otherwise a fresh module here (``run_again``).

    Args:
        ns: The learner's objects.
        code: The learner's code (see ``learner_code``).
        module_name: The fresh module's name, when it runs here.
    """
    if ns.subject is None:
        return await asyncio.to_thread(run_again, code, module_name)
    return await _start_fresh(ns, code, None)
