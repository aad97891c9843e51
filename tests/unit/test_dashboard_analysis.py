"""The progress dashboard's analysis, charts and sentences, on small inline frames."""

import datetime as dt
import json

import pandas as pd
import pytest

from workbook import analysis, charts, progress

TODAY = dt.date(2026, 3, 18)  # a Wednesday
D = dt.date


def stamp(day: str, hour: int = 20) -> str:
    return f"{day}T{hour:02d}:00:00+01:00"


def moods(*pairs) -> pd.DataFrame:
    """Mood check-ins from (day, mood) pairs, mood as the store gives it (Int64)."""
    return pd.DataFrame({"created_at": [stamp(d) for d, _ in pairs],
                         "mood": pd.array([m for _, m in pairs], dtype="Int64")})


def sessions(*days, written=None) -> pd.DataFrame:
    return pd.DataFrame({"created_at": [stamp(written or d[:10], 7) for d in days],
                         "session_at": [f"{d}T09:30" if len(d) == 10 else d for d in days]})


def data_of(spec: dict, layer: dict | None = None) -> list[dict]:
    source = (layer or spec).get("data") or spec["data"]
    return spec["datasets"][source["name"]]


EMPTY = pd.DataFrame(columns=["id", "created_at"])


# -- ranges -------------------------------------------------------------------------------
@pytest.mark.parametrize("days, earliest, expected", [
    (30, None, (D(2026, 2, 17), TODAY)),
    (1, None, (TODAY, TODAY)),
    (None, D(2020, 5, 1), (D(2020, 5, 1), TODAY)),
    (None, None, (D(2026, 2, 17), TODAY)),
    (None, D(2027, 1, 1), (D(2026, 2, 17), TODAY)),  # an entry dated in the future
])
def test_window(days, earliest, expected):
    assert analysis.window(days, TODAY, earliest) == expected


def test_earliest_date_across_frames():
    assert analysis.earliest_date(EMPTY, EMPTY) is None
    first = analysis.earliest_date(moods(("2026-03-01", 5)), moods(("2025-12-24", 5)), EMPTY)
    assert first == D(2025, 12, 24)


def test_trend_unit():
    assert analysis.trend_unit(D(2026, 1, 1), D(2026, 3, 31)) == "day"
    assert analysis.trend_unit(D(2025, 3, 19), TODAY) == "week"


def test_in_range_and_between_include_both_ends():
    frame = moods(("2026-03-01", 1), ("2026-03-02", 2), ("2026-03-03", 3))
    assert list(analysis.between(frame, D(2026, 3, 2), D(2026, 3, 3))["mood"]) == [2, 3]
    assert analysis.count_between(frame, D(2026, 3, 1), D(2026, 3, 1)) == 1
    assert analysis.count_between(EMPTY, D(2026, 3, 1), TODAY) == 0


# -- mood ---------------------------------------------------------------------------------
def test_daily_mood_averages_each_day_and_skips_missing():
    frame = moods(("2026-03-01", 4), ("2026-03-01", 7), ("2026-03-03", None))
    daily = analysis.daily_mood(frame)
    assert daily.to_dict() == {pd.Timestamp("2026-03-01"): 5.5}
    assert analysis.daily_mood(EMPTY).empty


def test_mood_trend_empty_and_one_point():
    assert analysis.mood_trend(EMPTY, D(2026, 3, 1), TODAY).empty
    one = analysis.mood_trend(moods(("2026-03-10", 6)), D(2026, 3, 1), TODAY)
    assert one[["mood", "trend", "entries"]].to_dict("records") == [
        {"mood": 6.0, "trend": 6.0, "entries": 1}]
    assert one.loc[0, "date"] == pd.Timestamp("2026-03-10")


def test_mood_trend_rolls_over_seven_days_and_breaks_at_a_long_gap():
    frame = moods(("2026-03-01", 2), ("2026-03-02", 4), ("2026-03-15", 8))
    trend = analysis.mood_trend(frame, D(2026, 3, 1), TODAY).set_index("date")
    assert trend.loc["2026-03-02", "trend"] == 3.0
    assert trend.loc["2026-03-05", "trend"] == 3.0  # no check-in that day: the average carries on
    assert pd.isna(trend.loc["2026-03-05", "mood"])
    assert pd.Timestamp("2026-03-09") not in trend.index  # a week without check-ins: no line
    assert trend.loc["2026-03-15", "trend"] == 8.0
    assert len(trend) == 8 + 1  # 1-8 March, then 15 March; never one row per raw entry


