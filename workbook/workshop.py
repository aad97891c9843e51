"""Workshop mode's records: private links, their hashes, participants' folders and counts.

A workshop lives in one folder:

    participants.json      who may come in: an id, the SHA-256 of the link's secret, open or closed
    workshop.json          where the links point (port, public URL), so a restart keeps them
    workshop-links.txt     the links themselves, for the facilitator (0600; the server never reads it)
    workshop-links.html    the same as a printable page, one QR code per participant (0600)
    participants/<id>/     each participant's own data folder (0700)

A link is `<public url>?key=<secret>`; the secret is `secrets.token_urlsafe(SECRET_BYTES)`.
Only its hash is kept in `participants.json`, and every check re-reads that file, so a link
added or closed by another process (`workbook workshop --add/--revoke`) counts at once.

Why this module is over 400 lines: everything in it reads or writes the one folder above, with
the same private-file writing (`_write_private`) and the same checks of ids and links; the
take-home zip and the printable page of links are the last two of those files.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import io
import json
import os
import re
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from filelock import FileLock

from workbook import exercises, files, safeparse
from workbook.store import ENV_VAR, Store, default_data_dir, writer

SECRET_BYTES = 24            # 192 random bits per link (the promise is at least 128)
SECRET_BITS = SECRET_BYTES * 8
KEY_PARAM = "key"
ID_LENGTH = 12               # hex characters of the hash that name a participant's folder
WORKSHOP_ENV = "WORKBOOK_WORKSHOP_DIR"
REGISTRY = "participants.json"
SETTINGS = "workshop.json"
LINKS_TXT = "workshop-links.txt"
LINKS_HTML = "workshop-links.html"
PARTICIPANTS_DIR = "participants"
SHARING_FILE = "workshop-sharing.json"
CONFIG_FILE = "config.yaml"
PARTICIPANT = "participant"
FACILITATOR = "facilitator"
MIN_SHARING = 3
"""Counts are added up only when at least this many share: with fewer, a sum is one person's."""

_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,128}")


class LinkClosed(PermissionError):
    """The participant's link was closed by the facilitator: nothing more is written."""

    # what the page adds after the reason (instead of 'check the disk has space'), see form.py
    advice = ("Copy anything from the form you want to keep before you close the page. Take my "
              "entries home still works, and your facilitator can give you a new link.")


def new_secret() -> str:
    """A link's secret: SECRET_BYTES from the operating system's CSPRNG, URL-safe."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """SHA-256 of the secret, hex. A slow hash adds nothing: the secret is random, not chosen."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def id_from_hash(digest: str) -> str:
    """A participant's id (and folder name): the first hex characters of the stored hash."""
    return digest[:ID_LENGTH]


def valid_id(member_id: str) -> bool:
    return bool(_ID.fullmatch(member_id or ""))


def key_from_query(query: str) -> str:
    """The secret from a query string like `key=...` ('' if there is none)."""
    values = parse_qs(query or "", keep_blank_values=True).get(KEY_PARAM, [])
    return values[0] if len(values) == 1 else ""


def link(base_url: str, secret: str) -> str:
    """`base_url` with the secret as its query string."""
    return f"{base_url.split('?')[0]}?{urlencode({KEY_PARAM: secret})}"


def workshop_dir(explicit: str | os.PathLike | None = None) -> Path:
    """`--data-dir`, else $WORKBOOK_WORKSHOP_DIR, else `workshop/` inside the usual data folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(WORKSHOP_ENV):
        return Path(os.environ[WORKSHOP_ENV]).expanduser()
    return default_data_dir() / "workshop"


@dataclass(frozen=True)
class Member:
    """One entry of `participants.json`: a participant's link, or the facilitator's."""

    id: str
    hash: str
    role: str
    number: int
    created_at: str
    closed_at: str = ""

    @property
    def active(self) -> bool:
        return not self.closed_at

    @property
    def label(self) -> str:
        return "facilitator" if self.role == FACILITATOR else f"participant {self.number}"


@dataclass(frozen=True)
class Issued:
    """A member with their secret: only ever in memory and in the facilitator's links file."""

    member: Member
    secret: str

    def url(self, base_url: str) -> str:
        return link(base_url, self.secret)


