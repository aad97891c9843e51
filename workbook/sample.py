"""Seeded, realistic sample data: for exploring the app (`workbook demo`) and for benchmarks.

Realistic means: check-ins most days but with gaps (a week away, a bad spell), a dip on the
day or two after a treatment session and relief after, slow improvement with setbacks, and
notes of every length. The same seed always gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from workbook.store import Store

TREATMENTS = ("esketamine", "esketamine", "esketamine", "tms", "therapy", "kap")
TAGS = ("sleep", "movement", "social", "treatment day", "medication", "stress", "outdoors", "rest")
WIN_TEXTS = (
    "Got out of bed before ten",
    "Cooked a real meal",
    "Answered the email I had been avoiding for a week",
    "Listened to a whole album and enjoyed it",
    "Walked around the block",
    "Called my sister",
    "Showered and got dressed",
    "Went to my session even though I did not want to",
)
CATEGORIES = ("self-care", "movement", "connection", "chores", "work or study", "enjoyment",
              "treatment")
SITUATIONS = (
    "A friend did not reply to my message all day",
    "Made a mistake at work and my manager noticed",
    "Woke up feeling heavy again after a good week",
    "Saw photos of people from school doing well",
)
THOUGHTS = ("Nobody actually wants me around", "I am going to lose this job",
            "The treatment is not working for me", "Everyone else has it together")
NOTE_WORDS = ("tired", "better", "slept badly", "long walk", "quiet day", "anxious about work",
              "saw a friend", "headache", "felt flat", "some hope today", "rain", "cooked")


@dataclass(frozen=True)
class Size:
    years: float = 1.0
    moods: int | None = None
    wins: int | None = None
    thought_records: int | None = None
    sessions: int | None = None
    checkins: int | None = None


TEN_YEARS = Size(years=10, moods=3650, wins=3000, thought_records=1500, sessions=260, checkins=260)
ONE_YEAR = Size(years=1, moods=365, wins=300, thought_records=150, sessions=26, checkins=26)


def _stamp(day: dt.date, rng: random.Random, hour: tuple[int, int] = (7, 22)) -> str:
    moment = dt.datetime.combine(day, dt.time(rng.randint(*hour), rng.randint(0, 59)))
    return moment.astimezone().isoformat(timespec="seconds")


def _note(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.55:
        return None
    if roll < 0.9:
        return ", ".join(rng.sample(NOTE_WORDS, k=rng.randint(1, 3))).capitalize()
    # now and then a long note, with a line break, quotes and a comma
    words = [rng.choice(NOTE_WORDS) for _ in range(rng.randint(40, 120))]
    return " ".join(words[:20]) + '.\n"' + " ".join(words[20:]) + '", I wrote later.'


def generate(store: Store, size: Size = ONE_YEAR, seed: int = 7, end: dt.date | None = None) -> dict:
    """Fill `store` with sample entries ending at `end` (today); returns counts per kind."""
    rng = random.Random(seed)
    end = end or dt.date.today()
    days = int(round(size.years * 365))
    start = end - dt.timedelta(days=days - 1)
    all_days = [start + dt.timedelta(days=i) for i in range(days)]

    n_sessions = size.sessions if size.sessions is not None else int(days / 14)
    step = max(1, days // max(1, n_sessions))
    session_days = [all_days[min(days - 1, i * step + rng.randint(0, max(0, step - 1)))]
                    for i in range(n_sessions)]
    sessions = []
    for day in session_days:
        treatment = rng.choice(TREATMENTS)
        sessions.append({
            "created_at": _stamp(day, rng, (9, 11)),
            "session_at": dt.datetime.combine(day, dt.time(rng.randint(8, 15), 0)).isoformat(
                timespec="minutes"),
            "treatment": treatment,
            "dose": "56 mg" if treatment == "esketamine" else None,
            "intention": rng.choice(["Stay open", "Be gentle with myself", None]),
            "mood_before": rng.randint(2, 6),
            "dissociation": rng.randint(2, 8) if treatment in ("esketamine", "kap") else None,
            "nausea": rng.randint(0, 4),
            "came_up": _note(rng),
            "next_step": rng.choice(["Walk after lunch", "Text a friend", None]),
        })
    session_set = set(session_days)

    moods = []
    away_until = None
    for index, day in enumerate(all_days):
        if away_until and day <= away_until:
            continue
        if rng.random() < 0.01:  # a week or two without check-ins
            away_until = day + dt.timedelta(days=rng.randint(5, 14))
            continue
        if rng.random() < 0.12:
            continue
        progress = index / max(1, days)  # slow improvement over the years
        base = 3.5 + 3 * progress + rng.gauss(0, 1.2)
        recent = [s for s in session_set if 0 <= (day - s).days <= 4]
        if recent:
            since = min((day - s).days for s in recent)
            base += {0: 0.5, 1: -1.0, 2: -0.5, 3: 1.0, 4: 0.8}[since]
        mood = max(0, min(10, round(base)))
        moods.append({
            "created_at": _stamp(day, rng),
            "mood": mood,
            "anxiety": max(0, min(10, round(7 - mood * 0.5 + rng.gauss(0, 1.5))))
            if rng.random() < 0.6 else None,
            "energy": max(0, min(10, round(mood + rng.gauss(0, 1.5)))) if rng.random() < 0.5 else None,
            "sleep_hours": round(rng.uniform(4, 9.5) * 2) / 2 if rng.random() < 0.4 else None,
            "tags": rng.sample(TAGS, k=rng.randint(1, 3)) if rng.random() < 0.35 else None,
            "note": _note(rng),
        })

    if size.moods is not None:  # some days have two check-ins, morning and evening
        while len(moods) < size.moods:
            extra = dict(rng.choice(moods))
            day = dt.date.fromisoformat(extra["created_at"][:10])
            extra["created_at"] = _stamp(day, rng, (20, 23))
            extra["mood"] = max(0, min(10, extra["mood"] + rng.choice((-1, 0, 1))))
            moods.append(extra)
        del moods[size.moods:]
        moods.sort(key=lambda m: m["created_at"])

    def spread(count: int) -> list[dt.date]:
        return sorted(rng.choice(all_days) for _ in range(count))

    wins = [{
        "created_at": _stamp(day, rng),
        "description": rng.choice(WIN_TEXTS),
        "category": rng.choice(CATEGORIES),
        "effort": rng.randint(1, 9) if rng.random() < 0.7 else None,
    } for day in spread(size.wins if size.wins is not None else int(days * 0.8))]

    distortions = ("mind_reading", "fortune_telling", "all_or_nothing", "overgeneralising",
                   "discounting_positive", "should_statements", "labelling")
    records = []
    for day in spread(size.thought_records if size.thought_records is not None else days // 3):
        before = rng.randint(50, 95)
        records.append({
            "created_at": _stamp(day, rng),
            "situation": rng.choice(SITUATIONS),
            "emotions": [{"name": "sad", "intensity": before},
                         {"name": "anxious", "intensity": rng.randint(30, 90)}],
            "automatic_thoughts": [{"text": rng.choice(THOUGHTS), "hot": True}],
            "distortions": rng.sample(distortions, k=rng.randint(1, 3)),
            "evidence_for": "It has happened before.",
            "evidence_against": "Last month it went fine, and people told me so.",
            "balanced_thought": "This is a hard moment, not the whole story.",
            "balanced_belief": rng.randint(30, 80),
            "emotions_after": [{"name": "sad", "intensity": max(0, before - rng.randint(5, 40))},
                               {"name": "anxious", "intensity": rng.randint(20, 70)}],
        })

    checkins = []
    n_checkins = size.checkins if size.checkins is not None else int(days / 14)
    for i, day in enumerate(spread(n_checkins)):
        level = 2.2 - 1.6 * (i / max(1, n_checkins)) + rng.gauss(0, 0.4)
        answers = [max(0, min(3, round(level + rng.gauss(0, 0.6)))) for _ in range(16)]
        record = {f"phq9_{k + 1}": answers[k] for k in range(9)}
        record["phq9_9"] = 0 if rng.random() < 0.97 else 1
        record.update({f"gad7_{k + 1}": answers[9 + k] for k in range(7)})
        record["created_at"] = _stamp(day, rng)
        checkins.append(record)

    counts = {}
    for kind, batch in (("mood", moods), ("session", sessions), ("win", wins),
                        ("thought_record", records), ("checkin", checkins)):
        store.add_many(kind, batch)
        counts[kind] = len(batch)
    return counts
