"""Workshop links: entropy, only hashes kept, folders that cannot be escaped, revoke, restart, counts."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import logging
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from workbook import exercises, server, workshop_server
from workbook import workshop as ws
from workbook.backup import restore
from workbook.cli import config_dir, main
from workbook.store import Store


@pytest.fixture
def workshop(tmp_path) -> ws.Workshop:
    return ws.Workshop(tmp_path / "workshop")


def secret_of(issued: list[ws.Issued], number: int) -> str:
    return next(i.secret for i in issued if i.member.role == ws.PARTICIPANT and i.member.number == number)


# -- secrets ---------------------------------------------------------------------------
def test_secret_has_at_least_128_random_bits(monkeypatch):
    assert ws.SECRET_BITS >= 128
    secret = ws.new_secret()
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    assert len(raw) * 8 == ws.SECRET_BITS
    assert len({ws.new_secret() for _ in range(2000)}) == 2000
    calls = []
    monkeypatch.setattr(ws.secrets, "token_urlsafe", lambda n: calls.append(n) or "x" * 32)
    ws.new_secret()
    assert calls == [ws.SECRET_BYTES]  # the OS CSPRNG (secrets), never `random`


def test_only_hashes_are_kept_in_the_registry(workshop):
    issued = workshop.add(3)
    registry = workshop.registry.read_text(encoding="utf-8")
    assert len(issued) == 4  # the facilitator's link, the first time, and three participants
    for item in issued:
        assert item.secret not in registry
        assert hashlib.sha256(item.secret.encode()).hexdigest() in registry
        assert item.member.id == item.member.hash[:ws.ID_LENGTH]
        assert item.secret not in item.member.id
    assert stat.S_IMODE(workshop.registry.stat().st_mode) == 0o600
    for name in (ws.LINKS_TXT, ws.LINKS_HTML):
        assert stat.S_IMODE((workshop.root / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(workshop.root.stat().st_mode) == 0o700


def test_check_accepts_only_the_exact_open_link(workshop):
    issued = workshop.add(2)
    secret = secret_of(issued, 1)
    member = workshop.check(secret)
    assert member is not None and member.role == ws.PARTICIPANT and member.number == 1
    admin = next(i for i in issued if i.member.role == ws.FACILITATOR)
    assert workshop.check(admin.secret).role == ws.FACILITATOR
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for bad in ("", tampered, secret[:-1], secret + "x", secret.upper(), member.hash, member.id,
                "../../etc/passwd", "a" * 500):
        assert workshop.check(bad) is None, bad


@pytest.mark.parametrize("query, key", [
    ("key=abc", "abc"), ("", ""), ("foo=1", ""), ("key=a&key=b", ""), ("key=&x=1", ""),
    ("x=1&key=a%2Bb", "a+b"),
])
def test_key_from_query(query, key):
    assert ws.key_from_query(query) == key


def test_link_puts_the_secret_in_the_query(workshop):
    assert ws.link("http://h:1/", "abc-_") == "http://h:1/?key=abc-_"
    assert ws.link("https://w.example/x?old=1", "s") == "https://w.example/x?key=s"


# -- folders ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["..", "../x", "/etc", "abc", "ABCDEF012345", "0123456789ab/..",
                                 "0123456789ab/../../x", "", "0123456789a.", "０１２３４５６７８９ab",
                                 "0123456789ab\n"])
def test_ids_cannot_leave_the_participants_folder(workshop, bad):
    with pytest.raises(ValueError):
        workshop.folder(bad)


def test_a_symlink_in_participants_is_refused(workshop, tmp_path):
    issued = workshop.add(1)
    member = workshop.check(secret_of(issued, 1))
    (workshop.root / ws.PARTICIPANTS_DIR).mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (workshop.root / ws.PARTICIPANTS_DIR / member.id).symlink_to(outside)
    with pytest.raises(ValueError):
        workshop.folder(member.id)


def test_a_hand_edited_registry_entry_that_does_not_match_its_hash_opens_nothing(workshop):
    workshop.add(1)
    data = json.loads(workshop.registry.read_text())
    secret = "s" * 32
    digest = ws.hash_secret(secret)
    data["members"].append({"id": "../../etc", "hash": digest, "role": "participant", "number": 9,
                            "created_at": "2026-01-01T00:00:00+00:00", "closed_at": ""})
    data["members"].append({"id": "0" * 12, "hash": digest, "role": "participant", "number": 10,
                            "created_at": "2026-01-01T00:00:00+00:00", "closed_at": ""})
    data["members"].append({"id": digest[:12], "role": "participant"})  # missing fields
    workshop.registry.write_text(json.dumps(data))
    assert len(workshop.members()) == 2
    assert workshop.check(secret) is None


@pytest.mark.parametrize(("number", "kept"), [("7", 7), (" 8 ", 8), ("<img src=x onerror=alert(1)>", None),
                                              (None, None), (True, None), (2.5, None), ([3], None)])
def test_a_hand_edited_participant_number_never_breaks_the_pages(workshop, number, kept):
    workshop.add(3)
    data = json.loads(workshop.registry.read_text())
    data["members"][2]["number"] = number  # participant 2
    workshop.registry.write_text(json.dumps(data))
    numbers = [m.number for m in workshop.participants()]
    assert numbers == ([1, kept, 3] if kept is not None else [1, 3])
    assert len(workshop.add(1)) == 1  # numbering, the links file and its printable page still work
    from workbook.ui.workshop_page import FacilitatorPage

    assert "<img" not in FacilitatorPage(workshop).links.value


def test_each_participant_gets_a_private_folder_with_the_workshop_config(workshop):
    (workshop.root).mkdir(parents=True)
    (workshop.root / "config.yaml").write_text("crisis_resources:\n  - name: Local line\n    contact: 123\n")
    issued = workshop.add(2)
    first = workshop.open_folder(workshop.check(secret_of(issued, 1)))
    second = workshop.open_folder(workshop.check(secret_of(issued, 2)))
    assert first != second and first.parent == second.parent == (workshop.root / "participants").resolve()
    assert stat.S_IMODE(first.stat().st_mode) == 0o700
    assert "Local line" in (first / "config.yaml").read_text()
    admin = workshop.check(next(i.secret for i in issued if i.member.role == ws.FACILITATOR))
    with pytest.raises(ValueError):
        workshop.open_folder(admin)


# -- revoke and restart ------------------------------------------------------------------
def test_revoke_closes_the_link_at_once_and_stops_writes(workshop):
    issued = workshop.add(2)
    secret = secret_of(issued, 1)
    member = workshop.check(secret)
    folder = workshop.open_folder(member)
    store = ws.ParticipantStore(workshop, member.id)
    store.add("mood", {"mood": 4})
    closed = ws.Workshop(workshop.root).revoke(member.id)  # another process, as with --revoke
    assert not closed.active
    assert workshop.check(secret) is None
    with pytest.raises(ws.LinkClosed):
        store.add("mood", {"mood": 5})
    assert len(Store(folder).load("mood")) == 1  # what was saved is kept
    assert secret not in (workshop.root / ws.LINKS_TXT).read_text()
    assert workshop.check(secret_of(issued, 2)) is not None
    with pytest.raises(KeyError):
        workshop.revoke("0" * 12)


def test_restart_keeps_links_and_adds_only_missing(workshop):
    first = workshop.add(3)
    again = ws.Workshop(workshop.root)
    assert again.ensure(3) == []
    assert {i.secret for i in again.issued()} == {i.secret for i in first}
    more = again.ensure(5)
    assert [i.member.number for i in more] == [4, 5]
    again.revoke(more[0].member.id)
    assert [i.member.number for i in again.ensure(5)] == [6]  # a closed link does not count
    for item in first:
        assert again.check(item.secret) is not None


def test_links_survive_a_lost_links_file_but_cannot_be_printed(workshop):
    issued = workshop.add(2)
    (workshop.root / ws.LINKS_TXT).unlink()
    assert workshop.check(secret_of(issued, 2)) is not None  # the server never reads the links file
    assert len(workshop.missing_secrets()) == 3
    workshop.add(1)
    assert len(workshop.issued()) == 1  # only the new one can be shown


# -- counts --------------------------------------------------------------------------------
def test_counts_come_only_from_participants_who_share(workshop):
    issued = workshop.add(5)
    members = [workshop.check(secret_of(issued, n)) for n in (1, 2, 3, 4, 5)]
    today = dt.date.today()
    yesterday = (dt.datetime.now().astimezone() - dt.timedelta(days=1)).isoformat(timespec="seconds")
    for n, member in enumerate(members, start=1):
        folder = workshop.open_folder(member)
        store = Store(folder)
        for _ in range(n):
            store.add("mood", {"mood": 5})
        store.add("win", {"description": "cooked a meal", "created_at": yesterday})
        store.save_draft("thought_record", {"situation": "x"})
    for n in (0, 2, 3, 4):
        ws.set_shares_counts(workshop.folder(members[n].id), True)
    workshop.revoke(members[4].id)  # shared, but has left: not counted
    counts = workshop.counts(today)
    assert counts.sharing == 3 and not counts.too_few
    assert counts.links_open == 4 and counts.links_closed == 1
    expected = {**dict.fromkeys(exercises.workshop_counted(), 0), "mood": 1 + 3 + 4}
    assert counts.today == expected
    assert {"mood", "thought_record", "win", "session", "checkin"} <= set(expected)


@pytest.mark.parametrize("sharing", [1, 2])
def test_counts_are_not_added_up_while_fewer_than_three_share(workshop, sharing):
    """With one or two sharing, a sum is one person's own activity: nothing is added up."""
    issued = workshop.add(3)
    members = [workshop.check(secret_of(issued, n)) for n in (1, 2, 3)]
    for member in members:
        Store(workshop.open_folder(member)).add("mood", {"mood": 5})
    for member in members[:sharing]:
        ws.set_shares_counts(workshop.folder(member.id), True)
    counts = workshop.counts(dt.date.today())
    assert counts.sharing == sharing and counts.too_few
    assert counts.today == {}
    assert ws.MIN_SHARING == 3


