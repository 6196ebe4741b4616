"""Benchmark: understanding one message vs fugashi tokenisation alone (run by hand).

    .venv/bin/python bench/nlp_speed.py [--home var] [--n 2000]

Prints, from one run, the median time per message of (a) fugashi tokenisation alone
(`[w.surface for w in tagger(text)]`) and (b) the whole single-message path (normalise,
tokenise, classify with explanation, extract entities), and their ratio. Messages come from
the evaluation set (or the corpus), one at a time, interleaved so both see the same noise.
"""

from __future__ import annotations

import argparse
import statistics
import time

import fugashi
from bench_data import messages

from madoguchi.settings import load_settings
from nlp.bootstrap import ensure_classifier
from nlp.normalize import normalize
from nlp.registry import ModelRegistry
from nlp.taxonomy import load_taxonomy
from nlp.understand import Understander


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000, help="messages to time (whole passes)")
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
    tok = statistics.median(fugashi_times) * 1e6
    full = statistics.median(full_times) * 1e6
    chars = statistics.median(len(t) for t in texts)
    print(f"messages timed        {len(full_times)} (median {chars:.0f} chars), model {classifier.version}")
    print(f"fugashi tokenisation  median {tok:8.1f} µs")
    print(f"whole path            median {full:8.1f} µs")
    print(f"ratio                 {full / tok:8.2f}  (goal <= 2)")


if __name__ == "__main__":
    main()
