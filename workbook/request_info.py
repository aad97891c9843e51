"""A preheated kernel's wait for its request, without importing Voila into the kernel.

Voila hands a kernel it started ahead of time to a page, then tells the kernel about that
request through a websocket (`/voila/query/...`). Voila's own helper for the kernel side,
`voila.utils.wait_for_request`, lives in a module that imports the whole Voila server: Jupyter
Server, jupyter_events, jsonschema and a grammar parser (lark) that builds ~24,000 objects. In
every kernel that costs ~45 MB of its own memory (USS) and ~2.5 s of imports, for nothing the
page uses: a workshop of 30 runs 33 kernels. This module does the same wait with the
`websockets` client (Voila's own dependency), in ~1.4 MB.

Same protocol as Voila 0.5: connect to `<url>/<VOILA_KERNEL_ID>`, receive one JSON object of
request details, put them in the environment. Nothing happens outside a preheated kernel.
"""

from __future__ import annotations

import json
import logging
import os

log = logging.getLogger(__name__)

PREHEAT_ENV = "VOILA_PREHEAT"
KERNEL_ID_ENV = "VOILA_KERNEL_ID"
OPEN_TIMEOUT_S = 5.0  # as Voila's helper: a server that does not answer is not waited for


def default_url() -> str:
    """Voila's request-info address, from the variables Voila puts in a preheated kernel."""
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query"


def wait_for_request(url: str | None = None) -> bool:
    """Block until the server hands this preheated kernel to a request; put what it says about
    the request in the environment. Returns whether a request's details arrived.

    Outside a preheated kernel (`VOILA_PREHEAT` not "True") it returns False at once. A server
    that cannot be reached is logged and not waited for, as Voila's helper does.
    """
    if os.environ.get(PREHEAT_ENV, "False") != "True":
        return False
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    address = f"{url or default_url()}/{os.environ.get(KERNEL_ID_ENV, '')}"
    try:
        with connect(address, open_timeout=OPEN_TIMEOUT_S, max_size=2**20) as socket:
            payload = socket.recv()
    except (OSError, TimeoutError, WebSocketException) as exc:
        log.warning("the request's details could not be read: %s", type(exc).__name__)
        return False
    details = json.loads(payload)
    for name, value in details.items():
        os.environ[str(name)] = str(value)
    return True