def test_sharing_is_off_unless_ticked(tmp_path):
    assert ws.shares_counts(tmp_path) is False
    (tmp_path / ws.SHARING_FILE).write_text("not json")
    assert ws.shares_counts(tmp_path) is False
    (tmp_path / ws.SHARING_FILE).write_text('{"share_counts": "yes"}')
    assert ws.shares_counts(tmp_path) is False
    ws.set_shares_counts(tmp_path, True)
    assert ws.shares_counts(tmp_path) is True


# -- the facilitator's files and taking data home ---------------------------------------
def test_printable_page_has_a_qr_per_participant_and_no_external_resource(workshop):
    workshop.save_settings(public_url="http://10.0.0.5:8866/")
    issued = workshop.add(3)
    page = (workshop.root / ws.LINKS_HTML).read_text()
    assert page.count("<svg") == 3
    for item in issued:
        if item.member.role == ws.PARTICIPANT:
            assert f"http://10.0.0.5:8866/?key={item.secret}" in page
        else:
            assert item.secret not in page  # the facilitator's link is not on the cards
    lowered = page.lower()
    for external in ("<script", "<link", "src=", "url(", "@import", "https://"):
        assert external not in lowered


def test_take_home_zip_restores_into_a_new_folder(workshop, tmp_path):
    issued = workshop.add(1)
    member = workshop.check(secret_of(issued, 1))
    workshop.open_folder(member)
    store = ws.ParticipantStore(workshop, member.id)
    store.add("mood", {"mood": 6, "note": 'a "quoted", note\nsecond line'})
    ws.set_shares_counts(store.data_dir, True)
    data = ws.take_home_zip(store.data_dir)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        assert archive.namelist() == ["mood.csv"]
    target = tmp_path / "zip"
    target.write_bytes(data)
    home = tmp_path / "home"
    restore(home, target)
    assert Store(home).load("mood")["note"].tolist() == ['a "quoted", note\nsecond line']


