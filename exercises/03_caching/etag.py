"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified.

The whole task, in your language: `task("etag")` in the notebook, or `perflab task etag`
in a terminal. `perflab check etag` checks this file.
"""

from typing import Any

from fastapi import Body, FastAPI, HTTPException

ProductData = dict[str, Any]


def create_app(products: dict[int, ProductData]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can.

    Args:
        products: ProductData id to product; the app reads and writes this very dict.
    """
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int) -> ProductData:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="ProductData not found")
        # TODO: send a quoted ETag made from the exact body bytes and Cache-Control: no-cache,
        # and answer a matching If-None-Match (a list, W/"...", or *) with an empty 304.
        return product

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: ProductData = Body()) -> ProductData:
        products[product_id] = product
        return product

    return app
