#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the inputs the recorded real programs work on, from fixed seeds.

    gen-inputs.py OUTDIR [SCALE]

OUTDIR gets:
  words.txt     prose-like text (perl)
  sales.csv     date,region,store,product,customer,quantity,unit_price (gawk)
  orders.json   an array of orders with customers, lines and tags (jq)
  load.sql      a schema and one INSERT per row, in one transaction (sqlite3)
  history.fi    a git fast-import stream: commits editing a small source tree (git)

SCALE (default 1) multiplies the sizes; the same SCALE always gives the same
bytes (random.Random with fixed seeds, no clock, no hash order).
"""
import json
import random
import sys
from pathlib import Path

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "en", "dar", "gul", "pe", "tor", "an",
             "is", "um", "ber", "cas", "dun", "fe", "gra", "hol", "jin", "kem", "lys", "mor", "nal"]
REGIONS = ["north", "south", "east", "west", "centre", "islands"]
PRODUCTS = [f"{a}-{b}" for a in ("bolt", "nut", "gear", "cable", "valve", "panel", "lamp", "hinge")
            for b in ("s", "m", "l", "xl", "pro")]
TAGS = ["rush", "gift", "fragile", "bulk", "repeat", "promo", "export", "b2b", "late", "vip"]


def vocabulary(rng, n):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
    return sorted(words)


def zipf_picker(rng, items):
    # Word frequencies of real text are roughly Zipf-distributed.
    weights = [1.0 / (i + 1) for i in range(len(items))]
    return lambda k: rng.choices(items, weights=weights, k=k)


def write_words(out, rng, scale):
    vocab = vocabulary(rng, 6000)
    rng.shuffle(vocab)
    pick = zipf_picker(rng, vocab)
    lines = []
    for _ in range(max(1, int(15000 * scale))):
        words = pick(rng.randint(4, 16))
        if rng.random() < 0.3:
            words[0] = words[0].capitalize()
        line = " ".join(words)
        if rng.random() < 0.2:
            line += f", ref {rng.randint(1, 99999)}-{rng.choice('ABCDEFGH')}"
        if rng.random() < 0.1:
            line += f" <{rng.choice(vocab)}@{rng.choice(vocab)}.example>"
        lines.append(line + rng.choice((".", ".", ".", "?", "!", ";")))
    (out / "words.txt").write_text("\n".join(lines) + "\n")


def write_sales(out, rng, scale):
    rows = ["date,region,store,product,customer,quantity,unit_price"]
    for _ in range(max(1, int(100000 * scale))):
        rows.append("2023-{:02d}-{:02d},{},{},{},c{:05d},{},{:.2f}".format(
            rng.randint(1, 12), rng.randint(1, 28), rng.choice(REGIONS), f"s{rng.randint(1, 60):02d}",
            rng.choice(PRODUCTS), rng.randint(1, 20000), rng.randint(1, 40), rng.uniform(0.5, 250.0)))
    (out / "sales.csv").write_text("\n".join(rows) + "\n")


def write_orders(out, rng, scale):
    vocab = vocabulary(rng, 800)
    orders = []
    for i in range(max(1, int(6000 * scale))):
        lines = [{"sku": rng.choice(PRODUCTS), "qty": rng.randint(1, 12),
                  "price": round(rng.uniform(0.5, 250.0), 2)} for _ in range(rng.randint(1, 8))]
        orders.append({
            "id": i + 1,
            "customer": {"id": f"c{rng.randint(1, 3000):04d}", "name": " ".join(rng.sample(vocab, 2)).title(),
                         "region": rng.choice(REGIONS)},
            "date": "2023-{:02d}-{:02d}".format(rng.randint(1, 12), rng.randint(1, 28)),
            "lines": lines,
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "note": " ".join(rng.choices(vocab, k=rng.randint(0, 12))),
        })
    (out / "orders.json").write_text(json.dumps(orders, indent=1) + "\n")


def write_sql(out, rng, scale):
    vocab = vocabulary(rng, 2000)
    stmts = [
        "PRAGMA journal_mode = MEMORY;",
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL, since TEXT);",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id),"
        " product TEXT NOT NULL, quantity INTEGER NOT NULL, price REAL NOT NULL, day TEXT NOT NULL,"
        " comment TEXT);",
        "BEGIN;",
    ]
    customers = max(1, int(3000 * scale))
    for c in range(1, customers + 1):
        name = " ".join(rng.sample(vocab, 2)).title().replace("'", "''")
        stmts.append(f"INSERT INTO customer VALUES ({c}, '{name}', '{rng.choice(REGIONS)}', "
                     f"'20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-01');")
    for i in range(1, max(1, int(50000 * scale)) + 1):
        comment = " ".join(rng.choices(vocab, k=rng.randint(0, 10)))
        stmts.append(f"INSERT INTO item VALUES ({i}, {rng.randint(1, customers)}, '{rng.choice(PRODUCTS)}', "
                     f"{rng.randint(1, 40)}, {rng.uniform(0.5, 250.0):.2f}, "
                     f"'2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}', "
                     + (f"'{comment}'" if comment else "NULL") + ");")
    stmts.append("COMMIT;")
    (out / "load.sql").write_text("\n".join(stmts) + "\n")


def write_git_history(out, rng, scale):
    # A small source tree edited commit after commit, as fast-import commands
    # (fixed author, dates one hour apart).
    vocab = vocabulary(rng, 1500)
    files = {f"src/{rng.choice(vocab)}_{i}.c": [f"int {rng.choice(vocab)}_{j} = {j};"
                                                 for j in range(rng.randint(40, 200))]
             for i in range(40)}
    names = sorted(files)
    chunks = []
    mark = 0
    for n in range(max(2, int(1200 * scale))):
        touched = names if n == 0 else rng.sample(names, rng.randint(1, 4))
        for f in touched if n else []:
            body = files[f]
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(len(body) + 1)
                kind = rng.random()
                if kind < 0.5:
                    body.insert(at, f"  {rng.choice(vocab)}({rng.choice(vocab)}, {rng.randint(0, 999)});")
                elif kind < 0.8 and body:
                    body[min(at, len(body) - 1)] = f"/* {' '.join(rng.choices(vocab, k=6))} */"
                elif body:
                    del body[min(at, len(body) - 1)]
        blobs = []
        for f in touched:
            mark += 1
            data = ("\n".join(files[f]) + "\n").encode()
            chunks.append(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
            blobs.append((f, mark))
        msg = f"{rng.choice(vocab)}: {' '.join(rng.choices(vocab, k=rng.randint(3, 9)))}\n".encode()
        when = 1672531200 + n * 3600
        head = (b"commit refs/heads/main\n"
                b"author Ada Example <ada@example.org> %d +0000\n"
                b"committer Ada Example <ada@example.org> %d +0000\n"
                b"data %d\n" % (when, when, len(msg))) + msg
        chunks.append(head + b"".join(b"M 100644 :%d %s\n" % (m, f.encode()) for f, m in blobs) + b"\n")
    (out / "history.fi").write_bytes(b"".join(chunks))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: gen-inputs.py OUTDIR [SCALE]")
    out = Path(sys.argv[1])
    scale = float(sys.argv[2]) if len(sys.argv) == 3 else 1.0
    out.mkdir(parents=True, exist_ok=True)
    # One generator per file, so changing one input leaves the others alone.
    write_words(out, random.Random(1), scale)
    write_sales(out, random.Random(2), scale)
    write_orders(out, random.Random(3), scale)
    write_sql(out, random.Random(4), scale)
    write_git_history(out, random.Random(5), scale)


if __name__ == "__main__":
    main()