# -- the CLI against a workshop folder (no server) ----------------------------------------
def test_cli_add_list_and_revoke(workshop, capsys):
    root = str(workshop.root)
    assert main(["workshop", "--add", "1", "--data-dir", root]) == 1  # no workshop started yet
    workshop.save_settings(public_url="http://127.0.0.1:9999/")
    workshop.add(2)
    capsys.readouterr()
    assert main(["workshop", "--add", "2", "--data-dir", root]) == 0
    out = capsys.readouterr()
    added = out.out.splitlines()
    assert len(added) == 2 and all(line.startswith("http://127.0.0.1:9999/?key=") for line in added)
    assert "http" not in out.err  # links only on stdout
    assert main(["workshop", "--list", "--data-dir", root]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 4 and set(added) <= set(listed)
    member = workshop.check(ws.key_from_query(added[0].split("?", 1)[1]))
    assert main(["workshop", "--revoke", member.id, "--data-dir", root]) == 0
    assert main(["workshop", "--revoke", "0" * 12, "--data-dir", root]) == 1
    capsys.readouterr()
    main(["workshop", "--list", "--data-dir", root])
    assert added[0] not in capsys.readouterr().out


# -- the server's log and its bound on kernels ---------------------------------------------
@pytest.mark.parametrize("line", [
    "403 GET /voila/files/x?key=SECRET123 (127.0.0.1)",
    "Uncaught exception GET /?key=SECRET123&a=b (127.0.0.1)",
    "HTTPServerRequest(uri='/?key=SECRET123', host='h')",
    "url http://127.0.0.1:1/?key=SECRET123",
    "key=SECRET123",
    "101 GET /voila/query/SECRET123/0b7e6a52-5e0b-4c3e-9d5e-1f2a3b4c5d6e 14.3ms",
])
def test_redact_removes_query_strings_and_keys(line):
    assert "SECRET123" not in server.redact(line)


def test_redacting_filter_covers_arguments_and_tracebacks():
    handler = logging.StreamHandler(stream := __import__("io").StringIO())
    handler.addFilter(server.RedactingFilter())
    logger = logging.getLogger("test.workshop.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("%d GET %s", 403, "/x?key=SECRET1")
        try:
            raise ValueError("bad url /?key=SECRET2")
        except ValueError:
            logger.exception("failed on %r", "/?key=SECRET3")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "403 GET /x?[redacted]" in text
    assert "SECRET" not in text
    assert "ValueError" in text


class _FakeTask:
    def __init__(self, kernel_id: str | None):
        self.kernel_id = kernel_id

    def done(self) -> bool:
        return self.kernel_id is not None

    def cancelled(self) -> bool:
        return False

    def exception(self):
        return None

    def result(self) -> dict:
        return {"kernel_id": self.kernel_id}


class _FakeVoilaManager:
    """What WorkshopKernels relies on in Voila's preheating manager."""

    def __init__(self, pool_size: int):
        self.kernel_pools_config = {"default": {"pool_size": pool_size}}
        self._pools: dict[str, list] = {"nb": []}
        self.kernels: list[str] = []
        self.filled_with: list[int] = []
        self.env: list[dict] = []
        self.log = logging.getLogger("test.workshop.kernels")

    def list_kernel_ids(self) -> list[str]:
        return list(self.kernels)

    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None, **kw):
        size = self.kernel_pools_config.get("default", {}).get("pool_size")
        self.filled_with.append(size)
        self.env.append(dict(extra_kernel_env_variables or {}))
        while len(self._pools[notebook_name]) < size:
            kid = f"k{len(self.kernels)}"
            self.kernels.append(kid)
            self._pools[notebook_name].append(_FakeTask(kid))

    async def start_kernel(self, **kwargs) -> str:
        kid = f"k{len(self.kernels)}"
        self.kernels.append(kid)
        return kid


class _Bounded(workshop_server.WorkshopKernels, _FakeVoilaManager):
    max_kernels = 4


def test_pool_refills_only_while_there_is_room_and_the_rest_is_refused():
    from tornado import web

    km = _Bounded(pool_size=2)
    km.fill_if_needed(notebook_name="nb")
    assert len(km._pools["nb"]) == 2 and km.kernel_pools_config["default"]["pool_size"] == 2
    for expected_pool in (2, 2, 1, 0):  # four people take a kernel each; at most four kernels
        km._pools["nb"].pop(0)
        km.fill_if_needed(notebook_name="nb",
                          extra_kernel_env_variables={"VOILA_REQUEST_URL": "http://h/?key=SECRET"})
        assert len(km._pools["nb"]) == expected_pool
        assert "SECRET" not in km.env[-1]["VOILA_REQUEST_URL"]
    assert len(km.list_kernel_ids()) == 4
    km._pools["nb"].clear()
    with pytest.raises(web.HTTPError) as refused:
        run_async(km.start_kernel())
    assert refused.value.status_code == 503
    km.kernels.pop()  # a page closed (or was culled): room for one more
    run_async(km.start_kernel())
    assert len(km.list_kernel_ids()) == 4


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_links_file_is_private_even_when_rewritten(workshop):
    workshop.add(1)
    (workshop.root / ws.LINKS_TXT).chmod(0o644)
    workshop.add(1)
    assert stat.S_IMODE((workshop.root / ws.LINKS_TXT).stat().st_mode) == 0o600
    assert Path(workshop.root / ws.LINKS_TXT).read_text().count("?key=") == 3


def test_the_server_is_standalone_voila_with_each_option_once(tmp_path):
    args = workshop_server.voila_arguments(tmp_path / "workshop.ipynb", "127.0.0.1", 8866, 3, 20)
    names = [a.split("=", 1)[0] for a in args if a.startswith("--")]
    assert len(names) == len(set(names)), names
    for expected in (f"--Voila.config_file_paths={config_dir()}",
                     "--template=workbook", "--preheat_kernel=True", "--pool_size=3",
                     "--MappingKernelManager.cull_idle_timeout=1200", "--Voila.ip=127.0.0.1"):
        assert expected in args
    assert args[0] == str(tmp_path / "workshop.ipynb")  # one notebook: no tree, no other notebook


def test_a_busy_room_does_not_lose_a_participants_page(tmp_path):
    """Voila's executor gives up on a cell's output 4 s after the cell finished (nbclient's
    default) and sends the page without it: a blank page. With 12 opening their links at once on
    a small machine the output took longer (measured: 12 "Timeout waiting for IOPub output" and
    a blank page in Chromium), so the workshop's executor waits for it."""
    import nbformat
    from traitlets.config.loader import KVArgParseConfigLoader
    from voila.execute import VoilaExecutor

    args = workshop_server.voila_arguments(tmp_path / "workshop.ipynb", "127.0.0.1", 8866, 3, 20)
    config = KVArgParseConfigLoader([a for a in args if a.startswith("--VoilaExecutor.")]).load_config()
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=config)
    assert executor.iopub_timeout >= 30


def run_async(coroutine):
    """Run a coroutine on a loop of its own, in a thread: the browser tiers' Playwright may hold
    this thread's event loop for the whole test session."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_failed_links_are_limited_per_address_and_forgotten_after_the_window():
    now = [0.0]
    failed = workshop_server.FailedLinks(limit=3, window_s=60, max_addresses=2, clock=lambda: now[0])
    for _ in range(3):
        assert not failed.blocked("10.0.0.9")
        failed.fail("10.0.0.9")
    assert failed.blocked("10.0.0.9")
    assert not failed.blocked("10.0.0.5")  # another device is never held back
    now[0] = 61.0
    assert not failed.blocked("10.0.0.9")  # a minute later the address may try again
    failed.fail("a"), failed.fail("b"), failed.fail("c")
    assert len(failed._failures) == 2      # the table stays bounded