def test_mood_trend_uses_history_before_the_range():
    frame = moods(("2026-03-08", 2), ("2026-03-10", 6))
    trend = analysis.mood_trend(frame, D(2026, 3, 10), TODAY)
    assert trend.loc[0, "trend"] == 4.0  # 8 March is outside the range but inside the 7 days


def test_mood_trend_weekly_is_small_for_ten_years():
    days = pd.date_range("2016-03-21", periods=3650, freq="D")
    frame = pd.DataFrame({"created_at": days.strftime("%Y-%m-%dT20:00:00+00:00"),
                          "mood": pd.array([i % 11 for i in range(3650)], dtype="Int64")})
    trend = analysis.mood_trend(frame, days[0].date(), days[-1].date(), unit="week")
    assert len(trend) == 522
    assert set(trend["date"].dt.day_of_week) == {0}
    assert trend["entries"].max() == 7


def test_mood_change_compares_two_fortnights():
    frame = moods(("2026-03-18", 6), ("2026-03-10", 4), ("2026-03-01", 3), ("2026-02-20", 5))
    change = analysis.mood_change(frame, TODAY)
    assert change == {"days": 14, "recent": 5.0, "recent_days": 2, "before": 4.0, "before_days": 2}
    assert analysis.mood_change(EMPTY, TODAY)["recent"] is None


# -- sessions -----------------------------------------------------------------------------
def test_session_dates_from_session_at_else_written():
    frame = sessions("2026-03-05", "2026-03-01")
    frame.loc[1, "session_at"] = None
    assert list(analysis.session_dates(frame)) == [pd.Timestamp("2026-03-01"),
                                                  pd.Timestamp("2026-03-05")]
    assert analysis.session_dates(EMPTY).empty


def test_mood_after_sessions_averages_over_sessions():
    frame = moods(("2026-03-02", 4), ("2026-03-16", 6), ("2026-03-03", 5), ("2026-03-01", 7))
    after = analysis.mood_after_sessions(frame, sessions("2026-03-01", "2026-03-15"), D(2026, 1, 1),
                                         TODAY)
    assert after.to_dict("records") == [
        {"day": 0, "mood": 7.0, "sessions": 1},
        {"day": 1, "mood": 5.0, "sessions": 2},
        {"day": 2, "mood": 5.0, "sessions": 1},
    ]


def test_mood_after_sessions_close_together_counts_a_day_once():
    frame = moods(("2026-03-01", 3), ("2026-03-02", 4), ("2026-03-03", 9))
    after = analysis.mood_after_sessions(frame, sessions("2026-03-01", "2026-03-03", "2026-03-03"),
                                         D(2026, 1, 1), TODAY)
    assert after.to_dict("records") == [{"day": 0, "mood": 6.0, "sessions": 2},
                                        {"day": 1, "mood": 4.0, "sessions": 1}]


def test_mood_after_sessions_edges():
    frame = moods(("2026-02-27", 5), ("2026-03-16", 2))  # before any session; 15 days after it
    held = sessions("2026-03-01")
    assert analysis.mood_after_sessions(frame, held, D(2026, 1, 1), TODAY).empty
    assert analysis.mood_after_sessions(EMPTY, held, D(2026, 1, 1), TODAY).empty
    assert analysis.mood_after_sessions(frame, EMPTY, D(2026, 1, 1), TODAY).empty
    inside = moods(("2026-03-02", 5))
    assert analysis.mood_after_sessions(inside, held, D(2026, 3, 2), TODAY).empty  # session before range


# -- questionnaires -----------------------------------------------------------------------
def checkins(*rows) -> pd.DataFrame:
    """Check-ins from (day, phq9 answers or None, gad7 answers or None), Int64 with NA."""
    out = []
    for day, phq, gad in rows:
        row = {"created_at": stamp(day, 10)}
        row.update({f"phq9_{i + 1}": (phq[i] if phq else None) for i in range(9)})
        row.update({f"gad7_{i + 1}": (gad[i] if gad else None) for i in range(7)})
        out.append(row)
    frame = pd.DataFrame(out)
    for column in frame.columns[1:]:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


