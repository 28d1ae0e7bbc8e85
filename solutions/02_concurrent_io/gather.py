"""Exercise gather: one route that calls three slow APIs at once and labels their answers.

``create_app(api_urls, timeout_s)`` returns a FastAPI app with one route,
``GET /dashboard/{item_id}``. ``api_urls`` maps three labels to base URLs, for example
``{"weather": "http://127.0.0.1:8001", "news": ..., "stocks": ...}``. For each label the
route calls ``GET {base_url}/items/{item_id}``, all three at the same time, and answers
``{label: that API's JSON answer}`` for the three labels, so it takes about as long as the
slowest API, not the sum of all three.

When an API fails, the route fails loudly, and names the API:

- an API that answers with a status other than 200, or cannot be reached: answer **502**
  with ``{"detail": "..."}``, where the detail contains the API's label;
- an API that has not answered after ``timeout_s`` seconds: answer **504** with a detail
  that contains its label. The route must answer within ``timeout_s`` (the check allows
  1 s more), however long the slow API would take.

Try it with ``perflab.fake_api``: ``urls = {n: fake_api(n, latency_ms=100).url for n in
("weather", "news", "stocks")}``, then ``serve(create_app(urls), name="dashboard")``.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


async def fetch_json(client: httpx.AsyncClient, label: str, url: str) -> Any:
    """Call one API and return its JSON, or raise the HTTPException that names it.

    Args:
        client: The shared HTTP client.
        label: The API's label, used in error details.
        url: The full URL to call.
    """
    try:
        response = await client.get(url)
    except httpx.TimeoutException:
        # A gateway that gave up waiting: 504, and say which API made us wait.
        raise HTTPException(504, detail=f"{label} did not answer in time") from None
    except httpx.HTTPError as exc:
        raise HTTPException(502, detail=f"{label} could not be reached: {exc}") from None
    if response.status_code != 200:
        # Never hand on partial data with a 200: the caller must know that part is missing.
        raise HTTPException(502, detail=f"{label} answered {response.status_code}")
    return response.json()


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently.

    Args:
        api_urls: Labels to base URLs of the APIs.
        timeout_s: How long to wait for each API before answering 504. Defaults to 1.0.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One client for the app's whole life: it keeps connections open between requests.
        # httpx applies timeout_s to connecting and to each read, so a silent API times out.
        async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        calls = [
            fetch_json(app.state.client, label, f"{base_url}/items/{item_id}")
            for label, base_url in api_urls.items()
        ]
        # All three requests are in flight at once: the wait is the slowest, not the sum.
        # The first HTTPException propagates, and FastAPI turns it into the 502 or 504. (gather
        # lets the other calls finish in the background; an asyncio.TaskGroup would cancel them.)
        results = await asyncio.gather(*calls)
        return dict(zip(api_urls, results))

    return app
