"""Claims hold inside their range and only there, and a learner is told when theirs does not."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest

from perflab.lab.claims import Claim, claim, clear_claims, recorded_claims, recorded_claims_json


@pytest.fixture(autouse=True)
def no_claims() -> Iterator[None]:
    """Each test starts and ends with no claims recorded."""
    clear_claims()
    yield
    clear_claims()


@pytest.mark.parametrize(("value", "above", "below", "holds"), [
    (2.0, 1.0, None, True), (1.0, 1.0, None, False), (0.5, None, 1.0, True), (1.5, None, 1.0, False),
    (2.0, 1.0, 3.0, True), (3.5, 1.0, 3.0, False), (math.nan, 1.0, None, False),
])
def test_a_claim_holds_only_strictly_inside_its_range(value: float, above: float | None, below: float | None,
                                                     holds: bool) -> None:
    assert Claim("x", value, above, below).holds is holds


def test_a_claim_is_recorded_and_returns_its_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert claim("scan-costs-more", 4.9, above=1.0) == 4.9
    assert recorded_claims() == [Claim("scan-costs-more", 4.9, 1.0, None)]
    assert json.loads(recorded_claims_json()) == [{"name": "scan-costs-more", "value": 4.9, "above": 1.0, "below": None}]
    assert capsys.readouterr().out == ""  # a claim that holds says nothing


def test_a_claim_that_does_not_hold_tells_the_learner(capsys: pytest.CaptureFixture[str]) -> None:
    claim("pool-is-2x", 1.1, above=1.5)
    out = capsys.readouterr().out
    assert "pool-is-2x" in out and "> 1.5" in out and "1.1" in out


def test_a_claim_without_a_range_is_refused() -> None:
    with pytest.raises(ValueError, match="range"):
        claim("nothing", 1.0)
