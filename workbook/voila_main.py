"""Voila as `workbook serve` runs it: `python -m workbook.voila_main NOTEBOOK [options]`.

The same Voila, with one change: a page that is closed gives its kernel back at once.
"""

from __future__ import annotations

import sys


def accept_shutdown_beacons() -> None:
    """Let a closed page give its kernel back at once, as Voila means it to.

    On `beforeunload` Voila asks for its kernel's shutdown with `navigator.sendBeacon`, which
    carries no XSRF token, so the stock handler refuses it (403, voila-dashboards/voila#1458)
    and the kernel stays until it is culled: each closed tab keeps a kernel's memory for
    minutes, and a few reloads fill a workshop. The request names the kernel's id, a random
    UUID that only the page it serves knows (the server lists no kernels), so a page on
    another site cannot forge it; the check is dropped for this one handler only.
    """
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    VoilaShutdownKernelHandler.check_xsrf_cookie = lambda self: None  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    accept_shutdown_beacons()
    from voila.app import main as voila

    voila(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
