"""Voila as `workbook serve` runs it: `python -m workbook.voila_main NOTEBOOK [options]`.

Voila with the launch's secret, the Host check and the headers of `workbook.server`, a bound
on kernels (the preheated one counted), and closed pages giving their kernels back at once.
The secret comes in the environment (`WORKBOOK_TOKEN`), never on the command line, which every
local account can read.
"""

from __future__ import annotations

import sys

from workbook.server import PooledKernels, accept_shutdown_beacons, bound_kernels, voila_class

MAX_KERNELS = 6  # pages of one person's workbook open at once (each kernel ~150-260 MB); a
# closed page's kernel makes room for a new one; the preheated kernel counts (workbook.server)


def main(argv: list[str] | None = None) -> None:
    accept_shutdown_beacons()
    bound_kernels(PooledKernels, max_kernels=MAX_KERNELS)
    voila_class().launch_instance(argv=sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
