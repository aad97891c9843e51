"""The workshop page built without a browser: `entry(query=...)` with good, wrong and closed links."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import ipywidgets as w
import pytest

from workbook import workshop as ws
from workbook.store import ENV_VAR, Store
from workbook.ui import workshop_page as wp
from workbook.ui.app import App


@pytest.fixture
def workshop(tmp_path) -> ws.Workshop:
    return ws.Workshop(tmp_path / "workshop")


@pytest.fixture
def issued(workshop) -> dict[str, str]:
    """'admin', 'p1', 'p2', 'p3' -> the secret of that link."""
    out = {}
    for item in workshop.add(3):
        out["admin" if item.member.role == ws.FACILITATOR else f"p{item.member.number}"] = item.secret
    return out


@pytest.fixture(autouse=True)
def _keep_env(monkeypatch):
    """The participant page points WORKBOOK_DATA_DIR at their folder; undo it after each test."""
    monkeypatch.setenv(ENV_VAR, "placeholder")  # recorded, so the original value comes back
    monkeypatch.delenv(ENV_VAR)


def widgets(root: w.Widget) -> list[w.Widget]:
    found, todo = [], [root]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(getattr(current, "children", ()))
    return found


def classes(root: w.Widget) -> set[str]:
    return {css for widget in widgets(root) for css in getattr(widget, "_dom_classes", ())}


def open_page(workshop: ws.Workshop, secret: str) -> w.Widget:
    return wp.entry(query=f"key={secret}", root=workshop.root)


def test_a_good_link_builds_the_app_on_the_participants_own_folder(workshop, issued):
    page = open_page(workshop, issued["p1"])
    assert isinstance(page, wp.ParticipantPage)
    member = workshop.check(issued["p1"])
    assert page.store.data_dir == workshop.folder(member.id)
    import os

    assert os.environ[ENV_VAR] == str(workshop.folder(member.id))  # stray defaults land here too
    assert isinstance(page.app, App) and page.app.store is page.store
    page.app.show("mood")
    form = page.app.pages["mood"].form
    form.inputs["mood"].slider.value = 3
    form.save_button.click()
    assert "wb-ok" in form.feedback.status.value
    assert Store(workshop.folder(member.id)).load("mood")["mood"].tolist() == [3]
    assert not (workshop.root / "mood.csv").exists()
    assert {"wb-workshop", "wb-save", "wb-share-counts", "wb-take-home"} <= classes(page)
    assert "wb-denied" not in classes(page)


@pytest.mark.parametrize("query", ["", "key=", "key=nope", "foo=1", "key=../../participants",
                                   "key=%00", "key=a&key=b"])
def test_missing_or_wrong_links_get_the_denied_page_and_no_form(workshop, issued, query):
    page = wp.entry(query=query, root=workshop.root)
    assert isinstance(page, wp.DeniedPage)
    found = classes(page)
    assert "wb-denied" in found
    assert not {"wb-save", "wb-nav-mood", "wb-share-counts"} & found
    assert "wb-crisis" in found and "wb-help-button" in found  # help stays in reach
    assert not (workshop.root / ws.PARTICIPANTS_DIR).exists()  # nothing made for a wrong link


def test_a_tampered_link_is_refused(workshop, issued):
    secret = issued["p2"]
    tampered = secret[:5] + ("x" if secret[5] != "x" else "y") + secret[6:]
    assert isinstance(open_page(workshop, tampered), wp.DeniedPage)


def test_a_revoked_link_is_refused_and_an_open_page_stops_saving(workshop, issued):
    page = open_page(workshop, issued["p3"])
    member = workshop.check(issued["p3"])
    page.app.show("win")
    form = page.app.pages["win"].form
    form.inputs["description"].input.value = "Made tea"
    form.save_button.click()
    workshop.revoke(member.id)
    assert isinstance(open_page(workshop, issued["p3"]), wp.DeniedPage)
    form.inputs["description"].input.value = "After the link was closed"
    form.save_button.click()
    assert "closed by the facilitator" in form.feedback.error.value
    assert "Take my entries home" in form.feedback.error.value  # what still helps, not the disk
    assert "disk" not in form.feedback.error.value
    assert form.inputs["description"].input.value == "After the link was closed"  # kept in the form
    assert Store(workshop.folder(member.id)).load("win")["description"].tolist() == ["Made tea"]


def test_two_participants_never_see_each_others_entries(workshop, issued):
    first = open_page(workshop, issued["p1"])
    second = open_page(workshop, issued["p2"])
    for page, note in ((first, "note of the first person"), (second, "note of the second person")):
        page.app.show("mood")
        form = page.app.pages["mood"].form
        form.inputs["mood"].slider.value = 6
        form.inputs["note"].input.value = note
        form.save_button.click()
    again = open_page(workshop, issued["p1"])  # a fresh kernel later: same folder, same entries
    again.app.show("mood")
    notes = again.app.store.load("mood")["note"].tolist()
    assert notes == ["note of the first person"]
    shown = " ".join(getattr(x, "value", "") for x in widgets(again.app.pages["mood"])
                     if isinstance(getattr(x, "value", None), str))
    assert "note of the first person" in shown and "note of the second person" not in shown


def test_share_counts_is_saved_in_the_participants_folder_and_reaches_the_counts(workshop, issued):
    page = open_page(workshop, issued["p1"])
    assert page.bar.share_box.value is False
    page.store.add("mood", {"mood": 5})
    admin = open_page(workshop, issued["admin"])
    assert isinstance(admin, wp.FacilitatorPage)
    assert re.search(r"sharing their counts: <strong>0</strong>", admin.counts.value)
    page.bar.share_box.value = True
    assert ws.shares_counts(page.store.data_dir)
    assert page.bar.share_counts is True
    assert "shared" in page.bar.feedback.status.value
    admin.refresh_button.click()
    assert re.search(r"sharing their counts: <strong>1</strong>", admin.counts.value)
    # one person's "added up" count would be their own activity: not shown until 3 share
    assert "wb-admin-kind-mood" not in admin.counts.value
    assert "once at least 3 participants share" in admin.counts.value
    assert open_page(workshop, issued["p1"]).bar.share_box.value is True  # remembered
    for name, moods in (("p2", 2), ("p3", 0)):
        other = open_page(workshop, issued[name])
        for _ in range(moods):
            other.store.add("mood", {"mood": 6})
        other.bar.share_box.value = True
    admin.refresh_button.click()
    assert re.search(r"sharing their counts: <strong>3</strong>", admin.counts.value)
    assert re.search(r'wb-admin-kind-mood"><td>[^<]*</td><td class="wb-admin-n">3<', admin.counts.value)
    assert "wb-admin-too-few" not in admin.counts.value


def test_the_admin_page_shows_numbers_and_ids_never_entries(workshop, issued):
    page = open_page(workshop, issued["p2"])
    page.store.add("win", {"description": "<img src=x onerror=alert(1)> private words"})
    page.bar.share_box.value = True
    admin = wp.entry(query=f"key={issued['admin']}", root=workshop.root)
    text = " ".join(x.value for x in widgets(admin) if isinstance(getattr(x, "value", None), str))
    assert "private words" not in text and "<img" not in text
    for secret in issued.values():
        assert secret not in text
    assert "wb-save" not in classes(admin)
    assert workshop.check(issued["p2"]).id in admin.links.value


def test_take_my_entries_home(workshop, issued):
    page = open_page(workshop, issued["p1"])
    page.bar.take_home.click()
    assert page.bar.download.value == ""
    assert "Nothing saved yet" in page.bar.feedback.status.value
    page.store.add("mood", {"mood": 7})
    page.bar.take_home.click()
    match = re.search(r'href="data:application/zip;base64,([^"]+)"', page.bar.download.value)
    assert match and "wb-take-home-link" in page.bar.download.value
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(match[1]))) as archive:
        assert archive.namelist() == ["mood.csv"]


def test_the_share_panel_on_my_data_works_per_participant(workshop, issued):
    page = open_page(workshop, issued["p1"])
    page.store.add("mood", {"mood": 2})
    open_page(workshop, issued["p2"]).store.add("mood", {"mood": 9})
    page.app.show("data")
    share = page.app.pages["data"].share
    share.kinds["mood"].value = True
    manifest = share.make()
    assert manifest is not None and manifest.counts == {"mood": 1}


def test_request_query_forgets_the_key(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "key=abc")
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://h/?key=abc")
    assert wp.request_query() == "key=abc"
    import os

    assert "QUERY_STRING" not in os.environ and "VOILA_REQUEST_URL" not in os.environ


def test_the_facilitator_notebook_page_reads_the_folder(workshop, issued, monkeypatch):
    monkeypatch.setenv(ws.WORKSHOP_ENV, str(workshop.root))
    page = wp.facilitator_page()
    assert "of 3 open links" in page.counts.value


def test_no_workshop_folder_at_all_is_a_denied_page(tmp_path):
    page = wp.entry(query="key=" + "a" * 32, root=tmp_path / "none")
    assert isinstance(page, wp.DeniedPage)
    assert not (tmp_path / "none").exists()
