"""Benchmark: understanding one message vs fugashi tokenisation alone (run by hand).

    .venv/bin/python bench/nlp_speed.py [--n 5000] [--stages]

Prints, from one run, the median time per message of (a) fugashi tokenisation alone
(`[w.surface for w in tagger(text)]`) and (b) the whole single-message path (normalise,
tokenise, classify with explanation, extract entities), and their ratio. Messages come from
the evaluation set (or the corpus), one at a time, interleaved so both see the same noise.
``--stages`` also times each step of the path, in place (after MeCab has run, as in real
use: in isolation every step looks faster because its tables are still in cache).
"""

from __future__ import annotations

import argparse
import statistics
import time

import fugashi
from bench_data import messages

from madoguchi.settings import load_settings
from nlp.bootstrap import ensure_classifier
from nlp.classifier import Classifier
from nlp.entities import extract_entities
from nlp.normalize import normalize
from nlp.registry import ModelRegistry
from nlp.taxonomy import load_taxonomy
from nlp.understand import Understander

STAGES = ("normalise", "analyse and score", "decide", "entities")


def time_stages(classifier: Classifier, text: str, into: dict[str, list[float]]) -> None:
    """The steps of `Understander.understand`, each timed. "analyse and score" is one
    compiled call: MeCab, the node walk, the cue automaton and the scoring kernel."""
    clock = time.perf_counter
    t0 = clock()
    normalized = normalize(text)
    t1 = clock()
    scores = classifier._scorer.score_text(normalized)
    t2 = clock()
    classifier.decide(scores)
    t3 = clock()
    extract_entities(normalized)
    t4 = clock()
    for name, start, end in zip(STAGES, (t0, t1, t2, t3), (t1, t2, t3, t4), strict=True):
        into[name].append(end - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000, help="messages to time (whole passes)")
    parser.add_argument("--stages", action="store_true", help="also time each step of the path")
    args = parser.parse_args()
    settings = load_settings()
    classifier = ensure_classifier(
        ModelRegistry(settings.models_dir), settings.corpus_dir, load_taxonomy(settings.taxonomy_file)
    )
    understander = Understander(classifier)
    tagger = fugashi.Tagger()
    # Emoji-only messages have nothing to understand; the bot answers them without nlp.
    texts = [t for t in messages(settings.corpus_dir) if normalize(t)]
    for text in texts[:200]:  # warm caches: gazetteer, regexes, tagger
        understander.understand(text)
        [w.surface for w in tagger(text)]
    fugashi_times: list[float] = []
    full_times: list[float] = []
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    clock = time.perf_counter
    # Alternate whole passes (all messages through fugashi, then all through the full path)
    # so both see the same machine noise, while each keeps its own warm caches.
    rounds = max(1, args.n // len(texts))
    for _ in range(rounds):
        for text in texts:
            start = clock()
            [w.surface for w in tagger(text)]
            fugashi_times.append(clock() - start)
        for text in texts:
            start = clock()
            understander.understand(text)
            full_times.append(clock() - start)
        if args.stages:
            for text in texts:
                time_stages(classifier, text, stages)
    tok = statistics.median(fugashi_times) * 1e6
    full = statistics.median(full_times) * 1e6
    chars = statistics.median(len(t) for t in texts)
    print(f"messages timed        {len(full_times)} (median {chars:.0f} chars), model {classifier.version}")
    print(f"fugashi tokenisation  median {tok:8.1f} µs")
    print(f"whole path            median {full:8.1f} µs")
    print(f"ratio                 {full / tok:8.2f}  (goal <= 2)")
    for name, times in stages.items() if args.stages else ():
        median = statistics.median(times) * 1e6
        print(f"  {name:19s} median {median:8.1f} µs  ({median / tok:4.2f} x fugashi)")


if __name__ == "__main__":
    main()
