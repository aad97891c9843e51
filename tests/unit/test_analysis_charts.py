import datetime as dt

import pandas as pd

from workbook import analysis, charts, thoughts

TODAY = dt.date(2026, 3, 18)  # a Wednesday


def frame(rows):
    return pd.DataFrame(rows)


def test_mood_by_day_averages_and_windows():
    moods = frame([
        {"created_at": "2026-03-18T08:00:00+01:00", "mood": 4, "anxiety": None, "energy": 2},
        {"created_at": "2026-03-18T20:00:00+01:00", "mood": 6, "anxiety": 3, "energy": None},
        {"created_at": "2026-03-10T20:00:00+01:00", "mood": 2, "anxiety": None, "energy": None},
        {"created_at": "2026-01-01T20:00:00+01:00", "mood": 9, "anxiety": None, "energy": None},
    ])
    daily = analysis.mood_by_day(moods, days=30, today=TODAY)
    assert list(daily["mood"].astype(float)) == [2.0, 5.0]
    assert list(daily["entries"]) == [1, 2]


def test_mood_by_day_uses_the_local_date_written():
    moods = frame([{"created_at": "2026-03-18T23:30:00-08:00", "mood": 5, "anxiety": None,
                    "energy": None}])
    daily = analysis.mood_by_day(moods, today=TODAY)
    assert daily.loc[0, "date"] == pd.Timestamp("2026-03-18")


def test_wins_this_week_counts_from_monday():
    wins = frame([{"created_at": f"2026-03-{d}T10:00:00+00:00"} for d in (15, 16, 17, 18)])
    assert analysis.wins_this_week(wins, TODAY) == 3
    assert analysis.wins_this_week(frame([]), TODAY) == 0


def test_wins_by_week_has_every_week():
    wins = frame([{"created_at": "2026-03-16T10:00:00+00:00"},
                  {"created_at": "2026-03-02T10:00:00+00:00"},
                  {"created_at": "2026-03-03T10:00:00+00:00"}])
    weekly = analysis.wins_by_week(wins, weeks=4, today=TODAY)
    assert list(weekly["wins"]) == [0, 2, 0, 1]
    assert weekly.loc[3, "week"] == pd.Timestamp("2026-03-16")


def test_emotion_change_and_hot_thought():
    record = {"emotions": [{"name": "sad", "intensity": 80}, {"name": "ashamed", "intensity": 60}],
              "emotions_after": [{"name": "sad", "intensity": 40}],
              "automatic_thoughts": [{"text": "a", "hot": False}, {"text": "b", "hot": True}]}
    assert thoughts.emotion_change(record) == [("sad", 80, 40), ("ashamed", 60, None)]
    assert thoughts.hot_thought(record) == "b"
    assert thoughts.hot_thought({"automatic_thoughts": [{"text": "only", "hot": False}]}) == "only"


def test_mood_chart_spec():
    daily = analysis.mood_by_day(frame([
        {"created_at": "2026-03-17T08:00:00+00:00", "mood": 4, "anxiety": None, "energy": None}]),
        today=TODAY)
    spec = charts.mood_chart(daily, today=TODAY).to_dict()
    layers = spec["layer"]
    assert layers[0]["mark"]["type"] == "line"
    assert layers[0]["encoding"]["y"]["scale"]["domain"] == [0, 10]
    assert layers[0]["encoding"]["x"]["scale"]["domain"] == ["2026-02-17", "2026-03-18"]
    data = spec["datasets"][spec["data"]["name"]]
    assert data == [{"date": "2026-03-17", "mood": 4.0, "anxiety": None, "energy": None,
                     "entries": 1}]


def test_wins_chart_spec():
    weekly = analysis.wins_by_week(frame([{"created_at": "2026-03-16T10:00:00+00:00"}]),
                                   weeks=2, today=TODAY)
    spec = charts.wins_chart(weekly).to_dict()
    assert spec["mark"]["type"] == "bar"
    values = spec["datasets"][spec["data"]["name"]]
    assert [v["wins"] for v in values] == [0, 1]


def test_counts_have_whole_number_ticks():
    weekly = analysis.wins_by_week(frame([{"created_at": "2026-03-16T10:00:00+00:00"}]),
                                   weeks=2, today=TODAY)
    axis = charts.wins_chart(weekly).to_dict()["encoding"]["y"]["axis"]
    assert axis["values"] == [0, 1]
    assert charts.count_axis(40).to_dict() == {"format": "d", "tickMinStep": 1}
