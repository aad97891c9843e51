import datetime as dt

from workbook import sample
from workbook.store import Store


def test_sample_is_seeded_and_sized(tmp_path):
    end = dt.date(2026, 3, 1)
    first = sample.generate(Store(tmp_path / "a"), sample.ONE_YEAR, seed=3, end=end)
    second = sample.generate(Store(tmp_path / "b"), sample.ONE_YEAR, seed=3, end=end)
    assert first == second == {"mood": 365, "session": 26, "win": 300, "thought_record": 150,
                               "checkin": 26}
    a = Store(tmp_path / "a").load("mood").drop(columns=["id"])
    b = Store(tmp_path / "b").load("mood").drop(columns=["id"])
    assert a.equals(b)
    assert a["created_at"].str.slice(0, 10).max() <= "2026-03-01"


def test_sample_has_gaps_and_dips_after_sessions(tmp_path):
    store = Store(tmp_path)
    sample.generate(store, sample.Size(years=2), seed=5)
    days = sorted(set(store.load("mood")["created_at"].str.slice(0, 10)))
    dates = [dt.date.fromisoformat(d) for d in days]
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    assert max(gaps) >= 5
