"""A kernel made ready before anyone opens the workbook (`workbook serve`'s preheated pool).

`workbook serve` keeps one kernel of the app notebook started ahead of time. That kernel does
the slow part first (Python's imports, the exercises and the entries read), then waits. The
server hands it out only to a request that proved the launch's key, and tells it so through
its request-info socket, whose address carries a secret only this launch's kernels have
(`WORKBOOK_QUERY_URL`). Only then is the person's App built from the data folder as it is at
that moment: another tab may have saved since the kernel was started.

A kernel started for a request (the pool was empty) does not wait: it builds the App at once.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

QUERY_URL_ENV = "WORKBOOK_QUERY_URL"  # ws://host:port/voila/query/<secret> (workbook.server)
# What the server put in a kernel's environment about a request: the page's address (with its
# key) and the socket's secret. Nothing later in the kernel needs them, so nothing can show them.
SECRET_ENV = ("QUERY_STRING", "VOILA_REQUEST_URL", QUERY_URL_ENV)


def waiting_in_pool() -> bool:
    """Whether this kernel was started ahead of time and no request has claimed it yet."""
    return os.environ.get("VOILA_PREHEAT") == "True" and bool(os.environ.get(QUERY_URL_ENV))


def warm(data_dir: str | None = None) -> None:
    """The slow first steps, done before the person arrives, with nothing built for the screen.

    Imports the app and its pages, reads the exercises and every kind's entries (the first pages
    show some, the rules read three, Progress all its charts' kinds), shared with the App's
    Store made at the claim (`workbook.store.share_reads`; checked against the files again when
    read). No widget is made here: each would be sent to the browser, and closing hundreds of
    them again costs more than building the App after the claim (~50 ms).
    """
    from workbook import backup, rules, scoring  # noqa: F401 - what the first save and page use
    from workbook.store import Store, default_data_dir, share_reads
    from workbook.ui import app, help, pages, treatment, welcome  # noqa: F401

    try:
        folder = default_data_dir(data_dir)
        share_reads(folder)
        store = Store(folder)
        for kind in store.catalog:
            store.records(kind)
        store.settings()
    except Exception:  # warming is an optimisation; the claim reads everything anyway
        log.exception("warming the app failed")


def wait_until_claimed() -> bool:
    """Block until the server hands this pooled kernel to a request that proved the key.

    Returns whether it waited (False in a kernel started for a request). Either way the
    request's details are dropped from the environment afterwards.
    """
    waited = False
    if waiting_in_pool():
        from workbook import request_info  # Voila's own helper would import its whole server

        request_info.wait_for_request(url=os.environ[QUERY_URL_ENV])
        waited = True
    for name in SECRET_ENV:
        os.environ.pop(name, None)
    return waited
