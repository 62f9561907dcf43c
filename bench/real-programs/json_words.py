#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Allocation-heavy Python: generates a catalogue of documents from a fixed
seed, serialises it to JSON, parses it back, aggregates it (dicts, lists,
sets, string work), counts words, and re-serialises the summary.

    python3 json_words.py [SCALE]

Recorded with PYTHONMALLOC=malloc so that every object is a malloc call
(pymalloc would hide the small ones in its own arenas).
"""
import json
import random
import re
import sys
from collections import Counter, defaultdict

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
rng = random.Random(7)
syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "en", "dar", "gul", "pe", "tor", "an", "is"]
vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(3000)})

docs = []
for i in range(max(1, int(1500 * scale))):
    docs.append({
        "id": i,
        "title": " ".join(rng.choices(vocab, k=rng.randint(2, 6))).title(),
        "author": {"name": rng.choice(vocab).title(), "karma": rng.randint(0, 5000)},
        "tags": sorted(set(rng.choices(vocab[:60], k=rng.randint(0, 5)))),
        "body": " ".join(rng.choices(vocab, k=rng.randint(20, 120))),
        "votes": [rng.randint(-1, 1) for _ in range(rng.randint(0, 20))],
    })

text = json.dumps(docs, indent=1, sort_keys=True)
docs = None
parsed = json.loads(text)

words = Counter()
by_tag = defaultdict(list)
by_author = defaultdict(lambda: {"docs": 0, "score": 0, "words": set()})
pattern = re.compile(r"\b(\w)(\w*)\b")
for d in parsed:
    tokens = d["body"].split()
    words.update(tokens)
    for t in d["tags"]:
        by_tag[t].append(d["id"])
    a = by_author[d["author"]["name"]]
    a["docs"] += 1
    a["score"] += sum(d["votes"])
    a["words"].update(tokens[:10])
    d["body"] = pattern.sub(lambda m: m.group(1).upper() + m.group(2), d["body"])
    d["bigrams"] = [f"{x}_{y}" for x, y in zip(tokens, tokens[1:])][:40]

summary = {
    "documents": len(parsed),
    "top_words": words.most_common(50),
    "tags": {t: len(ids) for t, ids in sorted(by_tag.items())},
    "authors": sorted(({"name": n, "docs": a["docs"], "score": a["score"], "vocabulary": len(a["words"])}
                       for n, a in by_author.items()), key=lambda x: (-x["score"], x["name"]))[:200],
}
again = json.dumps(parsed, separators=(",", ":"))
out = json.dumps(summary, indent=2)
print(len(text), len(again), len(out), summary["top_words"][0])
