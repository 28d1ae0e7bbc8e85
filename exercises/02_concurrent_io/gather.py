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
    response = await client.get(url)
    # TODO: a timeout must become a 504, and any other failure a 502; each detail names `label`.
    return response.json()


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently.

    Args:
        api_urls: Labels to base URLs of the APIs.
        timeout_s: How long to wait for each API before answering 504. Defaults to 1.0.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # TODO: make the client give up on an API after timeout_s.
        async with httpx.AsyncClient() as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        results = {}
        for label, base_url in api_urls.items():
            # TODO: this waits for each API before it calls the next one. Call all three at once.
            results[label] = await fetch_json(app.state.client, label, f"{base_url}/items/{item_id}")
        return results

    return app
