from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select

from perflab.lab.blog import Author, Post, Tag, draw_blog, fill_blog, sample_blog, post_tags


def test_the_same_seed_draws_the_same_blog_and_another_seed_another() -> None:
    assert draw_blog(random.Random(3)) == draw_blog(random.Random(3))
    assert draw_blog(random.Random(3)).authors != draw_blog(random.Random(4)).authors


def test_a_sample_blog_holds_every_drawn_row_in_tables_of_its_own() -> None:
    async def counts() -> dict[str, int]:
        sessions = await sample_blog(seed=9, name="test-blog")
        try:
            async with sessions() as session:
                return {table.name: await session.scalar(select(func.count()).select_from(table))
                        for table in (Author.__table__, Post.__table__, Tag.__table__, post_tags)}
        finally:
            await sessions.kw["bind"].dispose()

    blog = draw_blog(random.Random(9))
    assert asyncio.run(counts()) == {"perflab_blog_authors": len(blog.authors), "perflab_blog_posts": len(blog.posts),
                                     "perflab_blog_tags": len(blog.tags), "perflab_blog_post_tags": len(blog.post_tags)}
    assert fill_blog.__doc__ and "perflab_blog_" in fill_blog.__doc__
