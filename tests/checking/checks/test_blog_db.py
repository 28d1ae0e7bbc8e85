"""The scratch blog databases count what reaches them: statements, pool use, and what a query reads."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import select

from perflab.checking.checks._blog_db import _rows_scanned, close_blog, open_blog, read_cost, reference_cost, seen_since
from perflab.lab.blog import Post


def test_a_plans_scans_count_the_rows_they_kept_and_the_rows_they_filtered_out_in_every_loop() -> None:
    plan = {"Node Type": "Limit", "Actual Rows": 20, "Plans": [
        {"Node Type": "Index Scan", "Actual Rows": 2020, "Actual Loops": 1},
        {"Node Type": "Seq Scan", "Actual Rows": 3, "Rows Removed by Filter": 7, "Actual Loops": 2}]}
    assert _rows_scanned(plan) == 2020 + (3 + 7) * 2


def test_a_deep_offset_costs_many_seeks_and_the_counts_start_again_after_each_look() -> None:
    async def costs() -> tuple[int, int, dict]:
        token = secrets.token_hex(4)
        sessions = await open_blog(7, token, "feed", 2000)
        try:
            async with sessions() as session:
                (await session.scalars(select(Post).order_by(Post.created_at, Post.id).offset(1500).limit(20))).all()
            offset = await read_cost(token, seen_since(token))
            return offset, await reference_cost(token, None, 20), seen_since(token)
        finally:
            await close_blog(token)

    offset, seek, after = asyncio.run(costs())
    assert offset > 10 * seek > 0
    assert after["statements"] == [] and after["steps"] == 0