def test_questionnaire_scores_one_or_both():
    frame = checkins(("2026-03-10", [2] * 9, None), ("2026-03-01", [3] * 9, [1] * 7),
                     ("2026-03-12", None, [2] * 7), ("2026-03-14", [1] * 8 + [None], None))
    scores = analysis.questionnaire_scores(frame)
    assert scores[["instrument", "total", "severity"]].to_dict("records") == [
        {"instrument": "PHQ-9", "total": 27, "severity": "severe"},
        {"instrument": "GAD-7", "total": 7, "severity": "mild"},
        {"instrument": "PHQ-9", "total": 18, "severity": "moderately severe"},
        {"instrument": "GAD-7", "total": 14, "severity": "moderate"},
    ]
    assert analysis.questionnaire_scores(EMPTY).empty


def test_score_change_response_and_remission():
    scores = analysis.questionnaire_scores(checkins(("2026-01-01", [2] * 9, None),
                                                    ("2026-03-01", [0] * 8 + [1], None)))
    change = analysis.score_change(scores, "PHQ-9")
    assert (change.first, change.current, change.response, change.remission) == (18, 1, True, True)
    assert analysis.score_change(scores, "GAD-7") is None


def test_severity_bands_cover_the_scale():
    phq = analysis.severity_bands("PHQ-9")
    assert phq.to_dict("list") == {"low": [0, 5, 10, 15, 20], "high": [5, 10, 15, 20, 27],
                                   "label": ["minimal", "mild", "moderate", "moderately severe",
                                             "severe"]}
    assert list(analysis.severity_bands("GAD-7")["high"]) == [5, 10, 15, 21]


# -- wins and thought records -------------------------------------------------------------
def test_wins_by_month_has_every_month_in_range():
    wins = pd.DataFrame({"created_at": [stamp(d) for d in ("2025-11-30", "2025-12-01", "2026-02-14",
                                                           "2026-02-15", "2026-03-19")]})
    monthly = analysis.wins_by_month(wins, D(2025, 12, 1), TODAY)
    assert list(monthly["wins"]) == [1, 0, 2, 0]
    assert monthly.loc[0, "month"] == pd.Timestamp("2025-12-01")
    assert list(analysis.wins_by_month(EMPTY, D(2026, 1, 5), TODAY)["wins"]) == [0, 0, 0]


LABELS = {"mind_reading": "Mind reading", "labelling": "Labelling", "should": "Should statements"}


def test_distortion_counts_known_keys_only_most_frequent_first():
    records = pd.DataFrame({"distortions": [
        ["labelling", "mind_reading"], ["labelling", "labelling"], ["<b>typed</b>"],
        '["hand edited"]', None, ["should", "mind_reading"], ["labelling"]]})
    counts = analysis.distortion_counts(records, LABELS)
    assert counts.to_dict("records") == [
        {"key": "labelling", "label": "Labelling", "count": 3},
        {"key": "mind_reading", "label": "Mind reading", "count": 2},
        {"key": "should", "label": "Should statements", "count": 1},
    ]
    assert len(analysis.distortion_counts(records, LABELS, top=1)) == 1
    assert analysis.distortion_counts(EMPTY, LABELS).empty


def test_distortion_labels_come_from_the_thought_record():
    labels = analysis.distortion_labels()
    assert labels["mind_reading"] == "Mind reading"


def test_emotion_shift_pairs_feelings_rated_twice():
    records = pd.DataFrame({
        "emotions": [[{"name": "sad", "intensity": 80}, {"name": "ashamed", "intensity": 60}],
                     [{"name": "anxious", "intensity": 50}],
                     [{"name": "<img src=x>", "intensity": 90}],
                     "not a list"],
        "emotions_after": [[{"name": "sad", "intensity": 40}],
                           None,
                           [{"name": "<img src=x>", "intensity": 30}],
                           None]})
    shift = analysis.emotion_shift(records)
    assert shift.to_dict("records") == [{"stage": "Before", "intensity": 85.0, "records": 2},
                                        {"stage": "After", "intensity": 35.0, "records": 2}]
    assert analysis.emotion_shift(records.iloc[[1, 3]]).empty
    assert analysis.emotion_shift(EMPTY).empty


