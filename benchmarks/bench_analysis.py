"""Time the analysis stage on generated statement-like documents.

    python benchmarks/bench_analysis.py              # 1,000 and 10,000 documents
    python benchmarks/bench_analysis.py 500 2000     # other sizes
    python benchmarks/bench_analysis.py --only-after-claims 2000 10000   # events, relations, passages only

Documents are built in memory (no files): each describes one to three of a
pool of invented events (a town and a day or two), states casualty figures
that differ between sources, refers to other events by month, and reuses a
paragraph from a shared pool with small edits, as statements of different
years do.  Printed per size: wall and CPU time of `analyse()` (claims extraction
included) and the process's peak memory (ru_maxrss); with --after-claims, also the
stages after claims (`analyse_claims` on the generated claims: events,
relations, shared passages), in wall and CPU time; with --only-after-claims, only those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive_builder.analyse import analyse, analyse_claims  # noqa: E402
from archive_builder.editorial import Editorial  # noqa: E402
from archive_builder.model import Agent, Claim, Figure, Record, Sourced  # noqa: E402

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
TOWNS = tuple(f"{a}{b}" for a in ("River", "Lake", "Stone", "Oak", "Green", "Mill", "North", "Ash")
              for b in ("ton", "side", "ford", "wick", "haven", "field", "bury", "mouth"))
ISSUERS = tuple(f"Ministry of {w} of the Republic of {t}" for w in ("Foreign Affairs", "Interior", "Information")
                for t in ("Avalon", "Borduria", "Carpania", "Dorvia"))
ATTACKS = ("armed units attacked the residents of {town}", "troops entered {town} and opened fire",
           "a crowd gathered in {town} and violence broke out", "{town} was shelled by artillery",
           "the police dispersed a demonstration in {town}", "militias raided the outskirts of {town}")
RESULTS = ("As a result, {k} and {j}.", "In total {k}, while {j}.", "Reports say that {k}; {j}.",
           "By the next morning {k} and {j}.", "Witnesses stated that {k} and that {j}.")
WORDS = tuple(f"{c}{v}{e}" for c in "bdfgklmnprstvz" for v in "aeiou" for e in ("n", "r", "l", "s", "nd", "rt"))


def _date_text(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def generate(n: int, seed: int = 1) -> tuple[list[Record], list[Claim]]:
    rng = random.Random(seed)
    n_events = max(4, n // 8)
    events = []
    for _ in range(n_events):
        start = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(70 * 365))
        events.append((rng.choice(TOWNS), start, start + dt.timedelta(days=rng.choice((0, 1))), rng.randrange(20, 400)))
    pool = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 80))) + "." for _ in range(max(2, n // 20))]
    records, claims = [], []
    for i in range(n):
        doc = f"doc-{i:06d}"
        parts: list[str] = [f"Statement {i} of the {rng.choice(ISSUERS)}"]
        doc_claims: list[Claim] = []

        def add(sentence: str, kind: str, edtf: str | None, how: str, place: str | None,
                figures: tuple[tuple[str, int, str], ...] = ()) -> None:
            start = sum(len(p) + 2 for p in parts)
            parts.append(sentence)
            figs = tuple(Figure(m, float(v), None, None, "exact", "civilians", t, start + sentence.index(t),
                                start + sentence.index(t) + len(t)) for m, v, t in figures)
            doc_claims.append(Claim(f"{doc}-c{len(doc_claims) + 1}", doc, kind, sentence, start, start + len(sentence),
                                    figs, ((edtf, edtf, how),) if edtf else (),
                                    ((place, place.lower()),) if place else ()))

        for town, lo, hi, killed in rng.sample(events, rng.choice((1, 1, 2, 3))):
            when = _date_text(lo) if lo == hi else f"{lo.day}–{_date_text(hi)}"
            edtf = lo.isoformat() if lo == hi else f"{lo.isoformat()}/{hi.isoformat()}"
            add(f"On {when}, {rng.choice(ATTACKS).format(town=town)}.", "event", edtf, "stated", town)
            k = killed + rng.choice((0, 0, 0, 2, -3))
            text_k, text_j = f"{k} civilians were killed", f"{killed * 4} were injured"
            add(rng.choice(RESULTS).format(k=text_k, j=text_j), "casualties", edtf, "context", None,
                (("killed", k, text_k), ("injured", killed * 4, text_j)))
        town, lo, _, _ = rng.choice(events)
        add(f"The events in {town} in {MONTHS[lo.month - 1]} {lo.year} are remembered.", "event",
            f"{lo.year}-{lo.month:02d}", "stated", town)
        words = rng.choice(pool).split()
        for _ in range(rng.randrange(1, 4)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        parts.append(" ".join(words))
        parts.append(" ".join(rng.choice(WORDS) for _ in range(60)) + ".")
        body = "\n\n".join(parts)
        assert all(body[c.start:c.end] == c.quote for c in doc_claims)
        date = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
        records.append(Record(
            id=doc, source_file=f"{doc}.txt", sha256="0" * 64, format="txt",
            title=Sourced(parts[0], "inferred"), document_type=Sourced("statement", "inferred"),
            author=Sourced(Agent(rng.choice(ISSUERS)), "inferred"), publisher=Sourced.unknown(),
            date=Sourced(date.isoformat(), "stated"), language=Sourced("en", "inferred"),
            body=body, body_lines=tuple(range(1, body.count("\n") + 2)), removed=(), comments=(), references=()))
        claims.extend(doc_claims)
    return records, claims


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--after-claims", action="store_true",
                        help="also time the stages after claims (events, relations, passages) on the generated claims")
    parser.add_argument("--only-after-claims", action="store_true",
                        help="time only the stages after claims (what a one-capture rebuild runs again whole)")
    args = parser.parse_args()
    for n in args.sizes:
        records, claims = generate(n)
        line = f"{n:>7,} documents: "
        if not args.only_after_claims:
            t, cpu = time.perf_counter(), time.process_time()
            full = analyse(records, Editorial())
            # CPU time too: on a shared machine the wall time includes waiting for a core
            line += (f"analyse() {time.perf_counter() - t:7.2f} s wall, "
                     f"{time.process_time() - cpu:7.2f} s CPU ({len(full.claims):,} claims, "
                     f"{len(full.events):,} events, {len(full.relations):,} relations, {len(full.passages):,} passages); ")
        if args.after_claims or args.only_after_claims:
            t, cpu = time.perf_counter(), time.process_time()
            after = analyse_claims(records, claims, {r.id: [] for r in records}, Editorial())
            line += (f"after claims only {time.perf_counter() - t:7.2f} s wall, {time.process_time() - cpu:7.2f} s CPU "
                     f"({len(after.events):,} events, {len(after.relations):,} relations, "
                     f"{len(after.passages):,} passages); ")
        print(line + f"peak RSS so far {peak_mb():,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
