"""The checks of the exercise "etag" that run the learner's code again: in another process, and after a restart."""

from __future__ import annotations

from typing import Any

from perflab.checking.checks._etag_http import (
    CHANGED, CHANGED_AGAIN, PATH, PRODUCTS, client_for, current_etag, old_tag_gets_200, put_product,
)
from perflab.checking.checks._fresh import again_elsewhere, fresh_process, learner_code, run_here
from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["never_reused", "same_in_every_process"]


# Runs here and in a fresh process with another hash seed: the ETags of two products.
_ETAGS = f"""
import copy
PRODUCTS = {PRODUCTS!r}

async def main(learner):
    from perflab.serving.client import asgi_client
    async with asgi_client(learner["create_app"](copy.deepcopy(PRODUCTS))) as client:
        return [(await client.get(f"/products/{{i}}")).headers.get("etag") for i in PRODUCTS]
"""



async def same_in_every_process(ns: Namespace) -> None:
    """Fail unless a fresh process with another hash seed sends the very same ETags for the same products.

    Args:
        ns: The learner's objects.
    """
    source = learner_code(ns, "create_app", "def create_app(products)")
    here = await run_here(ns.objects, _ETAGS)
    if not all(here):
        raise CheckFailed(_("Not checked yet: GET {path} did not answer the product with an ETag. "
                            "Pass the first check first.", path=PATH), actual=here)
    there = await fresh_process(ns, source, _ETAGS)
    if here != there:
        raise CheckFailed(_("The same products got other ETags in another Python process, so every worker and "
                            "every restart would make clients download everything again. hash() of a str, "
                            "id(), the time and random numbers all differ from process to process: make the "
                            "ETag from the body bytes, e.g. with hashlib.sha256."),
                          input=_("products {ids}, in two processes", ids=list(PRODUCTS)), expected=here,
                          actual=there)



async def _run_again(ns: Namespace) -> Any:
    """Return ``create_app`` from the learner's whole code run again in a new module, as after a restart.

    Args:
        ns: The learner's objects.
    """
    code = learner_code(ns, "create_app", "def create_app(products)")
    objects = await again_elsewhere(ns, code, "perflab_restarted")
    if "create_app" not in objects:
        raise CheckFailed(_("`{name}` is not defined. Run the exercise cell, and keep the name the exercise asks for.",
                            name="create_app"))
    return objects["create_app"]


async def never_reused(ns: Namespace) -> None:
    """Fail unless, after a restart, other content never gets the ETag that old content had before.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        await put_product(client, CHANGED)
        before = await current_etag(client, CHANGED)
    async with client_for(ns, await _run_again(ns)) as client:  # the server restarted: same data, then another PUT
        await put_product(client, CHANGED_AGAIN)
        after = await current_etag(client, CHANGED_AGAIN)
        response = await client.get(PATH, headers={"If-None-Match": before})
    where = _("PUT, restart, another PUT, then GET with the first ETag")
    if after == before:
        raise CheckFailed(_("After a restart, other content got the ETag that the old content had, so a client "
                            "that still holds the old version is told it is current. A counter kept in memory "
                            "starts again at 0: make the ETag from the content instead."), input=where,
                          expected=_("another ETag, and 200 with the new product"), actual=f"ETag {before} → {after}")
    old_tag_gets_200(where, before, after, response)

