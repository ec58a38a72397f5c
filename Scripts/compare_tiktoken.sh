#!/usr/bin/env bash
# Encodes the same corpora with tiktoken 0.14.0 (encode_ordinary) and with Headroom's exact BPE,
# on this machine, and prints both throughputs, in CPU time on one core, best of 5 each, and their
# ratio for cl100k_base and o200k_base: the English-and-code corpus, then the multilingual one.
#
#   Scripts/compare_tiktoken.sh [TOKENIZER_DIR]
#
# TOKENIZER_DIR holds cl100k_base.tiktoken.gz, o200k_base.tiktoken.gz and build_corpus.sh (the
# project's shared tokenizer folder; default ../shared/tokenizer). The multilingual corpus is
# Benchmarks/Corpus/multilingual.txt, 150 times over. Python is used only here, to run the
# reference; Headroom never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared/tokenizer}
work=.build-tiktoken
mkdir -p "$work/cache"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q tiktoken==0.14.0
fi
# tiktoken's cache names the files by the sha1 of their download address.
gunzip -c "$shared/cl100k_base.tiktoken.gz" > "$work/cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
gunzip -c "$shared/o200k_base.tiktoken.gz" > "$work/cache/fb374d419588a4632f3f557e76b4b70aebbca790"
sh "$shared/build_corpus.sh" "$work/corpus.txt" > /dev/null
: > "$work/multilingual.txt"
for _ in $(seq 150); do cat Benchmarks/Corpus/multilingual.txt >> "$work/multilingual.txt"; done
swift build -c release --product headroom-bench > /dev/null
for corpus in corpus multilingual; do
  headroom=$(.build/release/headroom-bench tokenizer "$work/$corpus.txt" | tail -n 1)
  TIKTOKEN_CACHE_DIR="$work/cache" "$work/venv/bin/python" - "$work/$corpus.txt" "$headroom" <<'PY'
import json, sys, time
import tiktoken
text = open(sys.argv[1], encoding="utf-8").read()
size = len(text.encode("utf-8")) / 1e6
ours = {r["encoding"]: r["mbPerSecond"] for r in json.loads(sys.argv[2])["results"] if r["strategy"] == "exact encode"}
print(f"{sys.argv[1]}: {size:.2f} MB; tiktoken {tiktoken.__version__} encode_ordinary and Headroom exact encode, CPU time, best of 5")
print(f"{'encoding':<13}{'tiktoken MB/s':>15}{'Headroom MB/s':>15}{'ratio':>8}")
for name in ("cl100k_base", "o200k_base"):
    encoding = tiktoken.get_encoding(name)
    encoding.encode_ordinary(text[:10000])
    rounds = []
    for _ in range(5):
        start = time.process_time()
        encoding.encode_ordinary(text)
        rounds.append(time.process_time() - start)
    theirs = size / min(rounds)
    print(f"{name:<13}{theirs:>15.1f}{ours[name]:>15.1f}{ours[name] / theirs:>7.2f}x")
PY
done