# -- charts -------------------------------------------------------------------------------
def test_mood_trend_chart_daily_spec():
    frame = moods(("2026-03-01", 2), ("2026-03-02", 4), ("2026-03-15", 8))
    trend = analysis.mood_trend(frame, D(2026, 3, 1), TODAY)
    held = analysis.session_dates(sessions("2026-03-01", "2026-03-01", "2026-03-14"))
    spec = charts.mood_trend_chart(trend, held, D(2026, 3, 1), TODAY).to_dict()
    rules, dots, line = spec["layer"]
    assert [rules["mark"]["type"], dots["mark"]["type"], line["mark"]["type"]] == ["rule", "circle", "line"]
    assert data_of(spec, rules) == [{"date": "2026-03-01"}, {"date": "2026-03-14"}]
    assert dots["encoding"]["x"]["scale"]["domain"] == ["2026-03-01", "2026-03-18"]
    assert dots["encoding"]["y"]["scale"]["domain"] == [0, 10]
    assert line["encoding"]["y"]["field"] == "trend"
    rows = data_of(spec, dots)
    assert rows[0] == {"date": "2026-03-01", "mood": 2.0, "trend": 2.0}
    assert rows[3] == {"date": "2026-03-04", "mood": None, "trend": 3.0}
    assert "tooltip" not in dots["encoding"]  # a static SVG cannot show one


def test_mood_trend_chart_weekly_is_a_line_and_ticks():
    days = pd.date_range("2016-03-21", periods=3650, freq="D")
    frame = pd.DataFrame({"created_at": days.strftime("%Y-%m-%dT20:00:00+00:00"),
                          "mood": pd.array([5] * 3650, dtype="Int64")})
    start, end = days[0].date(), days[-1].date()
    trend = analysis.mood_trend(frame, start, end, unit="week")
    held = pd.Series(pd.date_range("2016-04-01", periods=260, freq="14D"))
    spec = charts.mood_trend_chart(trend, held, start, end, unit="week").to_dict()
    rules, points, _line = spec["layer"]
    assert points["mark"]["type"] == "line"  # 522 weeks: a line, not 522 dots
    assert rules["encoding"]["y"]["datum"] == 0 and rules["encoding"]["y2"]["datum"] == 0.8
    assert len(data_of(spec, points)) == 522
    assert len(json.dumps(spec)) < 60_000


def test_mood_after_session_chart_spec():
    after = pd.DataFrame({"day": [0, 2], "mood": [5.0, 4.5], "sessions": [3, 2]})
    spec = charts.mood_after_session_chart(after).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "circle"]
    encoding = spec["layer"][0]["encoding"]
    assert encoding["x"]["scale"]["domain"] == [0, 14]
    assert encoding["y"]["scale"]["domain"] == [0, 10]
    assert data_of(spec) == [{"day": 0, "mood": 5.0, "sessions": 3}, {"day": 2, "mood": 4.5, "sessions": 2}]


