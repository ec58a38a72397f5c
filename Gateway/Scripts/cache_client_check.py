"""The response cache through the gateway, with the official `openai` client.

1,000 chat requests at temperature 0, 500 distinct and each sent twice, in a
shuffled order, 64 at a time. Checks that every answer to one question is
byte-identical, and (given the mock's address) that the mock answered exactly
the distinct ones: a repeat in flight waited for the first (coalesced), a later
one was a hit. Then a streamed request twice: the second is a hit, with the same
chunks. Prints the counts and the latency of hits against misses.

    python cache_client_check.py http://127.0.0.1:8080/v1 KEY [http://127.0.0.1:9000]
"""
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from openai import OpenAI

base_url, key = sys.argv[1], sys.argv[2]
mock_url = sys.argv[3] if len(sys.argv) > 3 else None
client = OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=300)


def mock_answers():
    if not mock_url:
        return None
    with urllib.request.urlopen(f"{mock_url}/mock/stats") as response:
        stats = json.load(response)
    return sum(deployment["totals"]["ok"] for deployment in stats["deployments"])


def ask(question):
    started = time.perf_counter()
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", temperature=0, max_tokens=16,
        messages=[{"role": "user", "content": f"Question {question}: what is {question} squared?"}])
    elapsed = time.perf_counter() - started
    return question, raw.headers.get("x-headroom-cache"), raw.text, elapsed


before = mock_answers()
questions = [n for n in range(500) for _ in range(2)]
random.Random(7).shuffle(questions)
with ThreadPoolExecutor(max_workers=64) as pool:
    results = list(pool.map(ask, questions))

bodies = {}
for question, status, text, _ in results:
    bodies.setdefault(question, set()).add(text)
assert all(len(texts) == 1 for texts in bodies.values()), "two answers to one question differ"
statuses = [status for _, status, _, _ in results]
counts = {status: statuses.count(status) for status in set(statuses)}
assert counts.get("miss", 0) == 500 and counts.get("hit", 0) == 500, f"expected 500 misses and 500 hits, got {counts}"
upstream = None if before is None else mock_answers() - before
assert upstream in (None, 500), f"the mock answered {upstream} requests, not the 500 distinct ones"

hits = sorted(elapsed for _, status, _, elapsed in results if status == "hit")
misses = sorted(elapsed for _, status, _, elapsed in results if status == "miss")


def quantile(values, q):
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


# Sequential hits: the latency a hit adds with nothing else in flight.
sequential = sorted(ask(question)[3] for question in range(200))


def raw_hits(count):
    """The same hits over one kept-alive connection without the client library: the gateway's part."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    elapsed = []
    for question in range(count):
        body = json.dumps({"model": "gpt-4o", "temperature": 0, "max_tokens": 16, "messages": [
            {"role": "user", "content": f"Question {question % 200}: what is {question % 200} squared?"}]})
        started = time.perf_counter()
        connection.request("POST", parts.path + "/chat/completions", body,
                           {"authorization": f"Bearer {key}", "content-type": "application/json"})
        response = connection.getresponse()
        response.read()
        elapsed.append(time.perf_counter() - started)
        assert response.getheader("x-headroom-cache") == "hit", "a raw request was not a hit"
    connection.close()
    return sorted(elapsed)


raw = raw_hits(2_000)

stream_texts = []
stream_statuses = []
for _ in range(2):
    with client.chat.completions.with_streaming_response.create(
            model="gpt-4o", temperature=0, max_tokens=16, stream=True,
            messages=[{"role": "user", "content": "Stream this, please."}]) as response:
        stream_statuses.append(response.headers.get("x-headroom-cache"))
        stream_texts.append("".join(response.iter_text()))
assert stream_statuses == ["miss", "hit"], f"streamed: {stream_statuses}"
assert stream_texts[0] == stream_texts[1] and stream_texts[1].rstrip().endswith("data: [DONE]"), "a replayed stream differs"

print(f"1,000 requests (500 distinct, each twice), 64 at a time: {counts.get('miss')} misses, {counts.get('hit')} hits, "
      f"answers byte-identical per question; mock answered {upstream if upstream is not None else 'n/a'}")
print(f"concurrent: miss p50 {quantile(misses, 0.5):.1f} ms, p99 {quantile(misses, 0.99):.1f} ms; "
      f"hit p50 {quantile(hits, 0.5):.1f} ms, p99 {quantile(hits, 0.99):.1f} ms (a hit coalesced on a miss waits for it)")
print(f"sequential hits (200): p50 {quantile(sequential, 0.5):.2f} ms, p99 {quantile(sequential, 0.99):.2f} ms")
print(f"sequential hits over one connection without the client library (2,000): p50 {quantile(raw, 0.5):.2f} ms, "
      f"p99 {quantile(raw, 0.99):.2f} ms")
print("streamed twice: miss, then a hit with the same chunks")
