"""Any text and any valid value of every field type round-trips exactly (hypothesis)."""

import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook import exercises
from workbook.exercises import Field
from workbook.store import Store

TEXT = st.text(min_size=1, max_size=300).filter(lambda t: t.strip())
TRICKY = st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@cmd", "<img src=x onerror=alert(1)>",
                          "a,b;c\td", 'say "hi"', "line\r\nbreak\rr\nn", "🙂🌱", "\x00nul", " "])


def value_for(field: Field) -> st.SearchStrategy:
    if field.type in ("short_text", "long_text"):
        return st.one_of(TEXT, TRICKY.filter(lambda t: t.strip()))
    if field.type == "scale":
        return st.integers(int(field.min), int(field.max))
    if field.type == "number":
        return st.floats(field.min, field.max, allow_nan=False).map(lambda x: round(x, 3))
    if field.type == "choice":
        return st.sampled_from(field.option_keys())
    if field.type == "multi_choice":
        return st.lists(st.sampled_from(field.option_keys()), min_size=1, unique=True)
    if field.type == "tags":
        return st.lists(TEXT.map(str.strip).filter(lambda t: t and "," not in t and len(t) <= 100),
                        min_size=1, max_size=5, unique=True)
    if field.type in ("ratings", "rerate"):
        return st.lists(st.fixed_dictionaries({
            "name": TEXT.filter(lambda t: len(t) <= 200),
            "intensity": st.integers(int(field.min), int(field.max))}), min_size=1, max_size=4)
    if field.type == "thoughts":
        return st.lists(TEXT, min_size=1, max_size=4).map(
            lambda ts: [{"text": t, "hot": i == 0} for i, t in enumerate(ts)])
    if field.type == "datetime":
        return st.datetimes().map(lambda d: d.replace(second=0, microsecond=0).isoformat(
            timespec="minutes"))
    if field.type == "date":
        return st.dates().map(lambda d: d.isoformat())
    raise AssertionError(field.type)


def records(kind: str) -> st.SearchStrategy:
    exercise = exercises.get(kind)
    required = {f.name: value_for(f) for f in exercise.fields if f.required}
    optional = {f.name: value_for(f) for f in exercise.fields if not f.required}
    return st.fixed_dictionaries(required, optional=optional).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(exercises.kinds()), data=st.data())
def test_every_field_round_trips(kind, data):
    record = data.draw(records(kind))
    with tempfile.TemporaryDirectory() as folder:
        store = Store(folder)
        entry_id = store.add(kind, record)
        saved = Store(folder).get(kind, entry_id)
    expected = exercises.get(kind).validate(record)
    for name, value in expected.items():
        assert saved[name] == value, name
