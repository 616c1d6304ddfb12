"""Records and claims unpickled from separate pickles (the read pool's batches) share their repeated strings."""

from __future__ import annotations

import pickle

from archive_builder.model import Agent, Claim, Figure, Record, RemovedLine, Sourced


def _copy(text: str) -> str:
    return "".join(list(text))      # equal, but another object


def _record(n: int) -> Record:
    publisher = Sourced(Agent(_copy("Ministry of Foreign Affairs"), _copy("Minister")), "inferred",
                        _copy("from the signature: Ministry of Foreign Affairs"), 3)
    return Record(id=f"d{n}", source_file=f"d{n}.txt", sha256="0" * 64, format="txt",
                  title=Sourced(_copy("Statement on the events"), "stated", _copy("Statement on the events"), 1),
                  document_type=Sourced.unknown(), author=Sourced.unknown(), publisher=publisher,
                  date=Sourced.unknown(), language=Sourced("en", "stated"), body="Body.", body_lines=(2,),
                  removed=(RemovedLine(4, _copy("Share this page"), _copy("share-widget"), _copy("a share button")),),
                  comments=(), references=(), header=((_copy("un_distribution"), _copy("General")),))


def test_unpickled_records_share_their_repeated_strings_and_are_equal():
    a, b = (pickle.loads(pickle.dumps(_record(n))) for n in (1, 2))
    assert a == _record(1) and b == _record(2)
    assert a.publisher.evidence is b.publisher.evidence
    assert a.publisher.value.name is b.publisher.value.name and a.publisher.value.title is b.publisher.value.title
    assert a.title.value is b.title.value
    assert a.removed[0].text is b.removed[0].text and a.removed[0].reason is b.removed[0].reason
    assert a.header[0][1] is b.header[0][1]


def test_unpickled_claims_share_their_quotes_and_are_equal():
    def claim(n: int) -> Claim:
        figure = Figure("killed", 3.0, None, None, "exact", _copy("civilians"), _copy("3 civilians"), 0, 11)
        return Claim(f"d{n}-c1", f"d{n}", "casualties", _copy("3 civilians were killed"), 0, 23, figures=(figure,))

    a, b = (pickle.loads(pickle.dumps(claim(n))) for n in (1, 2))
    assert a == claim(1) and b == claim(2)
    assert a.quote is b.quote and a.figures[0].text is b.figures[0].text
