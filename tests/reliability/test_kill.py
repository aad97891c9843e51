"""A writer killed with SIGKILL at random moments never loses an acknowledged entry."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from workbook.store import Store

ROUNDS = int(os.environ.get("WB_KILL_ROUNDS", "25"))

WRITER = """
import sys
from workbook.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    note = "round %s entry %d, \\"quoted\\"\\nline" % (sys.argv[2], i)
    entry_id = store.add("mood", {"mood": i % 11, "note": note})
    print(entry_id, flush=True)
    i += 1
"""


@pytest.mark.timeout(600)
def test_sigkill_loses_no_acknowledged_entry(tmp_path):
    data_dir = tmp_path / "data"
    rng = random.Random(20261121)
    acknowledged: list[str] = []
    for round_no in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(round_no)],
                                stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline().strip()  # wait until it is writing
        assert first, "the writer did not start"
        acknowledged.append(first)
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        # A line cut by the kill was never fully acknowledged; ids are 32 hex characters.
        acknowledged += [line for line in out.splitlines() if len(line) == 32]
        store = Store(data_dir)
        frame = store.load("mood")  # every file parses
        assert store.problems.get("mood") == []
        missing = set(acknowledged) - set(frame["id"])
        assert not missing, f"round {round_no}: {len(missing)} acknowledged entries lost"
    assert len(acknowledged) > ROUNDS