@dataclass(frozen=True)
class Counts:
    """What the facilitator sees: numbers only, entries only from those who share.

    `today` is empty while fewer than MIN_SHARING participants share (see `too_few`).
    """

    day: dt.date
    links_open: int
    links_closed: int
    sharing: int
    today: dict[str, int] = field(default_factory=dict)

    @property
    def too_few(self) -> bool:
        """Too few share for a sum that does not point at one person."""
        return self.sharing < MIN_SHARING


def _whole_number(value: Any) -> int | None:
    """A participant's number as written by this module (or by hand as digits); else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
        return int(value)
    return None


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _write_private(path: Path, text: str, mode: int = 0o600) -> None:
    """Write a file atomically, readable only by its owner from the first byte."""
    files.private_folder(path.parent)
    writer.write(path, text, mode=mode)


class Workshop:
    """The workshop folder: who may come in, their folders, the facilitator's links and counts."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # -- the registry --------------------------------------------------------
    @property
    def registry(self) -> Path:
        return self.root / REGISTRY

    def _lock(self) -> FileLock:
        files.private_folder(self.root)
        files.secure_folder(self.root, (PARTICIPANTS_DIR,))
        return writer.lock(self.root / REGISTRY)

    def members(self) -> list[Member]:
        """Everyone in `participants.json`, read afresh (another process may have changed it)."""
        try:
            data = safeparse.load_json(self.registry.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        out = []
        for item in data.get("members", []) if isinstance(data, dict) else []:
            try:
                member = Member(**{k: item[k] for k in Member.__dataclass_fields__ if k in item})
            except TypeError:  # a hand-edited entry missing a field: it opens nothing
                continue
            number = _whole_number(member.number)
            if number is None:  # a hand-edited number that is not a number: it opens nothing
                continue
            if valid_id(member.id) and member.id == id_from_hash(str(member.hash)):
                out.append(replace(member, number=number))
        return out

    def _save(self, members: Iterable[Member]) -> None:
        data = {"version": 1, "hash": "sha256", "secret_bits": SECRET_BITS,
                "members": [m.__dict__ for m in members]}
        _write_private(self.registry, json.dumps(data, indent=1) + "\n")

    def participants(self, open_only: bool = False) -> list[Member]:
        return [m for m in self.members() if m.role == PARTICIPANT and (m.active or not open_only)]

    def _issue(self, members: list[Member], role: str) -> Issued:
        taken = {m.id for m in members}
        while True:
            secret = new_secret()
            digest = hash_secret(secret)
            if id_from_hash(digest) not in taken:
                break
        number = 0 if role == FACILITATOR else 1 + max(
            (m.number for m in members if m.role == PARTICIPANT), default=0)
        member = Member(id=id_from_hash(digest), hash=digest, role=role, number=number,
                        created_at=_now())
        members.append(member)
        return Issued(member, secret)

    def add(self, count: int) -> list[Issued]:
        """New participants' links (and the facilitator's, the first time)."""
        if count < 0:
            raise ValueError("count: cannot add fewer than 0 participants.")
        with self._lock():
            members = self.members()
            issued = [] if any(m.role == FACILITATOR and m.active for m in members) else [
                self._issue(members, FACILITATOR)]
            issued += [self._issue(members, PARTICIPANT) for _ in range(count)]
            self._save(members)
        self._remember(issued)
        return issued

    def ensure(self, count: int) -> list[Issued]:
        """At least `count` open participant links: the existing ones are kept, only missing added."""
        return self.add(max(0, count - len(self.participants(open_only=True))))

    def revoke(self, member_id: str) -> Member:
        """Close a link at once; the participant's folder is kept (their entries are theirs)."""
        with self._lock():
            members = self.members()
            for i, member in enumerate(members):
                if member.id == member_id:
                    if member.active:
                        members[i] = replace(member, closed_at=_now())
                        self._save(members)
                    break
            else:
                raise KeyError(f"No link with the id {member_id!r} in {self.registry}.")
        self._forget(member_id)
        return members[i]

    def check(self, secret: str) -> Member | None:
        """The open member whose link carries `secret`, or None (missing, wrong or closed)."""
        if not secret or not _SECRET.fullmatch(secret):
            return None
        digest = hash_secret(secret)
        found = None
        for member in self.members():
            if hmac.compare_digest(member.hash, digest):
                found = member
        return found if found is not None and found.active else None

    def is_open(self, member_id: str) -> bool:
        return any(m.id == member_id and m.active for m in self.members())

    def open_member(self, member_id: str) -> Member | None:
        """The open member with this id (the server checked their link), or None."""
        return next((m for m in self.members() if m.id == member_id and m.active), None)

    # -- participants' folders ---------------------------------------------
    def folder(self, member_id: str) -> Path:
        """A participant's data folder; an id that could leave `participants/` is refused."""
        if not valid_id(member_id):
            raise ValueError(f"participant id: {member_id!r} is not an id (12 hex characters).")
        base = (self.root / PARTICIPANTS_DIR).resolve()
        path = base / member_id
        if path.resolve().parent != base:  # e.g. a symbolic link placed in participants/
            raise ValueError(f"participant id: the folder for {member_id} is not inside {base}.")
        return path

    def open_folder(self, member: Member) -> Path:
        """The participant's folder, made on first use; a workshop config.yaml is copied in."""
        if member.role != PARTICIPANT:
            raise ValueError("role: only participants have a data folder.")
        files.private_folder(self.root)
        files.private_folder(self.root / PARTICIPANTS_DIR)
        path = self.folder(member.id)
        files.private_folder(path)
        shared_config = self.root / CONFIG_FILE
        if shared_config.is_file() and not (path / CONFIG_FILE).exists():
            writer.copy(shared_config, path / CONFIG_FILE)
        return path

    # -- sharing counts ----------------------------------------------------
    def counts(self, today: dt.date | None = None) -> Counts:
        """Links open and closed, and from participants who share: how many, entries today.

        Entries are added up only when at least MIN_SHARING participants share; with fewer the
        sum would be one or two people's own activity, so `today` stays empty (nothing is read).
        """
        day = today or dt.date.today()
        day_text = day.isoformat()
        members = self.participants()
        counted = exercises.workshop_counted()  # `counted_in_workshop` in each exercise's file
        per_kind = dict.fromkeys(counted, 0)
        sharing = 0
        sharers: list[Path] = []
        for member in members:
            if not member.active:
                continue
            try:
                path = self.folder(member.id)
            except ValueError:
                continue
            if not path.is_dir() or not shares_counts(path):
                continue
            sharing += 1
            sharers.append(path)
        for path in sharers if sharing >= MIN_SHARING else []:
            store = Store(path)
            for kind in counted:
                try:
                    records = store.records(kind)
                except (OSError, ValueError):
                    continue
                per_kind[kind] += sum(1 for r in records if str(r.get("created_at", ""))[:10] == day_text
                                      and r.get("status", "complete") != "draft")
        return Counts(day=day, links_open=sum(m.active for m in members),
                      links_closed=sum(not m.active for m in members), sharing=sharing,
                      today=per_kind if sharing >= MIN_SHARING else {})

    # -- where links point -------------------------------------------------
    def settings(self) -> dict[str, Any]:
        try:
            data = safeparse.load_json((self.root / SETTINGS).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_settings(self, **values: Any) -> None:
        data = {**self.settings(), **values}
        _write_private(self.root / SETTINGS, json.dumps(data, indent=1) + "\n")

    def base_url(self) -> str:
        return str(self.settings().get("public_url") or "")

    # -- the facilitator's copy of the links -------------------------------
    def saved_secrets(self) -> dict[str, str]:
        """id -> secret from the links file, kept only where the secret matches the registry."""
        try:
            text = (self.root / LINKS_TXT).read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        hashes = {m.id: m.hash for m in self.members()}
        out = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 2 or line.startswith("#"):
                continue
            secret = key_from_query(urlsplit(parts[-1]).query)
            digest = hash_secret(secret) if secret else ""
            member_id = id_from_hash(digest)
            if secret and hashes.get(member_id) == digest:
                out[member_id] = secret
        return out

    def issued(self) -> list[Issued]:
        """Open members whose secret is in the links file: facilitator first, then by number."""
        known = self.saved_secrets()
        members = sorted((m for m in self.members() if m.active), key=lambda m: (m.role != FACILITATOR,
                                                                                  m.number))
        return [Issued(m, known[m.id]) for m in members if m.id in known]

    def missing_secrets(self) -> list[Member]:
        """Open members whose link cannot be printed again (the links file lost them)."""
        known = self.saved_secrets()
        return [m for m in self.members() if m.active and m.id not in known]

    def _remember(self, new: list[Issued]) -> None:
        if new:
            self.write_links({**{i.member.id: i.secret for i in self.issued()},
                              **{i.member.id: i.secret for i in new}})

    def _forget(self, member_id: str) -> None:
        known = self.saved_secrets()
        known.pop(member_id, None)
        self.write_links(known)

    def write_links(self, known: dict[str, str] | None = None) -> None:
        """The links file and the printable page, for the open members whose secret is known."""
        known = self.saved_secrets() if known is None else known
        base = self.base_url() or "http://127.0.0.1:8866/"
        members = sorted((m for m in self.members() if m.active and m.id in known),
                         key=lambda m: (m.role != FACILITATOR, m.number))
        lines = ["# Between Sessions workshop links. Each link opens one person's private workbook:",
                 "# keep this file private and hand each link to one person only.",
                 f"# Close one with: workbook workshop --revoke ID --data-dir {self.root}", ""]
        lines += [f"{m.label.replace(' ', '-'):<16} {m.id}  {link(base, known[m.id])}" for m in members]
        _write_private(self.root / LINKS_TXT, "\n".join(lines) + "\n")
        participants = [(m, link(base, known[m.id])) for m in members if m.role == PARTICIPANT]
        _write_private(self.root / LINKS_HTML, printable_page(participants))


def shares_counts(folder: Path) -> bool:
    """Whether the participant ticked 'share my counts with the facilitator' (no file: no)."""
    try:
        data = safeparse.load_json((Path(folder) / SHARING_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return False
    return isinstance(data, dict) and data.get("share_counts") is True


def set_shares_counts(folder: Path, value: bool) -> None:
    """Save the participant's choice in their own folder, under the file's lock like any write there."""
    path = Path(folder) / SHARING_FILE
    with writer.lock(path):
        _write_private(path, json.dumps({"share_counts": bool(value), "changed_at": _now()}) + "\n")


class ParticipantStore(Store):
    """A participant's store that writes nothing once their link has been closed."""

    def __init__(self, workshop: Workshop, member_id: str):
        super().__init__(workshop.folder(member_id))
        self.workshop = workshop
        self.member_id = member_id

    def _lock(self, kind: str):  # every write to an entry file goes through the store's lock
        if not self.workshop.is_open(self.member_id):
            raise LinkClosed("this workshop link has been closed by the facilitator, so nothing more "
                             "can be saved with it. What you saved before is kept")
        return super()._lock(kind)


def take_home_zip(folder: Path) -> bytes:
    """The participant's data files as a zip `workbook restore FILE.zip` accepts."""
    from workbook.backup import data_files

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in data_files(Path(folder)):
            archive.write(path, arcname=path.name)
    return buffer.getvalue()


def data_url(data: bytes, mime: str = "application/zip") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (drawn here: no image is fetched from anywhere)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2, title=None)


def printable_page(links: list[tuple[Member, str]]) -> str:
    """One card per participant: their number, their link, its QR code. No external resources."""
    cards = "".join(
        f'<section class="card"><h2>Participant {m.number}</h2>{qr_svg(url)}'
        f'<p class="url">{html.escape(url)}</p>'
        "<p>This link is yours alone: it opens your private workbook. Keep it like a password.</p>"
        "</section>"
        for m, url in links
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        "<title>Between Sessions: workshop links</title><style>"
        "body{font-family:sans-serif;margin:16px;color:#1f2328}"
        ".cards{display:flex;flex-wrap:wrap;gap:12px}"
        ".card{border:1px dashed #888;padding:10px 14px;width:300px;page-break-inside:avoid;"
        "break-inside:avoid}"
        ".card h2{font-size:18px;margin:0 0 6px 0}"
        ".url{font-family:monospace;font-size:11px;word-break:break-all}"
        "@media print{.note{display:none}}"
        "</style></head><body>"
        "<h1>Between Sessions: workshop links</h1>"
        "<p class=\"note\">Print and cut along the dashed lines; give each person one card. "
        "Anyone holding a card can open that workbook, so keep spare cards safe.</p>"
        f'<div class="cards">{cards}</div></body></html>\n'
    )


def participant_env(folder: Path) -> None:
    """Point anything that asks for 'the data folder' in this kernel at the participant's own."""
    os.environ[ENV_VAR] = str(folder)