def test_questionnaire_chart_bands_and_lines():
    scores = analysis.questionnaire_scores(checkins(("2026-01-05", [2] * 9, [2] * 7),
                                                    ("2026-03-01", [1] * 9, None)))
    spec = charts.questionnaire_chart(scores, D(2026, 1, 1), TODAY, response_at=9.0).to_dict()
    phq, gad = spec["vconcat"]
    assert phq["title"] == "PHQ-9" and gad["title"] == "GAD-7"
    marks = [layer["mark"]["type"] for layer in phq["layer"]]
    assert marks == ["rect", "text", "rule", "text", "line", "circle"]
    bands = data_of(spec, phq["layer"][0])
    assert [(b["low"], b["high"], b["label"]) for b in bands][-1] == (20, 27, "severe")
    assert phq["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 27]
    assert gad["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 21]
    lines = data_of(spec, phq["layer"][2])
    assert [line["value"] for line in lines] == [5, 9.0]
    assert data_of(spec, phq["layer"][4]) == [{"date": "2026-01-05", "total": 18},
                                              {"date": "2026-03-01", "total": 9}]
    assert [layer["mark"]["type"] for layer in gad["layer"]] == ["rect", "text", "line", "circle"]


def test_questionnaire_chart_gad_only():
    scores = analysis.questionnaire_scores(checkins(("2026-03-01", None, [1] * 7)))
    spec = charts.questionnaire_chart(scores, D(2026, 1, 1), TODAY).to_dict()
    assert [panel["title"] for panel in spec["vconcat"]] == ["GAD-7"]


def test_wins_month_distortion_and_emotion_charts():
    monthly = analysis.wins_by_month(pd.DataFrame({"created_at": [stamp("2026-02-02")]}),
                                     D(2026, 1, 1), TODAY)
    spec = charts.wins_month_chart(monthly).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert [row["wins"] for row in data_of(spec)] == [0, 1, 0]

    counts = analysis.distortion_counts(pd.DataFrame({"distortions": [["should"], ["should", "labelling"]]}),
                                        LABELS)
    spec = charts.distortion_chart(counts).to_dict()
    assert spec["encoding"]["y"]["sort"] == "-x"
    assert data_of(spec) == [{"label": "Should statements", "count": 2}, {"label": "Labelling", "count": 1}]

    shift = pd.DataFrame({"stage": ["Before", "After"], "intensity": [70.0, 40.0], "records": [3, 3]})
    spec = charts.emotion_shift_chart(shift).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "bar"
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 100]
    assert data_of(spec) == [{"stage": "Before", "intensity": 70.0}, {"stage": "After", "intensity": 40.0}]


# -- sentences ----------------------------------------------------------------------------
PERIOD = progress.Period(D(2026, 2, 17), TODAY, 30)


@pytest.mark.parametrize("recent, before, expected", [
    (5.2, 4.1, "Your average mood over the last 14 days was 5.2, up from 4.1 the 14 days before."),
    (5.2, 5.1, "Your average mood over the last 14 days was 5.2, about the same as the 14 days "
               "before (5.1)."),
    (4.0, 6.0, "Your average mood over the last 14 days was 4.0, down from 6.0 the 14 days before; "
               "ups and downs are part of the path, and the longer line shows the bigger picture."),
    (5.0, None, "Your average mood over the last 14 days was 5.0, across 3 days with a check-in."),
    (None, None, "No mood check-ins in the last 14 days; in the last 30 days your average mood was "
                 "4.5 out of 10, across 6 days."),
])
def test_mood_summary(recent, before, expected):
    change = {"days": 14, "recent": recent, "recent_days": 3, "before": before, "before_days": 4}
    assert progress.mood_summary(change, 6, 4.5, PERIOD) == expected


@pytest.mark.parametrize("rows, expected", [
    ([(0, 6.0), (2, 4.3), (9, 5.6)],
     "Across 4 sessions, your average mood was 6.0 on the session day, lowest on day 2 after (4.3) "
     "and 5.6 by day 9."),
    ([(0, 4.0), (1, 5.0), (2, 6.0)],
     "Across 4 sessions, your average mood was lowest on the session day itself (4.0) and 6.0 by day 2."),
    ([(3, 5.0), (7, 4.0)], "Across 4 sessions, your average mood was lowest on day 7 after (4.0)."),
])
def test_after_session_summary(rows, expected):
    after = pd.DataFrame(rows, columns=["day", "mood"]).assign(sessions=1)
    assert progress.after_session_summary(after, 4) == expected


def test_questionnaire_summary():
    scores = analysis.questionnaire_scores(checkins(("2026-01-05", [2] * 9, [2] * 7),
                                                    ("2026-03-01", [1] * 9, [1] * 7)))
    phq, gad = analysis.score_change(scores, "PHQ-9"), analysis.score_change(scores, "GAD-7")
    assert progress.questionnaire_summary(scores, phq, gad) == (
        "Your latest PHQ-9 total was 9 (mild range), 9 points lower than your first (18), half or "
        "less of where you started (a drop of 50% or more, often called a response); GAD-7 7 (mild "
        "range).")
    first = scores.iloc[:1]
    assert progress.questionnaire_summary(first, analysis.score_change(first), None) == (
        "Your latest PHQ-9 total was 18 (moderately severe range), your first; the next check-in "
        "starts a line.")
    gad_only = scores[scores["instrument"] == "GAD-7"]
    assert progress.questionnaire_summary(gad_only, None, gad).startswith("Your latest GAD-7 total was 7")


def test_period_in_words():
    assert PERIOD.during == "in the last 30 days"
    assert progress.Period(D(2025, 3, 19), TODAY, 365).during == "in the last year"
    assert progress.Period(D(2019, 6, 3), TODAY, 0).during == "since 3 Jun 2019"
    assert progress.wins_summary(1, PERIOD) == "You saved 1 small win in the last 30 days. Each one counts."
