"""What a translation must keep of its source: placeholders, code, link targets, anchors, roles, tags."""

from __future__ import annotations

import re
import string
from collections import Counter

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from perflab.build.notebooks import heading_anchors

__all__ = ["KINDS", "compare_markup", "markup", "short"]

KINDS = ("placeholder", "code span", "code block", "link target", "heading anchor", "role", "directive", "HTML tag")
_ORDERED = {"code block", "heading anchor", "directive"}
_MD = MarkdownIt("commonmark").use(myst_role_plugin).use(colon_fence_plugin).enable("table")
_TAG = re.compile(r"<(/?[A-Za-z][\w-]*)")
_FIELD = re.compile(r"\{([A-Za-z_]\w*)(?:[!:][^{}]*)?\}")

def short(text: str, width: int = 60) -> str:
    """Return ``text`` on one line, cut to ``width`` characters, quoted.

    Args:
        text: Any text.
        width: The most characters kept. Defaults to 60.
    """
    line = " ".join(text.split())
    return repr(line if len(line) <= width else line[: width - 1] + "…")


def _brace_fields(text: str) -> list[str]:
    """Return the ``str.format`` fields of ``text``, like ``{port}`` or ``{rps:.1f}``."""
    parsed = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    return ["{" + n + (f"!{c}" if c else "") + (f":{s}" if s else "") + "}" for n, s, c in parsed]


def _collect(tokens: list[Token], found: dict[str, list[str]]) -> None:
    for token in tokens:
        kind = token.type
        if kind == "code_inline":
            found["code span"].append(token.content)
        elif kind in ("fence", "colon_fence") and token.info.startswith("{"):
            found["directive"].append(token.info.split("}")[0] + "}")
            _collect(_MD.parse(token.content), found)  # a directive's body is prose, translated
        elif kind in ("fence", "code_block"):
            found["code block"].append(f"{token.markup}{token.info}\n{token.content}{token.markup}")
        elif kind == "myst_role":
            found["role"].append("{" + token.meta["name"] + "}")
        elif kind in ("html_inline", "html_block"):
            found["HTML tag"].extend(f"<{tag}>" for tag in _TAG.findall(token.content))
        elif kind in ("link_open", "image"):
            found["link target"].append(str(token.attrs.get("href", token.attrs.get("src", ""))))
        elif kind == "text":
            found["placeholder"].extend("{" + name + "}" for name in _FIELD.findall(token.content))
        _collect(token.children or [], found)


def markup(text: str, brace_format: bool = False) -> dict[str, list[str]]:
    """Return what a translation must keep: placeholders, code, link targets, anchors, roles, directives, tags.

    Args:
        text: A msgid or msgstr (markdown).
        brace_format: Read placeholders as ``str.format`` fields. Defaults to False.
    """
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    _collect(_MD.parse(text), found)
    found["heading anchor"] = [anchor for _, anchor in heading_anchors(text)]
    if brace_format:
        found["placeholder"] = _brace_fields(text)
    return found


def compare_markup(source: str, translation: str, brace_format: bool = False) -> list[str]:
    """Return what ``translation`` loses, adds or reorders of ``source``'s markup, one phrase each.

    Args:
        source: The English msgid.
        translation: The msgstr.
        brace_format: The message is a ``str.format`` template. Defaults to False.
    """
    try:
        before, after = markup(source, brace_format), markup(translation, brace_format)
    except ValueError as error:
        return [f"is not a valid format string ({error})"]
    said = []
    for kind in KINDS:
        old, new = before[kind], after[kind]
        if kind == "code span":  # may repeat or move, but each one must be there verbatim
            said += [f"loses code span {short(span)}" for span in dict.fromkeys(old) if span not in new]
            continue
        lost, added = Counter(old) - Counter(new), Counter(new) - Counter(old)
        said += [f"loses {kind} {short(item)}" for item in lost.elements()]
        said += [f"adds {kind} {short(item)}" for item in added.elements()]
        if not lost and not added and kind in _ORDERED and old != new:
            said.append(f"reorders {kind}s: {old} became {new}")
    return said
