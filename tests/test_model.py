"""The model's records: small in memory (slots, no per-object dict) and still
picklable (the per-capture cache and the process pool pickle them), replaceable
and convertible to plain data as before."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from archive_builder import model
from archive_builder.model import (Agent, Analysis, Claim, Comment, Event, EventFigure, Figure, Footnote, Image,
                                   Problem, Reason, Record, Reference, Relation, RemovedLine, SharedPassage, Sourced)

MODEL_CLASSES = [c for _, c in inspect.getmembers(model, inspect.isclass)
                 if dataclasses.is_dataclass(c) and c.__module__ == model.__name__]


def a_record() -> Record:
    return Record(
        id="doc-1", source_file="doc-1.txt", sha256="0" * 64, format="txt",
        title=Sourced("A title", "stated", "A title", 1), document_type=Sourced("statement", "inferred", "why"),
        author=Sourced(Agent("Ministry", canonical="The Ministry"), "stated", "Ministry", 9),
        publisher=Sourced.unknown(), date=Sourced("2021-01-20", "stated", "20 January 2021", 2),
        language=Sourced("en", "inferred", "langid"),
        body="First line.\nSecond line.", body_lines=(3, 4),
        removed=(RemovedLine(1, "A title", "title", "kept as metadata"),),
        comments=(Comment("reader", "a comment", 6, ("reader:", "a comment")),),
        references=(Reference("resolution 62/243", "resolution", 4, symbol="A/RES/62/243"),),
        images=(Image("photo.jpg", "A caption", 5),), footnotes=(Footnote("1", "A note", 7),),
        header=(("outlet", "News"),), sidecar_fields=("title",), layout=(("encoding", "utf-8"),),
        warnings=(Problem("doc-1.txt", 2, "a warning"),))


def an_analysis() -> Analysis:
    figure = Figure("killed", 147.0, None, None, "exact", "civilians", "147 civilians", 0, 13)
    claim = Claim("doc-1-c1", "doc-1", "casualties", "147 civilians were killed", 0, 25, figures=(figure,),
                  dates=(("20 January", "1990-01-20", "stated"),), places=(("Baku", "baku"),), actors=("troops",))
    event = Event("e1", "Baku, 20 January 1990", "generated", "1990-01-20", ("baku",), (("Black January", ("doc-1",)),),
                  ("doc-1",), (), ("doc-1-c1",), (EventFigure("killed", 147.0, None, None, "exact", ("doc-1",),
                                                              ("doc-1-c1",)),))
    relation = Relation("doc-1", "doc-2", 1.5, (Reason("shared event", "both describe Baku, 20 January 1990", 1.0),))
    passage = SharedPassage("p1", "doc-1", 0, 10, "doc-2", 5, 15, 0.97)
    return Analysis((claim,), (event,), (relation,), (passage,), (Problem("x", None, "m"),))


def test_every_model_class_is_covered_by_the_examples():
    seen: set[type] = set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            seen.add(type(value))
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                walk(v)

    walk(a_record())
    walk(an_analysis())
    # Capture and Cleaned are made by their stages from files; checked by class below
    assert set(MODEL_CLASSES) - seen <= {model.Capture, model.Cleaned}
    assert len(MODEL_CLASSES) >= 19


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_model_classes_are_frozen_with_slots_and_no_instance_dict(cls):
    params = cls.__dataclass_params__
    assert params.frozen
    assert "__slots__" in cls.__dict__
    assert "__dict__" not in cls.__dict__ and "__weakref__" not in cls.__dict__


def test_instances_have_no_dict_and_stay_frozen():
    record = a_record()
    assert not hasattr(record, "__dict__") and not hasattr(record.title, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.id = "other"   # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        object.__setattr__(record, "not_a_field", 1)


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_records_and_analysis_survive_pickling(protocol):
    for value in (a_record(), an_analysis()):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        assert back == value and hash(back) == hash(value)
        assert type(back) is type(value) and not hasattr(back, "__dict__")


def test_replace_asdict_and_deepcopy_work_as_before():
    record = a_record()
    changed = dataclasses.replace(record, warnings=())
    assert changed.warnings == () and changed.body == record.body and record.warnings
    assert dataclasses.replace(record.author, value=dataclasses.replace(record.author.value, canonical=None)
                               ).value.display == "Ministry"
    plain = dataclasses.asdict(record)
    assert plain["author"] == {"value": {"name": "Ministry", "title": None, "affiliation": None,
                                         "canonical": "The Ministry"},
                               "basis": "stated", "evidence": "Ministry", "line": 9}
    assert plain["removed"] == ({"line": 1, "text": "A title", "rule": "title", "reason": "kept as metadata"},)
    assert copy.deepcopy(an_analysis()) == an_analysis()
    assert str(Problem("a.txt", 3, "bad")) == "a.txt:3: warning: bad"
    assert Sourced.unknown() == Sourced(None, "unknown", None, None)


def _fresh(text: str) -> str:
    """An equal string that is a distinct object (as text parsed from two documents is)."""
    return "".join(list(text))


def test_repeated_analysis_strings_are_shared_not_copied():
    def claim(doc: str) -> Claim:
        figure = Figure("killed", 5.0, None, None, "exact", _fresh("civilians"), _fresh("5 civilians"), 0, 11)
        return Claim(f"{doc}-c1", doc, "casualties", _fresh("5 civilians were killed in Baku."), 0, 31, (figure,),
                     dates=((_fresh("20 January"), _fresh("1990-01-20"), "stated"),),
                     places=((_fresh("Baku"), _fresh("baku")),), actors=(_fresh("troops"),))

    a, b = claim("doc-1"), claim("doc-2")
    assert a.quote is b.quote and a.actors[0] is b.actors[0]
    assert all(x is y for x, y in zip(a.dates[0] + a.places[0], b.dates[0] + b.places[0]))
    assert a.figures[0].subject is b.figures[0].subject and a.figures[0].text is b.figures[0].text
    # replace() (events.py sets event_id this way) keeps them shared
    assert dataclasses.replace(a, event_id="e1").quote is b.quote
    r1, r2 = (Reason("shared event", _fresh("both describe Baku, 20 January 1990"), 1.0) for _ in range(2))
    assert r1.detail is r2.detail
    # values and equality are unchanged
    assert a.quote == "5 civilians were killed in Baku." and a.dates == (("20 January", "1990-01-20", "stated"),)
    assert dataclasses.replace(a, id="doc-2-c1", document_id="doc-2") == b
