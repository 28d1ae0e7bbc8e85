"""Claims: what the prose says about a measurement, recorded by the cell that measures it.

A lesson that says "SCAN costs more in total than KEYS" has the cell that measures both end with
``claim("scan-costs-more-than-keys", scan_s / keys_s, above=1.0)``. The notebook tests read every
claim a notebook recorded and fail on one that does not hold; ``make claims`` runs each notebook
several times and prints each claim's spread. A learner whose machine disagrees with the text is
told so, in their language, right under the measurement.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

from perflab.i18n import _

__all__ = ["Claim", "claim", "clear_claims", "recorded_claims", "recorded_claims_json"]


@dataclass(frozen=True)
class Claim:
    """One statement of the prose, its measured value and the range the prose promises."""

    name: str
    value: float
    above: float | None = None
    below: float | None = None

    @property
    def holds(self) -> bool:
        """Whether the measured value lies in the promised range (bounds excluded)."""
        if math.isnan(self.value):
            return False
        return (self.above is None or self.value > self.above) and (self.below is None or self.value < self.below)

    @property
    def expected(self) -> str:
        """The promised range, as ``> 1``, ``< 0.5`` or ``1 … 3``."""
        if self.above is not None and self.below is not None:
            return f"{self.above:g} … {self.below:g}"
        return f"> {self.above:g}" if self.above is not None else f"< {self.below:g}"


_recorded: list[Claim] = []


def claim(name: str, value: float, *, above: float | None = None, below: float | None = None) -> float:
    """Record that the statement ``name`` in the prose rests on ``value``; return ``value``.

    Usage:
        claim("scan-costs-more-than-keys", scan_s / keys_s, above=1.0)

    Args:
        name: A short, stable name for the statement, unique within its chapter.
        value: What the cell measured.
        above: The prose promises a value greater than this.
        below: The prose promises a value less than this.
    """
    if above is None and below is None:
        raise ValueError("a claim needs a range: above=, below= or both")
    recorded = Claim(name, float(value), above, below)
    _recorded.append(recorded)
    if not recorded.holds:
        print(_("Note: the text says that {name} is {expected}; on this machine it measured {value:.3g}. "
                "A busy machine can do this: run the cell again. If it stays so, the text is wrong "
                "for your machine, and we would like to hear about it.",
                name=name, expected=recorded.expected, value=recorded.value))
    return recorded.value


def recorded_claims() -> list[Claim]:
    """Return every claim recorded in this process, oldest first."""
    return list(_recorded)


def recorded_claims_json() -> str:
    """Return every claim recorded in this process as one line of JSON (what the notebook tests read)."""
    return json.dumps([asdict(c) for c in _recorded])


def clear_claims() -> None:
    """Forget the claims recorded so far."""
    _recorded.clear()
