#!/usr/bin/env python3
"""Writes Tests/TokenizersTests/Fixtures/unicode_golden.json: for every code point, in chunks of
4,096, a digest of tiktoken 0.14.0's ids for the code point in each probe context, for both
encodings. The test encodes the same text and must get the same digests.

A reference tool, run once with tiktoken (see ../shared/tokenizer/README.md for an offline setup):

    TIKTOKEN_CACHE_DIR=... python Scripts/unicode-golden.py
"""
import json
import pathlib
import tiktoken

CHUNK = 4096


def probe(c):
    # Contexts where the code point's classes decide whether ASCII neighbours share a piece, and
    # so whether they merge: after a letter and before a contraction (a letter, or o200k's
    # lower-case class, keeps "'s" one token), after an upper-case letter (o200k's upper-case
    # class), before four digits (a number groups "c12" "34", anything else "123" "4").
    return "x" + c + "'s A" + c + "'s " + c + "1234\n"


def chunk_text(k):
    return "".join(probe(chr(cp)) for cp in range(k * CHUNK, (k + 1) * CHUNK) if not 0xD800 <= cp <= 0xDFFF)


def digest(ids):
    h = 0xCBF29CE484222325
    for token in ids:
        for byte in token.to_bytes(4, "little"):
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


golden = {"tiktoken": tiktoken.__version__, "chunk": CHUNK, "probe": probe("{c}")}
for name in ("cl100k_base", "o200k_base"):
    encoding = tiktoken.get_encoding(name)
    rows = []
    for k in range(0x110000 // CHUNK):
        ids = encoding.encode_ordinary(chunk_text(k))
        rows.append(f"{len(ids)}:{digest(ids)}")
    golden[name] = rows
out = pathlib.Path(__file__).resolve().parent.parent / "Tests/TokenizersTests/Fixtures/unicode_golden.json"
out.write_text(json.dumps(golden, indent=0) + "\n")
print(out, len(golden["cl100k_base"]), "chunks")
