"""How values cross between the judge and the subject: data by value, everything else by reference.

A frame is a JSON header and binary blobs (bytes travel as they are, never as base64). Plain data
(``None``, numbers, strings, lists, tuples, dicts, sets, bytes) goes by value. Any other object
goes as a handle: the receiving side gets a stub that forwards every use back to its owner.

A module's globals (a dict with ``__builtins__``) goes by reference too, so that a check can swap
an object where the learner's function reads it. Only the judge may send pickles (``$p``: dates, decimals, dataclasses, models, exceptions). The
subject runs the learner's code, so what it sends is decoded as JSON and handles alone: nothing
it sends can run code in the judge.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import pickle
import struct
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["Frame", "decode", "encode", "pack", "read_frame"]

_HEAD = struct.Struct(">II")  # header length, blob count
_BLOB = struct.Struct(">I")
_PICKLED_TYPES = (datetime.date, datetime.time, datetime.timedelta, decimal.Decimal, uuid.UUID, enum.Enum)

Frame = tuple[dict[str, Any], list[bytes]]


def _pickled_by_value(value: Any) -> bool:
    if isinstance(value, _PICKLED_TYPES):
        return True
    if callable(value):  # a callable dataclass (a fake source, say) counts its calls: it stays here
        return False
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return True
    return any(c.__module__.startswith("pydantic") and c.__name__ == "BaseModel" for c in type(value).__mro__)


def encode(value: Any, blobs: list[bytes], handle_of: Callable[[Any], dict[str, Any]], trusted: bool) -> Any:
    """Return ``value`` as JSON data, with bytes appended to ``blobs`` and other objects as handles.

    Args:
        value: What to send.
        blobs: Collects the frame's binary parts.
        handle_of: Turns an object into its handle (``{"$h": id, ...}`` or ``{"$r": id}``).
        trusted: Whether this side may send pickles (the judge only).
    """
    def again(item: Any) -> Any:
        return encode(item, blobs, handle_of, trusted)

    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (bytes, bytearray, memoryview):
        blobs.append(bytes(value))
        return {"$b": len(blobs) - 1}
    if type(value) is list:
        return [again(item) for item in value]
    if type(value) in (tuple, set, frozenset):
        return {"$" + type(value).__name__[0]: [again(item) for item in value]}  # $t, $s, $f
    if type(value) is dict and "__builtins__" not in value:  # a module's globals goes by reference, to be changed
        return {"$m": [[again(k), again(v)] for k, v in value.items()]}
    if trusted and _pickled_by_value(value):
        try:
            blobs.append(pickle.dumps(value))
            return {"$p": len(blobs) - 1}
        except Exception:  # not picklable after all: it goes by reference
            pass
    return handle_of(value)


_SEQUENCES: dict[str, Callable[[list[Any]], Any]] = {"$t": tuple, "$s": set, "$f": frozenset}


def decode(data: Any, blobs: list[bytes], resolve: Callable[[dict[str, Any]], Any], unpickle: bool) -> Any:
    """Return the value that ``encode`` turned into ``data``.

    Args:
        data: The JSON data.
        blobs: The frame's binary parts.
        resolve: Turns a handle into a stub, or ``{"$r": id}`` back into this side's own object.
        unpickle: Whether ``$p`` is accepted: only when the sender is the judge.
    """
    def again(item: Any) -> Any:
        return decode(item, blobs, resolve, unpickle)

    if isinstance(data, list):
        return [again(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$b" in data:
        return blobs[data["$b"]]
    if "$m" in data:
        return {again(k): again(v) for k, v in data["$m"]}
    for tag, kind in _SEQUENCES.items():
        if tag in data:
            return kind(again(item) for item in data[tag])
    if "$p" in data:
        if not unpickle:
            raise ValueError("a pickle from the subject is refused")
        return pickle.loads(blobs[data["$p"]])
    return resolve(data)


def pack(header: dict[str, Any], blobs: list[bytes]) -> bytes:
    """Return one frame: the header as JSON, then each blob with its length.

    Args:
        header: The message.
        blobs: Its binary parts.
    """
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    return b"".join([_HEAD.pack(len(head), len(blobs)), head, *(_BLOB.pack(len(b)) + b for b in blobs)])


def _exactly(read: Callable[[int], bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = read(left)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(read: Callable[[int], bytes], limit: int = 256 * 2**20) -> Frame:
    """Read one frame with ``read`` (e.g. ``socket.recv``), refusing one larger than ``limit`` bytes.

    Args:
        read: Returns up to n bytes, or b"" at the end.
        limit: The largest frame accepted. Defaults to 256 MiB.
    """
    size, count = _HEAD.unpack(_exactly(read, _HEAD.size))
    if size > limit or count > 100_000:
        raise ValueError("frame too large")
    header = json.loads(_exactly(read, size))
    blobs, total = [], size
    for _i in range(count):
        (length,) = _BLOB.unpack(_exactly(read, _BLOB.size))
        total += length
        if total > limit:
            raise ValueError("frame too large")
        blobs.append(_exactly(read, length))
    return header, blobs
