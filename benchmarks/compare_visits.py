"""Tool visits before and after a change, side by side in one run.

    git worktree add --detach /tmp/before <base commit>
    python benchmarks/compare_visits.py /tmp/before --runs 2

Each tree's `workbook serve` (its own code, through PYTHONPATH) on a copy of the same year of
entries; for every tool a fresh page per tree (`run.visits_on_a_fresh_page`), the pair's order
alternated and reversed, and the whole action (`run.time_action_app`); the first round
discarded. Prints every run, the load average at each round, and a table of medians.
`--only progress` adds the Progress page on a fresh page with ten years (`run.time_progress`:
click -> every chart drawn), on a second pair of servers.
"""
import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
import run

from workbook import sample
from workbook.store import Store

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("before", help="a checkout of the code to compare with (a git worktree)")
parser.add_argument("--runs", type=int, default=2)
parser.add_argument("--only", default="first,open")
args = parser.parse_args()
trees = {"before": str(Path(args.before).resolve()), "after": str(harness.REPO)}
runs = args.runs
only = args.only.split(",")
root = Path(tempfile.mkdtemp(prefix="wb-cmp-"))
src = root / "year"
sample.generate(Store(src), sample.ONE_YEAR, seed=11)
if "progress" in only:
    ten = root / "ten"
    sample.generate(Store(ten), sample.TEN_YEARS, seed=11)



@contextlib.contextmanager
def serve(tree, folder):
    port = harness.free_port()
    cmd = [str(harness.BIN / "workbook"), "serve", "--no-browser", "--port", str(port),
           "--data-dir", str(folder)]
    with harness.serve_command(cmd, None, env={"PYTHONPATH": tree}) as s:
        s.preheated = True
        yield s


kinds = list(run.FIRST_ACTIONS)
ROWS = ("first", "action", "after pause", "repeat")
res = {t: {row: {k: [] for k in kinds} for row in ROWS} for t in trees}
opened = {t: [] for t in trees}
progress = {t: [] for t in trees}
loads = []
with contextlib.ExitStack() as st:
    browser = st.enter_context(harness.chromium())
    servers = {}
    for t, tree in trees.items():
        folder = root / t
        shutil.copytree(src, folder)
        servers[t] = st.enter_context(serve(tree, folder))
    tens = {}
    if "progress" in only:
        expected = run.progress_charts(ten)
        for t, tree in trees.items():
            shutil.copytree(ten, root / f"{t}-ten")
            tens[t] = st.enter_context(serve(tree, root / f"{t}-ten"))
    for s in (*servers.values(), *tens.values()):
        harness.wait_pool(s)
    idle = {t: len(s.kernels()) for t, s in servers.items()}
    idle_ten = {t: len(s.kernels()) for t, s in tens.items()}
    for round_ in range(runs + 1):
        loads.append(Path("/proc/loadavg").read_text().split()[0])
        order = list(trees) if round_ % 2 == 0 else list(trees)[::-1]
        if "first" in only:
            for i, kind in enumerate(kinds):
                then = kinds[(i + 1 + round_) % len(kinds)]
                for t in (order if i % 2 == 0 else order[::-1]):
                    harness.wait_pool(servers[t])
                    seen = run.visits_on_a_fresh_page(browser, servers[t], kind, then)
                    harness.wait_kernels(servers[t], idle[t])
                    print(round_, t, kind, then, {k: round(v * 1000) for k, v in seen.items()}, flush=True)
                    if round_:
                        for row in ("first", "action", "repeat"):
                            res[t][row][kind].append(seen[row])
                        res[t]["after pause"][then].append(seen["after pause"])
        if "open" in only:
            for t in order:
                harness.wait_pool(servers[t])
                v, d = run.time_action_app(browser, servers[t].url)
                harness.wait_kernels(servers[t], idle[t])
                print(round_, t, "open", round(v, 2), round(d, 2), flush=True)
                if round_:
                    opened[t].append((v, d))
        if "progress" in only:
            for t in order:
                harness.wait_pool(tens[t])
                seen, again, received = run.time_progress(browser, tens[t].url, expected)
                harness.wait_kernels(tens[t], idle_ten[t])
                print(round_, t, "progress", round(seen, 2), round(again, 2), received, flush=True)
                if round_:
                    progress[t].append(seen)
print("load averages at each round:", loads)


def med(xs: list[float]) -> float:
    return statistics.median(xs) * 1000 if xs else float("nan")


def mx(xs: list[float]) -> float:
    return max(xs) * 1000 if xs else float("nan")


target = {"first": 300, "action": 300, "after pause": 300, "repeat": 100}
if "first" in only:
    print("| tool | what | before | after | target |")
    print("|---|---|---|---|---|")
for kind in kinds if "first" in only else ():
    for row in ("first", "after pause", "repeat", "action"):
        b, a = res["before"][row][kind], res["after"][row][kind]
        print(f"| {kind} | {row} | {med(b):.0f} ms (max {mx(b):.0f}) | "
              f"{med(a):.0f} ms (max {mx(a):.0f}) | ≤ {target[row]} ms |")
for t in trees:
    if progress[t]:
        print(t, f"Progress, ten years, first visit: {statistics.median(progress[t]):.2f} s",
              [round(x, 2) for x in progress[t]])
    if opened[t]:
        visible = statistics.median(x[0] for x in opened[t])
        saved = statistics.median(x[1] for x in opened[t])
        print(t, f"open->Save visible {visible:.2f} s, open->Saved {saved:.2f} s",
              [round(x[1], 2) for x in opened[t]])
