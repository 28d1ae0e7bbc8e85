"""What the judge's tests share: the fork server a judge starts in this process ends with each test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perflab.checking.remote.zygote import close_shared_zygote


@pytest.fixture(autouse=True, scope="module")
def no_fork_server_outlives_the_module() -> Iterator[None]:
    """End the subjects' fork server that judge_check started here, so no later test sees a stray process."""
    yield
    close_shared_zygote()
