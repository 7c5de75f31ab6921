"""`/docs`: the OpenAPI page, from the vendored Swagger UI (static/vendor/swagger-ui/).

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script: blank
offline, a third party's script on our origin, and refused by our CSP. This one is the
same UI with every file served from here and its start-up in `init.js`.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

VENDOR = "/static/vendor/swagger-ui"
PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Tensor Playground API</title>
  <link rel="icon" type="image/png" href="{VENDOR}/favicon-32x32.png">
  <link rel="stylesheet" href="{VENDOR}/swagger-ui.css">
  <script src="{VENDOR}/swagger-ui-bundle.js" defer></script>
  <script src="{VENDOR}/init.js" defer></script>
</head>
<body>
  <div id="swagger-ui"></div>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
