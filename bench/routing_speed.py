"""Benchmark: routing one case vs understanding its text (run by hand).

    .venv/bin/python bench/routing_speed.py [--n 3000] [--loads]

Builds the sample directory (316 hubs, about 800 coordinators) in a temporary SQLite
database, reads it back as the routing snapshot, then for each message of the evaluation
set (or the corpus), one at a time, times (a) `Understander.understand` as `madoguchi route`
calls it and (b) `Router.route` on the case made from that understanding, interleaved so
both see the same noise. A message that names no prefecture is given one of the 47 in turn,
and `other` messages are skipped, so every timed routing really searches the directory.
(b) is timed twice: with the router's memory of earlier searches (how the service runs;
nothing is routed before timing starts, so first sightings are included) and with a
router that searches afresh for every case. Prints the medians and the ratio (goal:
routing < 0.1 x understanding).

The sample directory has no leads, so every coordinator has 0 open cases and exact ties
(broken by the case key) are everywhere; --loads draws open cases at random (seeded), as in
a programme in full swing, where ties are rare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace

from bench_data import messages

from madoguchi.commands.route_commands import case_from
from madoguchi.directory_snapshot import load_snapshot
from madoguchi.settings import load_settings
from nlp.bootstrap import ensure_classifier
from nlp.geo import PREFECTURES
from nlp.registry import ModelRegistry
from nlp.taxonomy import load_taxonomy
from nlp.understand import EmptyTextError, Understander
from routing import DirectorySnapshot, Router, load_capabilities
from storage.database import Database
from storage.migrate import ensure_schema


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000, help="messages to time")
    parser.add_argument("--loads", action="store_true", help="random open cases instead of none")
    args = parser.parse_args()
    settings = load_settings()
    taxonomy = load_taxonomy(settings.taxonomy_file)
    classifier = ensure_classifier(ModelRegistry(settings.models_dir), settings.corpus_dir, taxonomy)
    understander = Understander(classifier, settings.max_message_chars)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        database = Database.connect(f"sqlite:///{scratch}/bench.db")
        ensure_schema(database)
        snapshot = load_snapshot(database)
        database.dispose()
        loaded = time.perf_counter() - started
    if args.loads:
        draw = random.Random(4)
        people = tuple(replace(c, open_cases=draw.randrange(c.capacity + 1)) for c in snapshot.coordinators)
        snapshot = DirectorySnapshot(snapshot.hubs, people)
    started = time.perf_counter()
    capabilities = load_capabilities(settings.capabilities_file, taxonomy)
    router = Router(snapshot, capabilities)
    built = time.perf_counter() - started
    afresh = Router(snapshot, capabilities, memory=0)  # searches the directory for every case

    texts = []
    for text in messages(settings.corpus_dir):
        try:  # warms the gazetteer, regular expressions and tagger
            if understander.understand(text, explain=False).classification.label != "other":
                texts.append(text)
        except EmptyTextError:
            continue
    if not texts:
        raise SystemExit("no routable messages")

    nlp_times: list[float] = []
    route_times: list[float] = []
    afresh_times: list[float] = []
    outcomes: dict[str, int] = {}
    clock = time.perf_counter
    for i in range(args.n):
        text = texts[i % len(texts)]
        start = clock()
        understanding = understander.understand(text, explain=False)
        nlp_times.append(clock() - start)
        given = None if understanding.entities.prefecture else PREFECTURES[i % len(PREFECTURES)].name
        case = case_from(understanding, given)
        start = clock()
        decision = router.route(case)
        route_times.append(clock() - start)
        start = clock()
        again = afresh.route(case)
        afresh_times.append(clock() - start)
        assert again == decision
        outcomes[str(decision.outcome)] = outcomes.get(str(decision.outcome), 0) + 1
    nlp = statistics.median(nlp_times) * 1e6
    route = statistics.median(route_times) * 1e6
    fresh = statistics.median(afresh_times) * 1e6
    people = len(snapshot.coordinators)
    print(
        f"directory             {len(snapshot.hubs)} hubs, {people} coordinators "
        f"(sample DB built and read in {loaded:.1f} s, router built in {built * 1e3:.1f} ms)"
    )
    loads = "random (seeded)" if args.loads else "none (as stored)"
    print(f"open cases            {loads}")
    print(f"messages timed        {args.n} ({len(texts)} distinct routable), model {classifier.version}")
    print(f"outcomes              {dict(sorted(outcomes.items()))}")
    print(f"understanding         median {nlp:8.1f} µs")
    print(f"routing               median {route:8.1f} µs  (p99 {_p99(route_times):.1f} µs)")
    print(f"  searching afresh    median {fresh:8.1f} µs  (p99 {_p99(afresh_times):.1f} µs; memory=0)")
    print(f"ratio                 {route / nlp:8.3f}  (goal < 0.1; searching afresh {fresh / nlp:.3f})")
    if outcomes.get("assigned", 0) == 0:
        print("warning: no case was assigned; the directory looks empty", file=sys.stderr)


def _p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99)] * 1e6


if __name__ == "__main__":
    main()
